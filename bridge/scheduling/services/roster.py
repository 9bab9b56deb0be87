"""Group series: generating sessions, and rolling membership that only ever touches the future.

A membership covers the sessions on local dates from `joined_on` up to, not including,
`left_on`, and only sessions that have not started yet when the roster changes. Past sessions,
their attendance and their notes are never touched by a roster edit. When a place frees up,
the waitlist fills it in the order people asked.

Generating sessions and joining run the one conflict check (bridge/scheduling/conflicts/):
generation skips closed days and times the facilitator or room is taken, and lists them; a join
is refused when the participant is already booked at one of the group's future sessions, and
needs a confirmed reason when a session falls in their declared work or family hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.participants.models import Participant
from bridge.scheduling import conflicts as cc
from bridge.scheduling.models import (
    Attendance,
    ConflictAcceptance,
    GroupSeries,
    SeriesMembership,
    Session,
    SessionKind,
)
from bridge.scheduling.recurrence import occurrences

M = SeriesMembership.Status
LEAVE_STATUSES = (M.ON_HOLD, M.TRANSFERRED, M.DISCHARGED, M.LEFT)
MAX_GENERATE_DAYS = 366


def _local_date(moment: datetime, program) -> date:
    return timezone.localtime(moment, program.tz).date()


def _covers(membership: SeriesMembership, day: date) -> bool:
    return (
        membership.joined_on is not None
        and membership.joined_on <= day
        and (membership.left_on is None or day < membership.left_on)
    )


@dataclass
class Generated:
    """What generating a series' sessions did: created, skipped days (with why), members left off."""

    created: list[Session] = field(default_factory=list)
    skipped: list[tuple[date, str]] = field(default_factory=list)
    left_off: list[tuple[date, str]] = field(default_factory=list)
    confirmed: list[cc.Conflict] = field(default_factory=list)


def series_generate(*, actor, series: GroupSeries, date_from: date, date_to: date) -> list[Session]:
    """The sessions created by `series_generate_report` (kept for callers that need only those)."""
    return series_generate_report(actor=actor, series=series, date_from=date_from, date_to=date_to).created


def series_generate_report(
    *, actor, series: GroupSeries, date_from: date, date_to: date, confirm_reason: str = ""
) -> Generated:
    """Create the series' sessions from its track's weekdays and times for the dates given.

    Dates already holding a session of the series are skipped, so running it twice adds nothing.
    Members whose span covers a new session's date are put on its roster as expected.
    Closed days, and times when the facilitator or the room is already taken, are skipped and
    listed; a member already booked elsewhere at that time is left off that session and listed.
    Soft conflicts (outside the facilitator's hours, inside a member's work hours not already
    confirmed for this group) raise BookingConflict unless `confirm_reason` is given.
    """
    if date_to < date_from:
        raise ValidationError({"date_to": "The end date is before the start date."})
    if (date_to - date_from).days > MAX_GENERATE_DAYS:
        raise ValidationError({"date_to": "Generate at most a year at a time."})
    if not series.is_active:
        raise ValidationError({"series": "This series is retired; reactivate it first."})
    track, program = series.track, series.program
    first = max(date_from, series.starts_on)
    last = min(date_to, series.ends_on) if series.ends_on else date_to
    spans = occurrences(first, last, track.weekdays, track.start_time, track.end_time, program.tz)
    modality = (
        Session.Modality.TELEHEALTH
        if track.modality == track.Modality.TELEHEALTH
        else Session.Modality.IN_PERSON
    )
    room = series.room if modality == Session.Modality.IN_PERSON else None
    result = Generated()
    with transaction.atomic():
        GroupSeries.objects.select_for_update().filter(pk=series.pk).first()
        # A cancelled date stays cancelled: regenerating never brings it back.
        existing = set(Session.objects.filter(series=series).values_list("starts_at", flat=True))
        members = list(SeriesMembership.objects.filter(series=series, joined_on__isnull=False))
        confirmed_work = set(
            ConflictAcceptance.objects.filter(membership__series=series, kind=cc.WORK_HOURS).values_list(
                "participant_id", flat=True
            )
        )
        todo = []
        for starts, ends in spans:
            if starts in existing:
                continue
            day = _local_date(starts, program)
            covering = [m.participant_id for m in members if _covers(m, day)]
            todo.append((starts, ends, day, covering))
        slots = [
            cc.Slot(
                starts,
                ends,
                series.name,
                staff_id=series.facilitator_id,
                room_id=room.pk if room else None,
                participant_ids=tuple(covering),
                seats=len(covering) + 1,
                series_id=series.pk,
            )
            for starts, ends, _, covering in todo
        ]
        per_slot = cc.conflicts_by_slot(program, slots)
        soft: list[cc.Conflict] = []
        plan = []
        for (starts, ends, day, covering), found in zip(todo, per_slot, strict=True):
            blocking = [c for c in found if c.hard and c.kind != cc.PARTICIPANT]
            if blocking:
                result.skipped.append((day, " ".join(c.message for c in blocking)))
                continue
            busy = {c.participant_id for c in found if c.kind == cc.PARTICIPANT}
            for c in found:
                if c.kind == cc.PARTICIPANT:
                    result.left_off.append((day, c.message))
            soft_here = [
                c
                for c in found
                if not c.hard and not (c.kind == cc.WORK_HOURS and c.participant_id in confirmed_work)
            ]
            soft += soft_here
            plan.append((starts, ends, day, [pid for pid in covering if pid not in busy], soft_here))
        cc.require_clear(soft, confirm_reason)
        rows: list[Attendance] = []
        for starts, ends, _day, covering, soft_here in plan:
            session = Session(
                program=program,
                kind=SessionKind.GROUP,
                session_type=series.session_type,
                series=series,
                track=track,
                starts_at=starts,
                ends_at=ends,
                modality=modality,
                room=room,
                staff=series.facilitator,
            )
            session.full_clean()
            session.save()
            result.created.append(session)
            rows += [Attendance(session=session, participant_id=pid) for pid in covering]
            if soft_here:
                cc.accept(actor=actor, conflicts=soft_here, reason=confirm_reason, session=session)
                result.confirmed += soft_here
        Attendance.objects.bulk_create(rows)
        if result.created or result.skipped:
            audit_record(
                action=Action.CREATE,
                actor=actor,
                object_type="group_series",
                object_id=str(series.pk),
                detail={
                    "sessions": len(result.created),
                    "from": first.isoformat(),
                    "to": last.isoformat(),
                    "skipped": [[d.isoformat(), why[:200]] for d, why in result.skipped],
                    "left_off": [[d.isoformat(), why[:200]] for d, why in result.left_off],
                    **(
                        {"conflicts_confirmed": len(result.confirmed), "confirm_reason": confirm_reason[:300]}
                        if result.confirmed
                        else {}
                    ),
                },
            )
    return result


