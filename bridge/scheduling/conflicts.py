"""One conflict check for every way a session gets on the calendar.

A proposed booking (one or more `Slot`s: a time, and whose time and which room it takes) conflicts
when:
  * hard — refused, naming who and what:
    - `staff`: the person leading it already leads (or sits in) another session then;
    - `room`: the room is already booked then, or has fewer seats than people in it;
    - `participant`: a participant is already in another session then (groups included);
    - `closure`: the program is closed that day (a public holiday or a closure of its own);
  * soft — allowed only with a confirmation and a reason, which is recorded (ConflictAcceptance):
    - `work_hours`: inside a participant's declared work, family, school or other hours;
    - `staff_hours`: outside the hours the staff member works at the program (when recorded).

`booking_conflicts(program, slots)` is the check every path uses (a one-off session, a move, a
series' generated sessions, a roster join, the solver's commit, the JSON API); `require_clear`
raises `BookingConflict` unless the conflicts are only soft ones confirmed with a reason.
`week_conflicts(program, week_start)` applies the same rules to every session of a week (the
Conflicts page, the week views, `bridge schedule conflicts`). Both run a fixed number of queries
however many sessions are involved. Cancelled sessions never conflict.
"""

from __future__ import annotations

import bisect
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from bridge.accounts.models import User
from bridge.core import registry
from bridge.core.weeks import WEEKDAY_NAMES
from bridge.participants.models import Participant
from bridge.scheduling.closures import closed_days
from bridge.scheduling.models import Attendance, ConflictAcceptance, Room, SeriesMembership, Session

PARTICIPANT, STAFF, ROOM, CLOSURE = "participant", "staff", "room", "closure"
WORK_HOURS, STAFF_HOURS = "work_hours", "staff_hours"
HARD = frozenset({PARTICIPANT, STAFF, ROOM, CLOSURE})
SOFT = frozenset({WORK_HOURS, STAFF_HOURS})
KINDS = (PARTICIPANT, STAFF, ROOM, CLOSURE, WORK_HOURS, STAFF_HOURS)
# No session lasts longer (the curriculum allows 8 hours): bounds the search on both sides, so the
# start-time index does the work.
LONGEST = timedelta(hours=24)
KIND_LABELS = {
    PARTICIPANT: "Participant double-booked",
    STAFF: "Staff double-booked",
    ROOM: "Room",
    CLOSURE: "Program closed",
    WORK_HOURS: "Participant's work or family hours",
    STAFF_HOURS: "Outside working hours",
}
DASH = "\u2013"  # an en dash between two times
# The kinds of a participant's busy block (the planner's ParticipantTimeBlock.Kind values).
BLOCK_WORDS = {
    "work": "works",
    "family": "has family or caregiving time",
    "school": "is at school",
    "other": "has another commitment",
}


@dataclass(frozen=True)
class Conflict:
    """One reason a booking cannot simply go ahead. `with_session` is the other session, if any."""

    kind: str
    message: str
    with_session: uuid.UUID | None = None
    participant_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None  # the session the conflict belongs to, when it exists

    @property
    def hard(self) -> bool:
        return self.kind in HARD

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def as_dict(self) -> dict:
        """The JSON API's shape: {"kind", "with", "message"}."""
        return {
            "kind": self.kind,
            "with": str(self.with_session) if self.with_session else None,
            "message": self.message,
        }


class BookingConflict(Exception):
    """A booking refused for its conflicts (hard ones), or waiting for a confirmation (soft only)."""

    def __init__(self, conflicts: Sequence[Conflict]):
        self.conflicts = list(conflicts)
        super().__init__("; ".join(c.message for c in self.conflicts))

    @property
    def hard(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.hard]

    @property
    def needs_confirmation(self) -> bool:
        """Only soft conflicts: the booking may go ahead with a reason."""
        return bool(self.conflicts) and not self.hard


@dataclass(frozen=True)
class Slot:
    """A span of time a booking takes, and whose time it takes.

    `staff_id` and `room_id` are checked when given; `participant_ids` are the participants whose
    time is checked; `seats` is how many people will sit in the room. `session_id` is the session
    itself when it exists (a session never conflicts with itself). `series_id` lets a member's
    accepted work-hours conflict for the whole series apply.
    """

    starts_at: datetime
    ends_at: datetime
    label: str
    staff_id: uuid.UUID | None = None
    room_id: uuid.UUID | None = None
    participant_ids: tuple = ()
    seats: int = 0
    session_id: uuid.UUID | None = None
    series_id: uuid.UUID | None = None
    seats_only: bool = False  # check only the room's seats, not who else has it booked


