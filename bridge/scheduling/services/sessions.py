"""One-off sessions, cancelling and rescheduling. Each says which participants it affects.

Booking and moving run the one conflict check (bridge/scheduling/conflicts/): a hard conflict
raises BookingConflict naming who and what; soft ones need `confirm_reason`, which is recorded
with the session and in its audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.participants.models import Participant
from bridge.scheduling import conflicts as cc
from bridge.scheduling.models import Attendance, Room, Session, SessionKind, SessionType

# Therapy is led by clinical staff: a therapist or director by role, or anyone holding a current
# clinical credential. Front desk never leads therapy, whatever else they hold.
THERAPY_KINDS: dict[str, str] = {
    SessionKind.INDIVIDUAL: "individual therapy",
    SessionKind.FAMILY: "a family session",
}
THERAPY_ROLES = {"director", "therapist"}
MEDICATION_ROLES = {"prescriber", "nurse"}


def lead_refusal(*, staff, program, kind: str, session_type: SessionType | None = None) -> str:
    """Why `staff` may not lead a `kind` session in `program` ("" when they may)."""
    from django.utils import timezone

    from bridge.accounts.qualify import qualifications

    roles = staff.roles_in(program.pk)
    today = timezone.localdate()
    codes = [c.kind for c in staff.credentials.all() if c.expires_on is None or c.expires_on >= today]
    quals = qualifications(codes)
    name = staff.get_full_name() or staff.get_username()
    therapy = THERAPY_KINDS.get(kind) or ("group therapy" if kind == SessionKind.GROUP else "")
    if therapy and "front_desk" in roles and not roles & THERAPY_ROLES:
        return f"{name} works at the front desk; front desk staff never lead {therapy}."
    if kind in THERAPY_KINDS and not (roles & THERAPY_ROLES or "clinician" in quals):
        return (
            f"{name} cannot lead {therapy}: it needs a therapist or a clinician with a current "
            "license or certification."
        )
    if kind == SessionKind.MEDICATION and not (roles & MEDICATION_ROLES or "nurse" in quals):
        return f"{name} cannot hold a medication visit: it needs a prescriber or a nurse."
    if session_type is not None and session_type.required_credential not in quals:
        return (
            f"{name} does not hold a current credential for {session_type.name} "
            f"({session_type.get_required_credential_display()})."
        )
    return ""


def lock_people(*, staff_ids, participant_ids) -> None:
    """Serialise bookings of the same people (PostgreSQL row locks; SQLite writes are serial anyway)."""
    from bridge.accounts.models import User

    list(User.objects.select_for_update().filter(pk__in=list(staff_ids)).values_list("pk", flat=True))
    list(
        Participant.objects.select_for_update()
        .filter(pk__in=list(participant_ids))
        .values_list("pk", flat=True)
    )


def session_slot(session: Session, participant_ids, *, starts_at=None, ends_at=None, room=None) -> cc.Slot:
    """The conflict-check slot of a session (optionally at another time or room)."""
    in_person = session.modality == Session.Modality.IN_PERSON
    room_id = (room.pk if room is not None else session.room_id) if in_person else None
    return cc.Slot(
        starts_at or session.starts_at,
        ends_at or session.ends_at,
        session.display_title,
        staff_id=session.staff_id,
        room_id=room_id,
        participant_ids=tuple(participant_ids),
        seats=len(participant_ids) + 1,
        session_id=session.pk if session.pk and not session._state.adding else None,
        series_id=session.series_id,
    )


def _audit_conflicts(accepted: list[cc.Conflict], reason: str) -> dict:
    if not accepted:
        return {}
    return {"conflicts_confirmed": [c.as_dict() for c in accepted], "confirm_reason": reason.strip()[:300]}


@dataclass(frozen=True)
class Change:
    session: Session  # the session as it now stands (the new one after a reschedule)
    affected: list[Participant]


def _roster(session: Session) -> list[Participant]:
    return [
        a.participant
        for a in Attendance.objects.filter(session=session)
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name")
    ]


def session_create(
    *,
    actor,
    program,
    kind: str,
    staff,
    starts_at: datetime,
    ends_at: datetime,
    participants: list[Participant],
    session_type: SessionType | None = None,
    room: Room | None = None,
    modality: str = Session.Modality.IN_PERSON,
    title: str = "",
    confirm_reason: str = "",
) -> Session:
    """A one-off session (individual, family, medication, drug screen, or an extra group).

    Raises BookingConflict when it clashes (see the module docstring).
    """
    if kind not in SessionKind.values:
        raise ValidationError({"kind": "Choose a kind of session."})
    if not participants:
        raise ValidationError({"participants": "Choose at least one participant."})
    if any(p.program_id != program.id for p in participants):
        raise ValidationError({"participants": "Everyone must belong to this program."})
    if room is not None and room.program_id != program.id:
        raise ValidationError({"room": "That room belongs to another program."})
    if modality != Session.Modality.IN_PERSON:
        room = None
    refusal = lead_refusal(staff=staff, program=program, kind=kind, session_type=session_type)
    if refusal:
        raise ValidationError({"staff": refusal})
    session = Session(
        program=program,
        kind=kind,
        session_type=session_type,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        modality=modality,
        room=room,
        staff=staff,
    )
    session.full_clean()
    with transaction.atomic():
        lock_people(staff_ids=[staff.pk], participant_ids=[p.pk for p in participants])
        found = cc.booking_conflicts(program, [session_slot(session, [p.pk for p in participants])])
        accepted = cc.require_clear(found, confirm_reason)
        session.save()
        Attendance.objects.bulk_create([Attendance(session=session, participant=p) for p in participants])
        cc.accept(actor=actor, conflicts=accepted, reason=confirm_reason, session=session)
        for p in participants:
            audit_record(
                action=Action.CREATE,
                actor=actor,
                participant=p,
                object_type="session",
                object_id=str(session.pk),
                detail={
                    "kind": kind,
                    "starts_at": starts_at.isoformat(),
                    **_audit_conflicts(accepted, confirm_reason),
                },
            )
    return session


def session_cancel(*, actor, session: Session, reason: str) -> Change:
    """Cancel a session with a reason. Its roster and any attendance stay as they were."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the session is cancelled."})
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status == Session.Status.CANCELLED:
            raise ValidationError({"session": "This session is already cancelled."})
        if Attendance.objects.filter(session=session).exclude(status=Attendance.Status.EXPECTED).exists():
            raise ValidationError(
                {"session": "Attendance was taken for this session; it cannot be cancelled."}
            )
        session.status, session.cancel_reason = Session.Status.CANCELLED, reason[:200]
        session.full_clean()
        session.save(update_fields=["status", "cancel_reason"])
        affected = _roster(session)
        audit_record(
            action=Action.SESSION_CANCEL,
            actor=actor,
            object_type="session",
            object_id=str(session.pk),
            detail={"reason": reason[:200], "affected": [str(p.pk) for p in affected]},
        )
    return Change(session, affected)