def _future_sessions(series: GroupSeries, from_day: date):
    """The series' sessions that have not started and fall on or after `from_day` (local date)."""
    start_of_day = datetime.combine(from_day, datetime.min.time(), tzinfo=series.program.tz)
    return Session.objects.filter(
        series=series,
        starts_at__gt=timezone.now(),
        starts_at__gte=start_of_day,
    ).exclude(status=Session.Status.CANCELLED)


def _add_to_future(membership: SeriesMembership, joined_on: date) -> int:
    """Put the participant on the sessions from `joined_on` that have not started."""
    sessions = list(_future_sessions(membership.series, joined_on))
    have = set(
        Attendance.objects.filter(session__in=sessions, participant_id=membership.participant_id).values_list(
            "session_id", flat=True
        )
    )
    rows = [
        Attendance(session=s, participant_id=membership.participant_id) for s in sessions if s.pk not in have
    ]
    Attendance.objects.bulk_create(rows)
    return len(rows)


def _remove_from_future(membership: SeriesMembership, left_on: date) -> int:
    """Take the participant off sessions from `left_on` that have not started and hold nothing recorded."""
    deleted, _ = Attendance.objects.filter(
        session__in=_future_sessions(membership.series, left_on),
        participant_id=membership.participant_id,
        status=Attendance.Status.EXPECTED,
        recorded_at__isnull=True,
    ).delete()
    return deleted


def join_conflicts(series: GroupSeries, participant_id, on: date) -> list[cc.Conflict]:
    """What joining would clash with at each future session of the series from `on`: the
    participant's other sessions and declared hours, and each room's seats with one more person."""
    sessions = list(
        _future_sessions(series, on)
        .exclude(attendance__participant_id=participant_id)
        .annotate(roster=Count("attendance"))
        .order_by("starts_at")
    )
    slots = [
        cc.Slot(
            s.starts_at,
            s.ends_at,
            series.name,
            room_id=s.room_id,
            participant_ids=(participant_id,),
            seats=s.roster + 2,  # everyone on it, the newcomer and the facilitator
            session_id=s.pk,
            series_id=series.pk,
            seats_only=True,
        )
        for s in sessions
    ]
    return cc.booking_conflicts(series.program, slots)


def _active_count(series: GroupSeries) -> int:
    return SeriesMembership.objects.filter(series=series, status=M.ACTIVE).count()


def _activate(
    *,
    actor,
    membership: SeriesMembership,
    on: date,
    from_waitlist: bool,
    resumed: bool = False,
    confirmed: list | None = None,
    confirm_reason: str = "",
) -> SeriesMembership:
    membership.status, membership.joined_on = M.ACTIVE, on
    membership.full_clean()
    membership.save(update_fields=["status", "joined_on"])
    added = _add_to_future(membership, on)
    audit_record(
        action=Action.ROSTER_JOIN,
        actor=actor,
        participant=membership.participant,
        object_type="series_membership",
        object_id=str(membership.pk),
        detail={
            "series": str(membership.series_id),
            "from_waitlist": from_waitlist,
            "resumed": resumed,
            "sessions_added": added,
            **(
                {
                    "conflicts_confirmed": [c.as_dict() for c in confirmed],
                    "confirm_reason": confirm_reason[:300],
                }
                if confirmed
                else {}
            ),
        },
    )
    return membership