@dataclass
class _Busy:
    session_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    label: str
    staff_id: uuid.UUID
    room_id: uuid.UUID | None
    participant_ids: set = field(default_factory=set)


@dataclass
class _Context:
    """What the rules read, loaded once for every slot of a check."""

    program: object
    sessions: list[_Busy]
    by_staff: dict = field(default_factory=lambda: defaultdict(list))
    by_room: dict = field(default_factory=lambda: defaultdict(list))
    by_participant: dict = field(default_factory=lambda: defaultdict(list))
    staff_ids: set = field(default_factory=set)
    participant_ids: set = field(default_factory=set)
    _staff_names: dict | None = None
    _participant_names: dict | None = None
    rooms: dict = field(default_factory=dict)
    blocks: dict = field(
        default_factory=lambda: defaultdict(list)
    )  # participant: [(weekday, from, to, kind)]
    hours: dict = field(default_factory=lambda: defaultdict(list))  # staff -> [(weekday, start, end)]
    closed: dict = field(default_factory=dict)  # local date -> name

    def index(self) -> None:
        for busy in sorted(self.sessions, key=lambda b: b.starts_at):
            self.by_staff[busy.staff_id].append(busy)
            if busy.room_id:
                self.by_room[busy.room_id].append(busy)
            for pid in busy.participant_ids:
                self.by_participant[pid].append(busy)
        # Each list is in start order, so a lookup bisects instead of scanning.

    # Names are read only when there is a conflict to word (most checks find none).
    def staff_name(self, pk) -> str:
        if self._staff_names is None:
            self._staff_names = {
                uid: (f"{first} {last}".strip() or username)
                for uid, first, last, username in User.objects.filter(pk__in=self.staff_ids)
                .order_by()
                .values_list("id", "first_name", "last_name", "username")
            }
        return self._staff_names.get(pk, "The staff member")

    def participant_name(self, pk) -> str:
        if self._participant_names is None:
            self._participant_names = {
                pid: f"{preferred or first} {last}"
                for pid, first, last, preferred in Participant.objects.filter(pk__in=self.participant_ids)
                .order_by()
                .values_list("id", "first_name", "last_name", "preferred_name")
            }
        return self._participant_names.get(pk, "A participant")

    def overlapping(self, busy_list: list, starts_at: datetime, ends_at: datetime) -> list:
        """The sessions of a start-ordered list that overlap [starts_at, ends_at)."""
        if not busy_list:
            return []
        k = bisect.bisect_left(busy_list, ends_at, key=_start)
        found = []
        while k > 0:
            k -= 1
            b = busy_list[k]
            if b.starts_at <= starts_at - LONGEST:
                break
            if b.ends_at > starts_at:
                found.append(b)
        return found[::-1]


def _start(busy: _Busy) -> datetime:
    return busy.starts_at


def _local(moment: datetime, tz) -> datetime:
    return timezone.localtime(moment, tz)


def _span_text(starts_at: datetime, ends_at: datetime, tz) -> str:
    a, b = _local(starts_at, tz), _local(ends_at, tz)
    return f"{a:%a %b %-d} {a:%H:%M}{DASH}{b:%H:%M}"


def _session_label(title: str, kind_label: str) -> str:
    return title or kind_label


