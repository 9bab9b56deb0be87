"""The program's closures and what counts for each payer: the director's edits, each audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.participants.models import Participant
from bridge.scheduling.models import Attendance, PayerRule, ProgramClosure, ServiceRule, Session, SessionType


@dataclass(frozen=True)
class Affected:
    """A session still scheduled on a closed day, and who is on its roster."""

    session: Session
    participants: list[Participant]


def sessions_on_closed_day(program, day: date) -> list[Affected]:
    """Scheduled sessions of the program on `day` (local), each with its roster: to move or cancel."""
    tz = program.tz
    start = datetime.combine(day, time(0), tzinfo=tz)
    sessions = list(
        Session.objects.filter(
            program=program,
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=1),
            status=Session.Status.SCHEDULED,
        )
        .select_related("staff", "room", "series", "session_type")
        .order_by("starts_at")
    )
    roster: dict = {}
    for a in (
        Attendance.objects.filter(session__in=sessions)
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name")
    ):
        roster.setdefault(a.session_id, []).append(a.participant)
    return [Affected(s, roster.get(s.pk, [])) for s in sessions]


def closure_set(
    *, actor, program, day: date, name: str, closed: bool
) -> tuple[ProgramClosure, list[Affected]]:
    """Close the program on a day (a holiday or one of its own), or keep a holiday open.

    Returns the row and, when the day is now closed, the sessions still scheduled on it with the
    participants affected (they are not moved or cancelled by this: the front desk does that).
    """
    from bridge.scheduling.closures import public_holidays

    name = name.strip()
    holiday = public_holidays(program, day, day).get(day)
    if not name:
        name = holiday or ""
    if not name:
        raise ValidationError({"name": "Say what the closure is (e.g. Staff training day)."})
    with transaction.atomic():
        row = ProgramClosure.objects.select_for_update().filter(program=program, day=day).first()
        row = row or ProgramClosure(program=program, day=day)
        before = None if row._state.adding else row.closed
        row.name = name[:120]
        row.closed = closed
        row.source = ProgramClosure.Source.HOLIDAY if holiday else ProgramClosure.Source.PROGRAM
        row.updated_by = actor
        row.updated_at = timezone.now()
        row.full_clean()
        row.save()
        affected = sessions_on_closed_day(program, day) if closed else []
        audit_record(
            action=Action.UPDATE if before is not None else Action.CREATE,
            actor=actor,
            object_type="program_closure",
            object_id=str(row.pk),
            detail={
                "day": day.isoformat(),
                "name": row.name,
                "closed": closed,
                "sessions_on_day": [str(a.session.pk) for a in affected],
            },
        )
    return row, affected


def service_rule_set(
    *,
    actor,
    program,
    session_type: SessionType,
    payer: PayerRule | None,
    counts_toward_hours: bool,
    billable_service: bool,
    in_person: bool,
    video: bool,
    audio_only: bool,
) -> ServiceRule:
    """Set whether a session type counts (toward hours, as a billable service, by which modalities)
    for one payer, or as the program's default when `payer` is None."""
    if session_type.program_id != program.id or (payer is not None and payer.program_id != program.id):
        raise ValidationError({"session_type": "That belongs to another program."})
    if session_type.category == SessionType.Category.ALUMNI and (counts_toward_hours or billable_service):
        raise ValidationError({"counts_toward_hours": "Alumni events never count toward hours or billing."})
    with transaction.atomic():
        row = ServiceRule.objects.filter(session_type=session_type, payer=payer).first()
        row = row or ServiceRule(program=program, session_type=session_type, payer=payer)
        created = row._state.adding
        row.counts_toward_hours = counts_toward_hours
        row.billable_service = billable_service
        row.in_person, row.video, row.audio_only = in_person, video, audio_only
        row.updated_by = actor
        row.updated_at = timezone.now()
        row.full_clean()
        row.save()
        audit_record(
            action=Action.CREATE if created else Action.UPDATE,
            actor=actor,
            object_type="service_rule",
            object_id=str(row.pk),
            detail={
                "session_type": session_type.name,
                "payer": payer.name if payer else None,
                "counts_toward_hours": counts_toward_hours,
                "billable_service": billable_service,
                "modalities": [
                    m
                    for m, on in (("in_person", in_person), ("video", video), ("audio_only", audio_only))
                    if on
                ],
            },
        )
    return row