def series_join(
    *, actor, series: GroupSeries, participant: Participant, on: date | None = None, confirm_reason: str = ""
) -> SeriesMembership:
    """Add a participant to a series from `on` (today by default; never before today).

    With the group full, they go on the waitlist instead, in the order they asked. Joining checks
    every future session (BookingConflict: hard conflicts refuse, soft ones need `confirm_reason`,
    recorded once for the membership).
    """
    today = timezone.localtime(timezone.now(), series.program.tz).date()
    on = max(on or today, today)
    if participant.program_id != series.program_id:
        raise ValidationError({"participant": "This participant belongs to another program."})
    if participant.status not in (Participant.Status.ACTIVE, Participant.Status.STEP_DOWN):
        raise ValidationError({"participant": "Only participants in care join a group."})
    if not series.is_active or (not series.rolling_admission and series.starts_on < today):
        raise ValidationError({"series": "This group does not take new members now."})
    with transaction.atomic():
        GroupSeries.objects.select_for_update().filter(pk=series.pk).first()
        # Coming back from a hold closes the held span; the new span starts now.
        resumed = SeriesMembership.objects.filter(
            series=series, participant=participant, status=M.ON_HOLD
        ).update(status=M.LEFT)
        if SeriesMembership.objects.filter(
            series=series, participant=participant, status__in=[M.ACTIVE, M.WAITLISTED]
        ).exists():
            raise ValidationError(
                {"participant": f"{participant.display_name} is already on this group's roster or waitlist."}
            )
        membership = SeriesMembership(series=series, participant=participant, status=M.WAITLISTED)
        membership.full_clean()
        membership.save()
        if _active_count(series) < series.size_cap:
            found = join_conflicts(series, participant.pk, on)
            accepted = cc.require_clear(found, confirm_reason)
            if accepted:
                cc.accept(actor=actor, conflicts=accepted, reason=confirm_reason, membership=membership)
            return _activate(
                actor=actor,
                membership=membership,
                on=on,
                from_waitlist=False,
                resumed=bool(resumed),
                confirmed=accepted,
                confirm_reason=confirm_reason,
            )
        audit_record(
            action=Action.ROSTER_JOIN,
            actor=actor,
            participant=participant,
            object_type="series_membership",
            object_id=str(membership.pk),
            detail={"series": str(series.pk), "waitlisted": True},
        )
    return membership


def series_leave(
    *, actor, membership: SeriesMembership, status: str, reason: str = "", on: date | None = None
) -> SeriesMembership:
    """Take a participant off a series from `on` (today by default): future sessions only.

    On hold, transferred, discharged or simply left; a waitlisted person can be taken off too.
    The freed place goes to the waitlist, first come first served.
    """
    if status not in LEAVE_STATUSES:
        raise ValidationError({"status": "Choose on hold, transferred, discharged or left."})
    series = membership.series
    today = timezone.localtime(timezone.now(), series.program.tz).date()
    on = max(on or today, today)
    with transaction.atomic():
        GroupSeries.objects.select_for_update().filter(pk=series.pk).first()
        membership = SeriesMembership.objects.select_for_update().get(pk=membership.pk)
        if membership.status not in (M.ACTIVE, M.WAITLISTED):
            raise ValidationError({"status": "This membership has already ended."})
        was_active = membership.status == M.ACTIVE
        removed = 0
        left_on = max(on, membership.joined_on or on)
        if was_active:
            membership.left_on = left_on
        # A place on hold is a closed span too: resuming starts a new one, so history stays readable.
        membership.status = status if was_active else M.LEFT
        membership.reason = reason.strip()[:200]
        membership.full_clean()
        membership.save(update_fields=["status", "left_on", "reason"])
        if was_active:
            removed = _remove_from_future(membership, left_on)
        audit_record(
            action=Action.ROSTER_LEAVE,
            actor=actor,
            participant=membership.participant,
            object_type="series_membership",
            object_id=str(membership.pk),
            detail={"series": str(series.pk), "status": membership.status, "sessions_removed": removed},
        )
        if was_active:
            series_fill_from_waitlist(actor=actor, series=series)
    return membership


def series_fill_from_waitlist(*, actor, series: GroupSeries) -> list[SeriesMembership]:
    """Give free places to the waitlist in the order people asked."""
    today = timezone.localtime(timezone.now(), series.program.tz).date()
    filled: list[SeriesMembership] = []
    with transaction.atomic():
        free = series.size_cap - _active_count(series)
        if free <= 0:
            return filled
        waiting = (
            SeriesMembership.objects.filter(series=series, status=M.WAITLISTED)
            .select_related("participant", "series__program")
            .order_by("requested_at")
        )
        for membership in waiting:
            if len(filled) >= free:
                break
            # Someone already booked at the group's times keeps their place in line (no double booking).
            if any(c.hard for c in join_conflicts(series, membership.participant_id, today)):
                continue
            filled.append(_activate(actor=actor, membership=membership, on=today, from_waitlist=True))
    return filled


def roster_on(series: GroupSeries, day: date) -> list[SeriesMembership]:
    """Who was (or will be) a member on a given date."""
    return list(
        SeriesMembership.objects.filter(series=series, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .select_related("participant")
    )
