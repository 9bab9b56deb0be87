"""Eligibility: send a 270 for a coverage, read a 271 answer into a plain summary."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.billing.clearinghouse import clearinghouse
from bridge.billing.models import BillingProfile, Coverage, EligibilityCheck, PayerKind
from bridge.billing.x12.eligibility import Subscriber, build_270, read_271
from bridge.billing.x12.validate import X12Error, problems


def profile_for(program) -> BillingProfile:
    profile = BillingProfile.objects.filter(program=program).first()
    if profile is None:
        raise ValidationError(
            f"{program.name} has no billing profile (NPI, tax id, address); the director sets it up first."
        )
    return profile


def control_number() -> int:
    return uuid.uuid4().int % 900_000_000 + 100_000_000


def subscriber_of(coverage: Coverage, day) -> Subscriber:
    p = coverage.participant
    if coverage.relationship == Coverage.Relationship.SELF:
        first, last, dob = p.first_name, p.last_name, p.date_of_birth
    else:
        first, last = coverage.subscriber_first_name, coverage.subscriber_last_name
        dob = coverage.subscriber_date_of_birth or p.date_of_birth
    return Subscriber(first, last, coverage.member_id, dob, day)


def eligibility_request(*, actor, coverage: Coverage, day=None) -> EligibilityCheck:
    """Build a 270 for `coverage`, check it with pyx12, and send it through the clearinghouse."""
    participant = coverage.participant
    payer = coverage.plan.payer
    if payer.kind == PayerKind.SELF_PAY:
        raise ValidationError("Self-pay has no payer to ask: eligibility is checked with insurers only.")
    profile = profile_for(participant.program)
    control = control_number()
    when = timezone.localtime(timezone.now(), participant.program.tz)
    text = build_270(
        sender=profile.submitter_id,
        receiver=payer.payer_id,
        payer_name=payer.name,
        payer_id=payer.payer_id,
        provider_name=profile.organization_name,
        provider_npi=profile.npi,
        provider_tax_id=profile.tax_id,
        subscriber=subscriber_of(coverage, day or when.date()),
        control=control,
        when=when,
    )
    found = problems(text)
    if found:
        raise X12Error(found)
    with transaction.atomic():
        check = EligibilityCheck.objects.create(
            coverage=coverage, control_number=str(control), request=text, requested_by=actor
        )
        where = clearinghouse().send("270", f"270-{control}.x12", text)
        audit_record(
            action=Action.ELIGIBILITY,
            actor=actor,
            participant=participant,
            object_type="eligibilitycheck",
            object_id=str(check.pk),
            detail={"sent": "270", "control": str(control), "to": payer.name, "where": where},
        )
    return check


def eligibility_read(*, actor, text: str, program_ids=None) -> tuple[dict, EligibilityCheck | None]:
    """Read a 271 (X12Error for a bad file; nothing changes). When its trace matches a 270 we sent,
    the summary is kept on that check and audited."""
    summary = read_271(text)
    trace = summary.get("trace", "")
    check = None
    if trace.startswith("E"):
        qs = EligibilityCheck.objects.filter(control_number=trace[1:]).select_related("coverage__participant")
        if program_ids is not None:
            qs = qs.filter(coverage__participant__program_id__in=program_ids)
        check = qs.first()
    if check is not None:
        with transaction.atomic():
            check.response = text
            check.summary = summary
            check.answered_at = timezone.now()
            check.save(update_fields=["response", "summary", "answered_at"])
            audit_record(
                action=Action.ELIGIBILITY,
                actor=actor,
                participant=check.coverage.participant,
                object_type="eligibilitycheck",
                object_id=str(check.pk),
                detail={"read": "271", "active": summary["active"], "rejected": summary["rejected"]},
            )
    return summary, check
