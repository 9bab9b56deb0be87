"""Taking attendance: one Save for a whole roster; corrections keep who recorded what, and when.

Two unexcused absences in a row raise a follow-up work item for the participant's primary
clinician (or a director when there is none).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core.dates import DB_CEILING, DB_FLOOR
from bridge.participants.models import Participant
from bridge.scheduling.models import ArrivalCall, Attendance, AttendanceChange, Session

S = Attendance.Status
ABSENT = (S.EXCUSED, S.UNEXCUSED, S.NO_SHOW)
ABSENCE_FOLLOWUP = "absence_followup"

ATTENDANCE_SLACK = timedelta(hours=2)


@dataclass(frozen=True)
class Mark:
    """What the screen says about one roster row."""

    participant_id: uuid.UUID
    status: str
    arrived_at: datetime | None = None
    departed_at: datetime | None = None
    # The row's version (`row_version`) when the screen showed it; None when the caller does not say
    # (the JSON API sends explicit marks). A row changed since then is not overwritten unnoticed.
    seen: str | None = None


def row_version(row: Attendance) -> str:
    """Which recording of a roster row a screen showed ("" before the first)."""
    return row.recorded_at.isoformat() if row.recorded_at else ""


def attended_minutes(session: Session, arrived: datetime, departed: datetime) -> int:
    """Minutes of the session the person was there for: the overlap of their stay with the session."""
    start = max(arrived, session.starts_at)
    end = min(departed, session.ends_at)
    return max(0, int((end - start) / timedelta(minutes=1)))


def _check(session: Session, mark: Mark, name: str) -> tuple[datetime | None, datetime | None, int | None]:
    if mark.status not in S.values or mark.status == S.EXPECTED:
        raise ValidationError({"status": f"{name}: choose present, late, left early or an absence."})
    if mark.status in ABSENT:
        return None, None, None
    # An arrival or departure belongs to its session: within two hours of it (early arrivals and late
    # stays happen; a time in another year is a typing or client error, and breaks pages).
    first, last = session.starts_at - ATTENDANCE_SLACK, session.ends_at + ATTENDANCE_SLACK
    for field, value, label in (
        ("arrived_at", mark.arrived_at, "arrival"),
        ("departed_at", mark.departed_at, "departure"),
    ):
        if value is not None and not (DB_FLOOR <= value.date() < DB_CEILING and first <= value <= last):
            raise ValidationError(
                {field: f"{name}: the {label} time must be within two hours of the session's start and end."}
            )
    if mark.status == S.LATE and (mark.arrived_at is None or mark.arrived_at <= session.starts_at):
        raise ValidationError({"arrived_at": f"{name}: “Late” needs the time they arrived, after the start."})
    if mark.status == S.LEFT_EARLY and (mark.departed_at is None or mark.departed_at >= session.ends_at):
        raise ValidationError(
            {"departed_at": f"{name}: “Left early” needs the time they left, before the end."}
        )
    arrived = mark.arrived_at or session.starts_at
    departed = mark.departed_at or session.ends_at
    if departed < arrived:
        raise ValidationError({"departed_at": f"{name}: departure is before arrival."})
    return arrived, departed, attended_minutes(session, arrived, departed)


EARLY_REASON_MAX = 300  # the page's field allows as much; a longer one is refused, never cut


def attendance_record(
    *, actor, session: Session, marks: list[Mark], early_reason: str = ""
) -> list[Attendance]:
    """Record (or correct) attendance for the session's roster rows named in `marks`.

    Attendance is recorded from the session's start; earlier only with a reason (kept in the audit).

    A row recorded before keeps its earlier values in an AttendanceChange. Each changed row is
    audited. Returns the rows that changed.
    """
    if session.status == Session.Status.CANCELLED:
        raise ValidationError({"session": "This session was cancelled; there is no attendance to take."})
    now = timezone.now()
    early_reason = early_reason.strip()
    if len(early_reason) > EARLY_REASON_MAX:
        too_long = f"Say why in at most {EARLY_REASON_MAX} characters (this has {len(early_reason)})."
        raise ValidationError({"early_reason": too_long})
    if now < session.starts_at and not early_reason and any(m.status != S.EXPECTED for m in marks):
        raise ValidationError(
            {"early_reason": "The session has not started yet: say why attendance is recorded early."}
        )
    changed: list[Attendance] = []
    with transaction.atomic():
        rows = {
            a.participant_id: a
            for a in Attendance.objects.select_for_update(of=("self",))
            .filter(session=session, participant_id__in=[m.participant_id for m in marks])
            .select_related("participant", "recorded_by")
        }
        for mark in marks:
            row = rows.get(mark.participant_id)
            if row is None:
                raise ValidationError({"participant": "Someone in the list is not on this session's roster."})
            arrived, departed, minutes = _check(session, mark, row.participant.display_name)
            same = (row.status, row.arrived_at, row.departed_at, row.minutes) == (
                mark.status,
                arrived,
                departed,
                minutes,
            )
            if same and row.recorded_at is not None:
                continue
            if mark.seen is not None and mark.seen != row_version(row):
                # Someone saved this row after the screen was opened: two people taking one roster.
                who = (
                    row.recorded_by.get_full_name() or row.recorded_by.username
                    if row.recorded_by
                    else "someone"
                )
                when = timezone.localtime(row.recorded_at, session.program.tz) if row.recorded_at else now
                raise ValidationError(
                    {
                        "participant": f"{row.participant.display_name}'s attendance was changed by {who} at "
                        f"{when:%H:%M} ({row.get_status_display()}) after this page was opened. Nothing was "
                        "saved: check that row and save again."
                    }
                )
            correction = row.recorded_at is not None
            if correction:
                AttendanceChange.objects.create(
                    attendance=row,
                    changed_by=actor,
                    changed_at=now,
                    from_status=row.status,
                    to_status=mark.status,
                    from_minutes=row.minutes,
                    to_minutes=minutes,
                    from_recorded_by=row.recorded_by,
                    from_recorded_at=row.recorded_at,
                )
            row.status, row.arrived_at, row.departed_at, row.minutes = mark.status, arrived, departed, minutes
            row.recorded_by, row.recorded_at = actor, now
            row.full_clean()
            row.save(
                update_fields=["status", "arrived_at", "departed_at", "minutes", "recorded_by", "recorded_at"]
            )
            audit_record(
                action=Action.ATTENDANCE_RECORD,
                actor=actor,
                participant=row.participant,
                object_type="attendance",
                object_id=str(row.pk),
                detail={
                    "session": str(session.pk),
                    "status": row.status,
                    "minutes": minutes,
                    "correction": correction,
                    **({"early_reason": early_reason} if now < session.starts_at else {}),
                },
            )
            changed.append(row)
        if session.status == Session.Status.SCHEDULED and session.starts_at <= now:
            session.status = Session.Status.COMPLETED
            session.save(update_fields=["status"])
        for row in changed:
            if row.status == S.UNEXCUSED:
                _absence_followup(actor=actor, row=row, session=session)
    return changed


def _absence_followup(*, actor, row: Attendance, session: Session) -> None:
    """Raise a follow-up when this unexcused absence follows another one at the previous session."""
    from bridge.clinical.services.common import review_owner
    from bridge.worklist.services import work_item_open

    previous = (
        Attendance.objects.filter(participant_id=row.participant_id, session__starts_at__lt=session.starts_at)
        .exclude(session__status=Session.Status.CANCELLED)
        .exclude(status=S.EXPECTED)
        .order_by("-session__starts_at")
        .first()
    )
    if previous is None or previous.status != S.UNEXCUSED:
        return
    participant: Participant = row.participant
    owner = review_owner(participant)
    if owner is None:
        return
    tz = session.program.tz
    days = [timezone.localtime(a.session.starts_at, tz) for a in (previous, row)]
    work_item_open(
        participant=participant,
        assigned_to=owner,
        kind=ABSENCE_FOLLOWUP,
        title=f"Two unexcused absences in a row: {participant.display_name}",
        detail="Missed without notice on " + " and ".join(f"{d:%a %b %-d}" for d in days) + ". Reach out.",
        due_on=timezone.localdate() + timedelta(days=1),
        # One open follow-up per participant: a third absence adds to the same conversation.
        source_type="absence_streak",
        source_id=str(participant.pk),
        actor=actor,
    )


# How late an arrival may be and still count as on time.
LATE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class CheckIn:
    """What a check-in did: the roster row, and whether it had already been checked in."""

    attendance: Attendance
    already: bool


def attendance_check_in(
    *, actor, session: Session, participant_id: uuid.UUID, at: datetime | None = None, channel: str = "desk"
) -> CheckIn:
    """Check a participant in for a session: their attendance starts (present, or late after
    five minutes), arriving now, staying to the end unless attendance is taken otherwise later.

    The front desk's Today page uses it; a participant's own app may too (`channel`). Checking in
    twice changes nothing. Only a roster row still "expected" is checked in; a session that ended,
    was cancelled, or starts more than an hour from now is refused.
    """
    at = at or timezone.now()
    if session.status == Session.Status.CANCELLED:
        raise ValidationError({"session": "This session was cancelled."})
    if at > session.ends_at:
        raise ValidationError({"session": "This session has ended: take attendance instead."})
    if at < session.starts_at - timedelta(hours=1):
        raise ValidationError({"session": "Check-in opens an hour before the session starts."})
    with transaction.atomic():
        row = (
            Attendance.objects.select_for_update(of=("self",))
            .select_related("participant")
            .filter(session=session, participant_id=participant_id)
            .first()
        )
        if row is None:
            raise ValidationError({"participant": "This participant is not on the session's roster."})
        if row.status != S.EXPECTED:
            return CheckIn(row, already=True)
        late = at > session.starts_at + LATE_AFTER
        row.status = S.LATE if late else S.PRESENT
        row.arrived_at = at
        row.departed_at = session.ends_at
        row.minutes = attended_minutes(session, at, session.ends_at)
        row.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
        row.recorded_at = at
        row.full_clean()
        row.save(
            update_fields=["status", "arrived_at", "departed_at", "minutes", "recorded_by", "recorded_at"]
        )
        audit_record(
            action=Action.ATTENDANCE_RECORD,
            actor=actor,
            participant=row.participant,
            object_type="attendance",
            object_id=str(row.pk),
            detail={
                "session": str(session.pk),
                "status": row.status,
                "check_in": channel,
                "arrived_at": at.isoformat(),
            },
        )
    return CheckIn(row, already=False)


def arrival_call_note(*, actor, attendance: Attendance, note: str) -> ArrivalCall:
    """Record that the desk called someone who had not arrived, and what they said."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Write what happened on the call (e.g. 'no answer, left a message')."})
    with transaction.atomic():
        call = ArrivalCall(attendance=attendance, note=note[:300], called_by=actor)
        call.full_clean()
        call.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=attendance.participant,
            object_type="arrival_call",
            object_id=str(call.pk),
            detail={"session": str(attendance.session_id)},
        )
    return call