def _not_into_the_past(old: Session, starts_at: datetime) -> None:
    """A session moves to a time still to come; within its own day it may move to the time it really
    took place. A time that has passed (a typed year, a wrong month) would change past weeks' hours."""
    tz = old.program.tz
    local = starts_at.astimezone(tz)
    if starts_at < timezone.now() and local.date() != old.starts_at.astimezone(tz).date():
        when = (
            f"{local:%a %b %-d, %Y}"
            if local.date() != timezone.localdate(timezone=tz)
            else f"{local:%H:%M} today"
        )
        raise ValidationError(
            {
                "starts_at": f"{when} has passed: a session moves to a time still to come "
                "(or, on its own day, to the time it really took place). Check the date and time."
            }
        )


def session_reschedule(
    *,
    actor,
    session: Session,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    room: Room | None = None,
    confirm_reason: str = "",
) -> Change:
    """Move a session: the old one is cancelled with the reason, a new one takes its roster.

    The new time goes through the conflict check; the session's own old time never blocks it, so
    a moved session can move back. Raises BookingConflict.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the session moves."})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The session must end after it starts."})
    with transaction.atomic():
        old = Session.objects.select_for_update().get(pk=session.pk)
        if old.status != Session.Status.SCHEDULED:
            raise ValidationError({"session": "Only a scheduled session can be moved."})
        _not_into_the_past(old, starts_at)
        if Attendance.objects.filter(session=old).exclude(status=Attendance.Status.EXPECTED).exists():
            raise ValidationError({"session": "Attendance was taken for this session; it cannot be moved."})
        affected = _roster(old)
        if room is not None and room.program_id != old.program_id:
            raise ValidationError({"room": "That room belongs to another program."})
        lock_people(staff_ids=[old.staff_id], participant_ids=[p.pk for p in affected])
        found = cc.booking_conflicts(
            old.program,
            [session_slot(old, [p.pk for p in affected], starts_at=starts_at, ends_at=ends_at, room=room)],
            ignore=[old.pk],
        )
        found = [cc.Conflict(c.kind, c.message, c.with_session, c.participant_id) for c in found]
        accepted = cc.require_clear(found, confirm_reason)
        old.status, old.cancel_reason = Session.Status.CANCELLED, f"Rescheduled: {reason}"[:200]
        old.save(update_fields=["status", "cancel_reason"])
        new = Session(
            program=old.program,
            kind=old.kind,
            session_type=old.session_type,
            series=old.series,
            track=old.track,
            title=old.title,
            starts_at=starts_at,
            ends_at=ends_at,
            modality=old.modality,
            room=room if room is not None else old.room,
            telehealth_url=old.telehealth_url,
            staff=old.staff,
            rescheduled_from=old,
        )
        new.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError:
            raise ValidationError({"starts_at": "The group already has a session at that time."}) from None
        Attendance.objects.bulk_create([Attendance(session=new, participant=p) for p in affected])
        cc.accept(actor=actor, conflicts=accepted, reason=confirm_reason, session=new)
        audit_record(
            action=Action.SESSION_RESCHEDULE,
            actor=actor,
            object_type="session",
            object_id=str(new.pk),
            detail={
                "from": str(old.pk),
                "reason": reason[:200],
                "starts_at": starts_at.isoformat(),
                "affected": [str(p.pk) for p in affected],
                **_audit_conflicts(accepted, confirm_reason),
            },
        )
    return Change(new, affected)
