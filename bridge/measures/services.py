"""Every write of measurement-based care, each in one transaction with its audit event.

Each is an entry point (views call them; no service calls another), so each runs in
`transaction.atomic(durable=True)`: nesting one in another transaction raises instead of silently
joining it (bridge/core/tests/test_durable_services.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge import instruments
from bridge.accounts.models import User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core.tokens import new_token, token_hash
from bridge.intake.models import InstrumentAdministration, IntakeSettings
from bridge.measures.models import AlertAcknowledgement, MeasureLink, MeasureSchedule
from bridge.measures.schedule import EVERY_CHOICES, SCHEDULABLE
from bridge.participants.models import Participant
from bridge.placement.rules import alert_spec
from bridge.programs.models import Program
from bridge.safety.models import Source
from bridge.safety.services import (
    safety_signal_raise,
    same_day_screens_done,
    signals_close_for_administration,
)

LINK_DAYS = 7  # a link not used within a week stops working; staff can make a new one


ALERT_LABELS = {
    "phq9_item9_positive": "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) above zero",
    "cssrs_q4_intent": "C-SSRS: some intention of acting on suicidal thoughts (past month)",
    "cssrs_q5_plan": "C-SSRS: a plan with intent (past month)",
    "cssrs_q6_behavior_past_3_months": "C-SSRS: suicidal behaviour in the past 3 months",
}


def alert_label(code: str) -> str:
    return ALERT_LABELS.get(code, code.replace("_", " "))


def is_safety_alert(code: str) -> bool:
    """PHQ-9 item 9 and the C-SSRS triage alerts stay on the chart until a clinician acknowledges them."""
    return code == "phq9_item9_positive" or code.startswith("cssrs_")


def safety_alerts(administration: InstrumentAdministration) -> list[str]:
    return [a for a in administration.alerts or [] if is_safety_alert(a)]


def signals_raise(*, row: InstrumentAdministration, source: str, actor: User | None = None) -> None:
    """Each safety alert of a result becomes a safety signal: a work item and a notification at once.

    PHQ-9 item 9 is a same-day task (give the C-SSRS today); C-SSRS high risk is act-now.
    """
    for code in safety_alerts(row):
        spec = alert_spec(code)
        safety_signal_raise(
            participant=row.participant,
            source=source,
            code=code,
            urgency=spec.urgency,
            title=f"{row.instrument}: {alert_label(code)}",
            detail=spec.message,
            route=spec.route,
            administration=row,
            dedup_key=f"administration:{row.pk}",
            actor=actor,
            actor_label="" if actor else "measure link",
        )
    same_day_screens_done(actor=actor, administration=row)


def _check_instrument(instrument: str) -> str:
    if instrument not in SCHEDULABLE:
        raise ValidationError({"instrument": f"{instrument} is not one of the measures given over time."})
    return instrument


def _administration(
    *, participant: Participant, instrument: str, responses: Any, sex: str | None, actor: User | None
) -> InstrumentAdministration:
    """Score with the program's cut-offs and save answers and score together (no screening)."""
    definition = instruments.get(instrument)
    scoring = IntakeSettings.for_program(participant.program).scoring()
    result = definition.score(responses, sex=sex, settings=scoring)
    checked, _ = definition.validate(responses, sex=sex)  # skipped items stored as the 0 they score
    row = InstrumentAdministration(
        participant=participant,
        instrument=definition.code,
        responses=checked,
        sex=sex if definition.needs_sex and sex else "",
        total=result.total,
        band=result.band,
        alerts=list(result.alerts),
        scoring_settings=scoring.as_dict(),
        source=(
            InstrumentAdministration.Source.STAFF
            if actor is not None
            else InstrumentAdministration.Source.SELF_REPORT
        ),
        administered_by=actor,
    )
    row.full_clean()
    row.save()
    return row


def measure_record(
    *, actor: User, participant: Participant, instrument: str, responses: Any, sex: str | None = None
) -> InstrumentAdministration:
    """Staff give a measure. Raises instruments.ResponseError (naming the item) for unscorable answers."""
    _check_instrument(instrument)
    with transaction.atomic(durable=True):
        row = _administration(
            participant=participant, instrument=instrument, responses=responses, sex=sex, actor=actor
        )
        # Given now, so a link still waiting for the same measure would only make a duplicate.
        for link in MeasureLink.objects.select_for_update().filter(
            participant=participant, instrument=instrument, completed_at__isnull=True, revoked_at__isnull=True
        ):
            _revoke(actor=actor, link=link, reason="given by staff")
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="instrument_administration",
            object_id=str(row.pk),
            detail={"instrument": row.instrument, "via": "measures", "alerts": row.alerts},
        )
        signals_raise(row=row, source=Source.STAFF_ENTRY, actor=actor)
    return row