def _load(
    program,
    first: datetime,
    last: datetime,
    *,
    staff_ids: set,
    room_ids: set,
    participant_ids: set,
    ignore: set,
    sessions: list[_Busy] | None = None,
) -> _Context:
    """Load every session that touches these people or rooms between `first` and `last`, plus
    the participants' declared hours, the staff's working hours and the closed days."""
    tz = program.tz
    if sessions is None:
        who = Q(staff_id__in=staff_ids) | Q(room_id__in=room_ids)
        if participant_ids:
            who |= Q(
                pk__in=Attendance.objects.filter(
                    participant_id__in=participant_ids,
                    session__starts_at__lt=last,
                    session__starts_at__gt=first - LONGEST,
                    session__ends_at__gt=first,
                ).values("session_id")
            )
        rows = list(
            Session.objects.filter(who, starts_at__lt=last, starts_at__gt=first - LONGEST, ends_at__gt=first)
            .exclude(status=Session.Status.CANCELLED)
            .exclude(pk__in=ignore)
            .select_related("session_type", "series")
            .only(
                "id",
                "kind",
                "title",
                "starts_at",
                "ends_at",
                "staff_id",
                "room_id",
                "session_type__name",
                "series__name",
            )
            .order_by()
        )
        sessions = [
            _Busy(
                s.pk,
                s.starts_at,
                s.ends_at,
                s.display_title if not s.series_id else f"{s.series.name}",
                s.staff_id,
                s.room_id,
            )
            for s in rows
        ]
        by_id = {b.session_id: b for b in sessions}
        if participant_ids and by_id:
            for sid, pid in (
                Attendance.objects.filter(session_id__in=list(by_id), participant_id__in=participant_ids)
                .order_by()
                .values_list("session_id", "participant_id")
            ):
                by_id[sid].participant_ids.add(pid)
    ctx = _Context(program=program, sessions=sessions)
    ctx.index()
    ctx.staff_ids = set(staff_ids) | {b.staff_id for b in sessions}
    ctx.participant_ids = set(participant_ids)
    if room_ids:
        ctx.rooms = {
            r.pk: r for r in Room.objects.filter(pk__in=room_ids).order_by().only("id", "name", "capacity")
        }
    if participant_ids:
        # Declared weekly hours come from whoever registered them (the planner): registry.py.
        for busy_hours in registry.PARTICIPANT_BUSY_HOURS:
            for pid, weekday, start, end, kind in busy_hours(participant_ids):
                ctx.blocks[pid].append((weekday, start, end, kind))
    if staff_ids:
        for working_hours in registry.STAFF_WORKING_HOURS:
            for staff_id, weekday, start, end, _kind in working_hours(program, staff_ids):
                ctx.hours[staff_id].append((weekday, start, end))
    ctx.closed = closed_days(program, _local(first, tz).date(), _local(last, tz).date())
    return ctx


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


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
    when = _span_text(slot.starts_at, slot.ends_at, tz)
    day, start, end = _wall_span(slot, tz)

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
                found.append(Conflict(STAFF_HOURS, f"{name} {detail}; this is {when}.", None))
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
                        f"{s:%H:%M}{DASH}{e:%H:%M}; this is {when}.",
                        None,
                        participant_id=pid,
                    )
                )
    if slot.session_id:
        found = [
            Conflict(c.kind, c.message, c.with_session, c.participant_id, slot.session_id) for c in found
        ]
    return found


def booking_conflicts(program, slots: Sequence[Slot], *, ignore: Iterable = ()) -> list[Conflict]:
    """The conflicts of a proposed booking of one or more slots (hard ones first).

    `ignore`: sessions that do not block (the session being moved away from).
    """
    found = [c for per_slot in conflicts_by_slot(program, slots, ignore=ignore) for c in per_slot]
    return sorted(found, key=lambda c: (not c.hard, KINDS.index(c.kind)))


def conflicts_by_slot(program, slots: Sequence[Slot], *, ignore: Iterable = ()) -> list[list[Conflict]]:
    """The conflicts of each slot, in the slots' order (one load for all of them)."""
    if not slots:
        return []
    first = min(s.starts_at for s in slots)
    last = max(s.ends_at for s in slots)
    ctx = _load(
        program,
        first,
        last,
        staff_ids={s.staff_id for s in slots if s.staff_id},
        room_ids={s.room_id for s in slots if s.room_id},
        participant_ids={pid for s in slots for pid in s.participant_ids},
        ignore=set(ignore),
    )
    return [_slot_conflicts(slot, ctx) for slot in slots]


def require_clear(conflicts: Sequence[Conflict], confirm_reason: str = "") -> list[Conflict]:
    """Raise BookingConflict for any hard conflict, or soft ones without a reason.

    Returns the soft conflicts the reason accepts, for the caller to record with `accept`.
    """
    if any(c.hard for c in conflicts):
        raise BookingConflict([c for c in conflicts if c.hard])
    if conflicts and not confirm_reason.strip():
        raise BookingConflict(conflicts)
    return list(conflicts)


