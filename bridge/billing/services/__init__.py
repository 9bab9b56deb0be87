"""Every write of the revenue cycle, each in one transaction with its audit event.

Coverage and authorizations here; the charge builder, claims, remittances and eligibility in the
modules beside this one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.billing.models import (
    MAX_AUTHORIZED_UNITS,
    Authorization,
    Certification,
    Coverage,
    Payer,
    PayerKind,
    Plan,
    UtilizationReview,
)

COVERAGE_FIELDS = (
    "plan",
    "order",
    "member_id",
    "group_number",
    "relationship",
    "subscriber_first_name",
    "subscriber_last_name",
    "subscriber_date_of_birth",
    "effective_on",
    "ends_on",
)


def _audit(action, actor, participant, obj, detail=None) -> None:
    audit_record(
        action=action,
        actor=actor,
        participant=participant,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        detail=detail or {},
    )


def _check_plan(participant, plan: Plan, order: int | None = None) -> None:
    if plan.payer.program_id != participant.program_id:
        raise ValidationError({"plan": "Choose a plan of a payer this program bills."})
    if plan.payer.kind == PayerKind.SELF_PAY and order is not None and order != Coverage.Order.PRIMARY:
        # The sliding fee applies only when self-pay is the primary coverage (selfpay.self_pay_coverage).
        raise ValidationError(
            {
                "order": "Self-pay can only be the primary coverage: "
                "its sliding fee applies when no insurer pays."
            }
        )


def coverage_add(*, actor, participant, **fields: Any) -> Coverage:
    """Record a coverage. An open coverage of the same order is ended the day before the new one starts."""
    unknown = set(fields) - set(COVERAGE_FIELDS)
    if unknown:
        raise TypeError(f"coverage_add got unknown fields {sorted(unknown)}")
    _check_plan(participant, fields["plan"], fields.get("order"))
    with transaction.atomic():
        coverage = Coverage(participant=participant, created_by=actor, **fields)
        previous = (
            Coverage.objects.select_for_update()
            .filter(participant=participant, order=coverage.order, ends_on__isnull=True)
            .first()
        )
        if previous is not None:
            if previous.effective_on >= coverage.effective_on:
                raise ValidationError(
                    {
                        "effective_on": f"The current {previous.get_order_display().lower()} "
                        f"coverage starts on {previous.effective_on}; "
                        "a new one must start after it (or edit that one)."
                    }
                )
            previous.ends_on = date.fromordinal(coverage.effective_on.toordinal() - 1)
            previous.full_clean()
            previous.save(update_fields=["ends_on"])
            _audit(Action.UPDATE, actor, participant, previous, {"fields": ["ends_on"], "replaced": True})
        coverage.full_clean()
        coverage.save()
        _audit(
            Action.CREATE,
            actor,
            participant,
            coverage,
            {"payer": coverage.plan.payer.name, "order": coverage.order},
        )
    return coverage


def coverage_update(*, actor, coverage: Coverage, **changes: Any) -> list[str]:
    """Correct a coverage; returns the names of the fields that changed (audited, not their values)."""
    unknown = set(changes) - set(COVERAGE_FIELDS)
    if unknown:
        raise TypeError(f"coverage_update got unknown fields {sorted(unknown)}")
    changed = [name for name, value in changes.items() if getattr(coverage, name) != value]
    if not changed:
        return []
    if "plan" in changed or "order" in changed:
        _check_plan(
            coverage.participant, changes.get("plan", coverage.plan), changes.get("order", coverage.order)
        )
    with transaction.atomic():
        for name in changed:
            setattr(coverage, name, changes[name])
        coverage.full_clean()
        coverage.save(update_fields=changed)
        _audit(Action.UPDATE, actor, coverage.participant, coverage, {"fields": sorted(changed)})
    return changed


def coverage_from_screening(*, actor, screening, admitted_on: date) -> Coverage | None:
    """At admission, turn the insurance the intake form asked for into a primary coverage.

    Only when the program bills a payer of that kind and the caller gave a member id (or is self-pay);
    the front desk completes or corrects it afterwards. Returns None when nothing could be made.
    """
    kind = {
        "medicaid": "medicaid",
        "medicare": "medicare",
        "commercial": "commercial",
        "self_pay": "self_pay",
    }.get(screening.insurance_type)
    participant = screening.participant
    if (
        kind is None
        or participant.coverages.filter(ends_on__isnull=True, order=Coverage.Order.PRIMARY).exists()
    ):
        return None
    payers = Payer.objects.filter(program_id=screening.program_id, kind=kind, is_active=True)
    plans = Plan.objects.filter(payer__in=payers, is_active=True).select_related("payer")
    wanted = (screening.insurance_plan or "").lower()
    plan = next((p for p in plans if wanted and (p.name.lower() in wanted or wanted in p.name.lower())), None)
    plan = plan or plans.first()
    member_id = screening.insurance_member_id or ("SELF-PAY" if kind == "self_pay" else "")
    if plan is None or not member_id:
        return None
    return coverage_add(
        actor=actor,
        participant=participant,
        plan=plan,
        order=Coverage.Order.PRIMARY,
        member_id=member_id,
        effective_on=admitted_on,
    )


def _units_plausible(field: str, units: int, already: int = 0) -> None:
    if units + already > MAX_AUTHORIZED_UNITS:
        raise ValidationError(
            {
                field: f"An authorization gives at most {MAX_AUTHORIZED_UNITS:,} units in all"
                + (f" (it has {already:,} already)" if already else "")
                + ": check the number on the payer's letter."
            }
        )


def _authorization_clashes(auth: Authorization) -> None:
    """The same payer's reference twice, or two live authorizations for the same codes on overlapping
    days: charges would count against either, so one is a mistake."""
    live = Authorization.objects.filter(
        participant_id=auth.participant_id,
        status__in=[Authorization.Status.APPROVED, Authorization.Status.REQUESTED],
    ).exclude(pk=auth.pk)
    reference = auth.reference_number.strip()
    if (
        reference
        and Authorization.objects.filter(
            participant_id=auth.participant_id,
            coverage__plan__payer_id=auth.coverage.plan.payer_id,
            reference_number__iexact=reference,
        )
        .exclude(pk=auth.pk)
        .exists()
    ):
        raise ValidationError(
            {"reference_number": f"Authorization {reference} from this payer is already on record."}
        )
    if auth.status not in (Authorization.Status.APPROVED, Authorization.Status.REQUESTED):
        return
    codes = set(auth.service_codes or [])
    for other in live.filter(
        coverage_id=auth.coverage_id,
        level_of_care=auth.level_of_care,
        starts_on__lte=auth.ends_on,
        ends_on__gte=auth.starts_on,
    ):
        theirs = set(other.service_codes or [])
        if not codes or not theirs or codes & theirs:  # empty: every IOP code
            raise ValidationError(
                {
                    "starts_on": f"Authorization {other.reference_number} ({other.starts_on:%b %-d, %Y} to "
                    f"{other.ends_on:%b %-d, %Y}) already covers these services on some of these days: "
                    "record the payer's extension as a concurrent review on it, or close it first."
                }
            )


def authorization_add(*, actor, participant, coverage: Coverage, **fields: Any) -> Authorization:
    if coverage.participant_id != participant.pk:
        raise ValidationError({"coverage": "Choose one of this participant's coverages."})
    _units_plausible("units_approved", int(fields.get("units_approved") or 0))
    with transaction.atomic():
        auth = Authorization(participant=participant, coverage=coverage, created_by=actor, **fields)
        if auth.next_review_on is None and coverage.plan.payer.review_every_days:
            auth.next_review_on = date.fromordinal(
                auth.starts_on.toordinal() + coverage.plan.payer.review_every_days
            )
        auth.full_clean()
        _authorization_clashes(auth)
        auth.save()
        _audit(
            Action.CREATE,
            actor,
            participant,
            auth,
            {"reference": auth.reference_number, "units": auth.units_approved},
        )
    return auth


def review_record(
    *,
    actor,
    authorization: Authorization,
    outcome: str,
    approved_units: int = 0,
    note: str = "",
    next_review_on: date | None = None,
) -> UtilizationReview:
    """Record a concurrent review's outcome. Approved units are added to the authorization; the next
    review date moves on by the payer's interval (or to `next_review_on`)."""
    if outcome == UtilizationReview.Outcome.APPROVED and approved_units < 1:
        raise ValidationError({"approved_units": "Say how many units the payer approved."})
    with transaction.atomic():
        auth = Authorization.objects.select_for_update().get(pk=authorization.pk)
        if outcome == UtilizationReview.Outcome.APPROVED:
            _units_plausible("approved_units", approved_units, auth.units_approved)
        review = UtilizationReview(
            authorization=auth,
            due_on=auth.next_review_on or date.today(),
            outcome=outcome,
            approved_units=approved_units if outcome == UtilizationReview.Outcome.APPROVED else 0,
            note=note,
            recorded_by=actor,
        )
        review.full_clean()
        review.save()
        fields = ["next_review_on"]
        if outcome == UtilizationReview.Outcome.APPROVED:
            auth.units_approved += approved_units
            fields.append("units_approved")
        elif outcome == UtilizationReview.Outcome.DENIED:
            auth.status = Authorization.Status.CLOSED
            fields.append("status")
        every = auth.coverage.plan.payer.review_every_days
        auth.next_review_on = next_review_on or (
            date.fromordinal(review.due_on.toordinal() + every) if every else None
        )
        auth.save(update_fields=fields)
        _audit(
            Action.UPDATE,
            actor,
            auth.participant,
            review,
            {"outcome": outcome, "approved_units": review.approved_units},
        )
    return review


def certification_sign(*, actor, participant, **fields: Any) -> Certification:
    """A physician or eligible practitioner signs a Medicare IOP (re)certification."""
    from bridge.accounts.qualify import qualifications

    codes = [c.kind for c in actor.credentials.all() if not c.is_expired(fields["signed_on"])]
    if "prescriber" not in qualifications(codes):
        raise ValidationError(
            "A certification is signed by a physician or eligible practitioner (MD, DO, NP, PA) "
            "with a current license."
        )
    with transaction.atomic():
        cert = Certification(participant=participant, signed_by=actor, **fields)
        cert.full_clean()
        cert.save()
        _audit(
            Action.SIGN,
            actor,
            participant,
            cert,
            {"kind": cert.kind, "valid_through": str(cert.valid_through)},
        )
    return cert
