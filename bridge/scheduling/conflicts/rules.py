"""The rules, written once: every conflict of one slot against what was loaded."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from bridge.core.weeks import WEEKDAY_NAMES
from bridge.scheduling.conflicts.kinds import (
    CLOSURE,
    PARTICIPANT,
    ROOM,
    STAFF,
    STAFF_HOURS,
    WORK_HOURS,
    Conflict,
    Slot,
)
from bridge.scheduling.conflicts.load import _Context, _local

DASH = "\u2013"  # an en dash between two times
BLOCK_WORDS = {
    # the kinds of a participant's busy block (the planner's ParticipantTimeBlock.Kind values)
    "work": "works",
    "family": "has family or caregiving time",
    "school": "is at school",
    "other": "has another commitment",
}


def _span_text(starts_at: datetime, ends_at: datetime, tz) -> str:
    a, b = _local(starts_at, tz), _local(ends_at, tz)
    return f"{a:%a %b %-d} {a:%H:%M}{DASH}{b:%H:%M}"


def _clock(moment: datetime) -> time:
    return moment.time().replace(tzinfo=None)


def _wall_span(slot: Slot, tz) -> tuple[date, time, time]:
    """The slot's local date and wall-clock start and end (clipped to midnight)."""
    a, b = _local(slot.starts_at, tz), _local(slot.ends_at, tz)
    end = _clock(b) if b.date() == a.date() else time(23, 59, 59)
    return a.date(), _clock(a), end


def _merged(spans: Iterable[tuple[time, time]]) -> list[tuple[time, time]]:
    merged: list[list[time]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _slot_conflicts(slot: Slot, ctx: _Context) -> list[Conflict]:
    """Every rule, for one slot. The one place the rules are written."""
    tz = ctx.program.tz
    found: list[Conflict] = []
    day, start, end = _wall_span(slot, tz)

    def when() -> str:  # worded only for a conflict that needs it (most slots have none)
        return _span_text(slot.starts_at, slot.ends_at, tz)

    def others(busy_list):
        return [
            b
            for b in ctx.overlapping(busy_list, slot.starts_at, slot.ends_at)
            if b.session_id != slot.session_id
        ]

    if day in ctx.closed:
        found.append(
            Conflict(CLOSURE, f"The program is closed on {day:%a %b %-d} ({ctx.closed[day]}).", None)
        )
    if slot.staff_id:
        for b in others(ctx.by_staff[slot.staff_id]):
            name = ctx.staff_name(slot.staff_id)
            found.append(
                Conflict(
                    STAFF,
                    f"{name} already leads {b.label} ({_span_text(b.starts_at, b.ends_at, tz)}).",
                    b.session_id,
                )
            )
        hours = ctx.hours.get(slot.staff_id)
        if hours:
            spans = _merged((s, e) for weekday, s, e in hours if weekday == day.weekday())
            if not any(s <= start and end <= e for s, e in spans):
                worked = ", ".join(f"{s:%H:%M}{DASH}{e:%H:%M}" for s, e in spans)
                detail = (
                    f"works {worked} on {WEEKDAY_NAMES[day.weekday()]}s"
                    if spans
                    else f"does not work at the program on {WEEKDAY_NAMES[day.weekday()]}s"
                )
                name = ctx.staff_name(slot.staff_id)
                found.append(Conflict(STAFF_HOURS, f"{name} {detail}; this is {when()}.", None))
    if slot.room_id:
        room = ctx.rooms.get(slot.room_id)
        room_name = room.name if room else "The room"
        for b in [] if slot.seats_only else others(ctx.by_room[slot.room_id]):
            found.append(
                Conflict(
                    ROOM,
                    f"{room_name} is already booked for {b.label} "
                    f"({_span_text(b.starts_at, b.ends_at, tz)}).",
                    b.session_id,
                )
            )
        if room is not None and slot.seats > room.capacity:
            found.append(
                Conflict(ROOM, f"{room_name} has {room.capacity} seats; {slot.seats} people would be in it.")
            )
    for pid in slot.participant_ids:
        for b in others(ctx.by_participant[pid]):
            name = ctx.participant_name(pid)
            found.append(
                Conflict(
                    PARTICIPANT,
                    f"{name} is already in {b.label} ({_span_text(b.starts_at, b.ends_at, tz)}).",
                    b.session_id,
                    participant_id=pid,
                )
            )
        for weekday, s, e, kind in ctx.blocks.get(pid, ()):
            if weekday == day.weekday() and start < e and s < end:
                name = ctx.participant_name(pid)
                found.append(
                    Conflict(
                        WORK_HOURS,
                        f"{name} {BLOCK_WORDS.get(kind, 'is busy')} {WEEKDAY_NAMES[weekday]}s "
                        f"{s:%H:%M}{DASH}{e:%H:%M}; this is {when()}.",
                        None,
                        participant_id=pid,
                    )
                )
    if slot.session_id:
        found = [
            Conflict(c.kind, c.message, c.with_session, c.participant_id, slot.session_id) for c in found
        ]
    return found