def accept(
    *,
    actor,
    conflicts: Sequence[Conflict],
    reason: str,
    session: Session | None = None,
    membership: SeriesMembership | None = None,
) -> list[ConflictAcceptance]:
    """Record soft conflicts confirmed with a reason (inside the booking's transaction)."""
    rows = []
    seen = set()
    for c in conflicts:
        # One row per kind and person: for a membership it covers every session of the series.
        key = (
            (c.kind, c.participant_id) if membership is not None else (c.kind, c.participant_id, c.session_id)
        )
        if c.hard or key in seen:
            continue
        seen.add(key)
        target = session
        if target is None and membership is None and c.session_id:
            target = Session.objects.get(pk=c.session_id)
        row = ConflictAcceptance(
            session=target,
            membership=membership,
            participant_id=c.participant_id,
            kind=c.kind,
            message=c.message[:300],
            reason=reason.strip()[:300],
            accepted_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        row.full_clean()
        rows.append(row)
    ConflictAcceptance.objects.bulk_create(rows)
    return rows


# --- A week's conflicts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekConflict:
    """A conflict of one session of the week; `accepted` is the recorded confirmation, if any."""

    session: Session
    conflict: Conflict
    accepted: ConflictAcceptance | None = None

    @property
    def open(self) -> bool:
        return self.accepted is None


def week_conflicts(program, week_start: date, *, day: date | None = None) -> list[WeekConflict]:
    """Every conflict of the program's sessions in the ISO week from `week_start` (or one `day`),
    in time order; a conflict between two sessions is listed once, under the earlier one."""
    tz = program.tz
    first_day, days = (day, 1) if day else (week_start, 7)
    first = datetime.combine(first_day, time(0), tzinfo=tz)
    last = datetime.combine(first_day + timedelta(days=days), time(0), tzinfo=tz)
    rows = list(
        Session.objects.filter(
            program=program, starts_at__lt=last, starts_at__gt=first - LONGEST, ends_at__gt=first
        )
        .exclude(status=Session.Status.CANCELLED)
        .select_related("session_type", "series")
        .only(
            "id",
            "program_id",
            "kind",
            "title",
            "status",
            "modality",
            "starts_at",
            "ends_at",
            "staff_id",
            "room_id",
            "series_id",
            "session_type_id",
            "session_type__name",
            "series__name",
        )
        .order_by("starts_at", "pk")
    )
    roster: dict = defaultdict(set)
    for sid, pid in Attendance.objects.filter(
        session__program=program,
        session__starts_at__lt=last,
        session__starts_at__gt=first - LONGEST,
        session__ends_at__gt=first,
    ).values_list("session_id", "participant_id"):
        roster[sid].add(pid)
    busy = [
        _Busy(
            s.pk,
            s.starts_at,
            s.ends_at,
            s.series.name if s.series_id else s.display_title,
            s.staff_id,
            s.room_id,
            set(roster[s.pk]),
        )
        for s in rows
    ]
    participant_ids = {pid for ids in roster.values() for pid in ids}
    ctx = _load(
        program,
        first,
        last,
        staff_ids={s.staff_id for s in rows},
        room_ids={s.room_id for s in rows if s.room_id},
        participant_ids=participant_ids,
        ignore=set(),
        sessions=busy,
    )
    accepted: dict = {}
    series_of = {s.pk: s.series_id for s in rows}
    for a in ConflictAcceptance.objects.filter(
        Q(session__program=program, session__starts_at__lt=last, session__starts_at__gt=first - LONGEST)
        | Q(membership__series_id__in={s.series_id for s in rows if s.series_id})
    ).select_related("membership", "accepted_by"):
        if a.session_id:
            accepted[(a.session_id, a.kind, a.participant_id)] = a
        else:
            accepted[("series", a.membership.series_id, a.kind, a.participant_id)] = a
    found: list[WeekConflict] = []
    pairs: set = set()
    for s in rows:
        slot = Slot(
            s.starts_at,
            s.ends_at,
            s.display_title,
            staff_id=s.staff_id,
            room_id=s.room_id,
            participant_ids=tuple(sorted(roster[s.pk], key=str)),
            seats=len(roster[s.pk]) + 1,
            session_id=s.pk,
            series_id=s.series_id,
        )
        for c in _slot_conflicts(slot, ctx):
            if c.with_session:
                pair = (c.kind, frozenset((s.pk, c.with_session)), c.participant_id)
                if pair in pairs:
                    continue
                pairs.add(pair)
            hit = accepted.get((s.pk, c.kind, c.participant_id)) or accepted.get(
                ("series", series_of[s.pk], c.kind, c.participant_id)
            )
            found.append(WeekConflict(s, c, hit if not c.hard else None))
    return found


def open_conflict_sessions(conflicts: Iterable[WeekConflict]) -> dict:
    """session id -> its open (unconfirmed) conflicts, for marking sessions on the week views."""
    marked: dict = defaultdict(list)
    for wc in conflicts:
        if wc.open:
            marked[wc.session.pk].append(wc.conflict)
            if wc.conflict.with_session:
                marked[wc.conflict.with_session].append(wc.conflict)
    return marked