def measure_link_create(
    *, actor: User, participant: Participant, instrument: str, days: int = LINK_DAYS
) -> tuple[MeasureLink, str]:
    """A private link for the participant to answer `instrument`. Returns it and its token, shown once."""
    _check_instrument(instrument)
    token = new_token()
    now = timezone.now()
    with transaction.atomic(durable=True):
        link = MeasureLink(
            participant=participant,
            instrument=instrument,
            token_hash=token_hash(token),
            hint=token[-6:],
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        link.full_clean()
        link.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="measure_link",
            object_id=str(link.pk),
            detail={"instrument": instrument, "expires_at": link.expires_at.isoformat()},
        )
    return link, token


def measure_link_for_token(token: str) -> MeasureLink | None:
    """The link this token opens, if it exists and can still be used (not completed, not expired)."""
    if not token or len(token) > 100:
        return None
    link = (
        MeasureLink.objects.select_related("participant__program")
        .filter(
            token_hash=token_hash(token),
            completed_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    return link


def measure_link_complete(
    *, link: MeasureLink, responses: Any, sex: str | None = None
) -> InstrumentAdministration:
    """The participant's own answers through the link: scored, stored, and the link used up."""
    with transaction.atomic(durable=True):
        locked = MeasureLink.objects.select_for_update().get(pk=link.pk)
        if not locked.is_open:
            raise ValidationError("This link has already been used or has expired.")
        row = _administration(
            participant=link.participant,
            instrument=locked.instrument,
            responses=responses,
            sex=sex,
            actor=None,
        )
        locked.completed_at = timezone.now()
        locked.administration = row
        locked.save(update_fields=["completed_at", "administration"])
        audit_record(
            action=Action.CREATE,
            actor=None,
            actor_label="measure link",
            participant=link.participant,
            object_type="instrument_administration",
            object_id=str(row.pk),
            detail={
                "instrument": row.instrument,
                "via": "measure_link",
                "link": str(link.pk),
                "alerts": row.alerts,
            },
        )
        signals_raise(row=row, source=Source.MEASURE_LINK)
    link.completed_at, link.administration = locked.completed_at, row
    return row


def _revoke(*, actor: User, link: MeasureLink, reason: str) -> None:
    link.revoked_at, link.revoked_by = timezone.now(), actor
    link.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        participant=link.participant,
        object_type="measure_link",
        object_id=str(link.pk),
        detail={"revoked": True, "instrument": link.instrument, "reason": reason},
    )


def measure_link_revoke(*, actor: User, link: MeasureLink) -> MeasureLink:
    """Stop a link that was not used yet (sent to the wrong number, no longer wanted)."""
    with transaction.atomic(durable=True):
        locked = MeasureLink.objects.select_for_update().get(pk=link.pk)
        if locked.completed_at is not None:
            raise ValidationError("This link was already used; its answers are on record.")
        if locked.revoked_at is None:
            _revoke(actor=actor, link=locked, reason="revoked by staff")
    return locked


def alert_acknowledge(
    *, actor: User, administration: InstrumentAdministration, note: str = ""
) -> AlertAcknowledgement:
    """A clinician records that they saw the safety alert and what they did (required); it leaves the
    chart's top, and the safety signals the result raised are closed with the same words."""
    if not note.strip():
        raise ValidationError({"note": "Say what was done (who was reached, what was decided)."})
    if not safety_alerts(administration):
        raise ValidationError("This result has no safety alert to acknowledge.")
    if administration.is_entered_in_error:
        raise ValidationError("This result was entered in error.")
    with transaction.atomic(durable=True):
        if AlertAcknowledgement.objects.filter(administration=administration).exists():
            raise ValidationError("This alert was already acknowledged.")
        ack = AlertAcknowledgement(
            administration=administration,
            participant_id=administration.participant_id,
            acknowledged_by=actor,
            note=note.strip(),
        )
        ack.full_clean()
        ack.save()
        audit_record(
            action=Action.ALERT_ACKNOWLEDGED,
            actor=actor,
            participant=administration.participant,
            object_type="instrument_administration",
            object_id=str(administration.pk),
            detail={"alerts": safety_alerts(administration), "acknowledgement": str(ack.pk)},
        )
        signals_close_for_administration(
            actor=actor, administration=administration, action_taken=note.strip()
        )
    return ack


def schedule_set(
    *, actor: User, program: Program, instrument: str, every_days: int, participant: Participant | None = None
) -> MeasureSchedule:
    """Set how often `instrument` is given, for the whole program or (with `participant`) for one person."""
    _check_instrument(instrument)
    if every_days not in dict(EVERY_CHOICES):
        raise ValidationError({"every_days": "Choose one of the listed intervals."})
    if participant is not None and participant.program_id != program.pk:
        raise ValidationError("The participant belongs to another program.")
    with transaction.atomic(durable=True):
        row, created = MeasureSchedule.objects.select_for_update().get_or_create(
            program=program,
            participant=participant,
            instrument=instrument,
            defaults={"every_days": every_days, "updated_by": actor},
        )
        before = None if created else row.every_days
        if not created:
            row.every_days, row.updated_by, row.updated_at = every_days, actor, timezone.now()
            row.full_clean()
            row.save()
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=participant,
            object_type="measure_schedule",
            object_id=str(row.pk),
            detail={"instrument": instrument, "every_days": every_days, "before": before},
        )
    return row
