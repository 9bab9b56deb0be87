"""Drug screens: record results, mark expected positives, raise a review for an unexpected one."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bridge.accounts.models import User
from bridge.audit.actions import Action
from bridge.clinical import medication, uds
from bridge.clinical.models import DrugScreen, DrugScreenResult, MedicationOrder, OtpEnrollment
from bridge.clinical.services.common import audit, review_owner
from bridge.participants.models import Participant
from bridge.worklist.services import work_item_open

UDS_REVIEW = "uds_review"


def expected_on(participant: Participant, day: date) -> dict[str, str]:
    """Analyte -> reason for every positive the participant's MAT explains on `day`."""
    orders = MedicationOrder.objects.filter(participant=participant, start_on__lte=day).filter(
        Q(stop_on__isnull=True) | Q(stop_on__gte=day)
    )
    pairs = [
        (medication.DRUGS[o.drug].detected_as, f"{o.get_drug_display()} order since {o.start_on:%Y-%m-%d}")
        for o in orders
    ]
    otp = (
        OtpEnrollment.objects.filter(participant=participant, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .first()
    )
    if otp is not None:
        pairs.append(
            (medication.METHADONE_ANALYTE, f"Methadone from {otp.otp_name} since {otp.started_on:%Y-%m-%d}")
        )
    return uds.expected_substances(pairs)


def drug_screen_record(
    *,
    actor: User,
    participant: Participant,
    collected_on: date,
    panel: str,
    results: dict[str, tuple[str, str]],
    specimen: str = DrugScreen.Specimen.URINE,
    observed: bool = False,
    comment: str = "",
) -> DrugScreen:
    """Record a screen. `results` maps every analyte of the panel to (result, confirmation)."""
    if panel not in uds.PANELS:
        raise ValidationError({"panel": "Choose a panel."})
    if collected_on > timezone.localdate():
        raise ValidationError({"collected_on": "The collection date cannot be in the future."})
    wanted = set(uds.PANELS[panel][1])
    if set(results) != wanted:
        missing = sorted(wanted - set(results))
        raise ValidationError(
            {"results": f"Give a result for every substance on the panel (missing: {', '.join(missing)})."}
        )
    expected = expected_on(participant, collected_on)
    with transaction.atomic():
        screen = DrugScreen(
            participant=participant,
            collected_on=collected_on,
            specimen=specimen,
            panel=panel,
            observed=observed,
            comment=comment.strip(),
            recorded_by=actor,
        )
        screen.full_clean()
        screen.save()
        rows = []
        for substance, (result, confirmation) in sorted(results.items()):
            is_expected = result == DrugScreenResult.Result.POSITIVE and substance in expected
            row = DrugScreenResult(
                screen=screen,
                substance=substance,
                result=result,
                confirmation=confirmation or "",
                expected=is_expected,
                expected_reason=expected.get(substance, "") if is_expected else "",
            )
            row.full_clean(exclude=["screen"])
            rows.append(row)
        DrugScreenResult.objects.bulk_create(rows)
        audit(Action.CREATE, actor=actor, participant=participant, obj=screen, detail={"panel": panel})
        _refresh_unexpected(actor, screen, rows)
        _refresh_unexpected_negative(actor, screen, rows, expected)
    return screen


UDS_NEGATIVE_REVIEW = "uds_negative_review"


def _refresh_unexpected_negative(actor: User, screen: DrugScreen, rows, expected: dict[str, str]) -> None:
    """A negative for a prescribed medication (e.g. buprenorphine) goes to the primary clinician."""
    missing = uds.unexpected_negatives(((r.substance, r.result, r.confirmation) for r in rows), expected)
    if bool(missing) != screen.unexpected_negative:
        screen.unexpected_negative = bool(missing)
        screen.save(update_fields=["unexpected_negative"])
    if not missing:
        return
    owner = review_owner(screen.participant)
    if owner is None:
        return
    labels = ", ".join(uds.SUBSTANCES[s] for s in missing)
    why = "; ".join(expected[s] for s in missing)
    work_item_open(
        participant=screen.participant,
        assigned_to=owner,
        kind=UDS_NEGATIVE_REVIEW,
        title="Review a drug screen negative for a prescribed medication",
        detail=(
            f"Collected {screen.collected_on:%b %d, %Y}: negative for {labels} although prescribed ({why}). "
            "Possible non-adherence or diversion: talk with the participant and the prescriber."
        ),
        due_on=timezone.localdate() + timedelta(days=2),
        source_type="drug_screen",
        source_id=str(screen.pk),
        actor=actor,
    )


def _refresh_unexpected(actor: User, screen: DrugScreen, rows: list[DrugScreenResult]) -> None:
    unexpected = sorted(r.substance for r in rows if r.classification == "unexpected")
    if bool(unexpected) != screen.unexpected_positive:
        screen.unexpected_positive = bool(unexpected)
        screen.save(update_fields=["unexpected_positive"])
    if unexpected:
        owner = review_owner(screen.participant)
        if owner is not None:
            labels = ", ".join(uds.SUBSTANCES[s] for s in unexpected)
            work_item_open(
                participant=screen.participant,
                assigned_to=owner,
                kind=UDS_REVIEW,
                title="Review an unexpected positive drug screen",
                detail=(
                    f"Collected {screen.collected_on:%b %d, %Y}: positive for {labels}, "
                    "not explained by prescribed medication."
                ),
                due_on=timezone.localdate() + timedelta(days=2),
                source_type="drug_screen",
                source_id=str(screen.pk),
                actor=actor,
            )


def drug_screen_confirm(*, actor: User, result: DrugScreenResult, confirmation: str) -> DrugScreenResult:
    """Record the lab's confirmation of one result (e.g. a presumptive positive found negative)."""
    screen = result.screen
    if screen.error_at:
        raise ValidationError("This screen was marked entered in error.")
    if confirmation not in DrugScreenResult.Confirmation.values:
        raise ValidationError({"confirmation": "Choose a confirmation result."})
    with transaction.atomic():
        result.confirmation = confirmation
        result.save(update_fields=["confirmation"])
        audit(
            Action.UPDATE,
            actor=actor,
            participant=screen.participant,
            obj=screen,
            detail={"substance": result.substance, "confirmation": confirmation},
        )
        rows = list(screen.results.all())
        _refresh_unexpected(actor, screen, rows)
        _refresh_unexpected_negative(
            actor, screen, rows, expected_on(screen.participant, screen.collected_on)
        )
    return result


def drug_screen_mark_error(*, actor: User, screen: DrugScreen, reason: str) -> DrugScreen:
    if screen.error_at:
        raise ValidationError("This screen is already marked entered in error.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the screen is wrong."})
    with transaction.atomic():
        screen.error_at = timezone.now()
        screen.error_by = actor
        screen.error_reason = reason.strip()
        screen.save(update_fields=["error_at", "error_by", "error_reason"])
        audit(Action.ENTERED_IN_ERROR, actor=actor, participant=screen.participant, obj=screen)
    return screen
