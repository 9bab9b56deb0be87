"""What the rules read, loaded once per check: the sessions touching the people and rooms involved,
their rosters, the rooms, declared hours, working hours and closed days — a fixed number of queries."""

from __future__ import annotations

import bisect
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import FilteredRelation, Q
from django.utils import timezone

from bridge.accounts.models import User
from bridge.core import registry
from bridge.participants.models import Participant
from bridge.programs.models import Program
from bridge.scheduling.closures import closed_days
from bridge.scheduling.conflicts.kinds import LONGEST
from bridge.scheduling.models import Attendance, Room, Session, SessionKind

KIND_NAMES = dict(SessionKind.choices)


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

    program: Program
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
        # One query for the sessions and, joined, which of these participants sit in them; plain
        # tuples (no model objects: a check reads a handful of fields).
        queryset = (
            Session.objects.filter(who, starts_at__lt=last, starts_at__gt=first - LONGEST, ends_at__gt=first)
            .exclude(status=Session.Status.CANCELLED)
            .exclude(pk__in=ignore)
            .order_by()
        )
        fields = [
            "id",
            "starts_at",
            "ends_at",
            "title",
            "kind",
            "session_type__name",
            "series_id",
            "series__name",
            "staff_id",
            "room_id",
        ]
        if participant_ids:
            queryset = queryset.annotate(
                ours=FilteredRelation(
                    "attendance", condition=Q(attendance__participant_id__in=participant_ids)
                )
            )
            fields.append("ours__participant_id")
        by_id: dict = {}
        for row in queryset.values_list(*fields):
            sid, starts_at, ends_at, title, kind, type_name, series_id, series_name, staff_id, room_id = row[
                :10
            ]
            busy = by_id.get(sid)
            if busy is None:
                label = series_name if series_id else (title or type_name or KIND_NAMES.get(kind, kind))
                busy = by_id[sid] = _Busy(sid, starts_at, ends_at, label, staff_id, room_id)
            if participant_ids and row[10] is not None:
                busy.participant_ids.add(row[10])
        sessions = list(by_id.values())
    ctx = _Context(program=program, sessions=sessions)
    ctx.index()
    ctx.staff_ids = set(staff_ids) | {b.staff_id for b in sessions}
    ctx.participant_ids = set(participant_ids)
    if room_ids:
        ctx.rooms = {
            r.pk: r for r in Room.objects.filter(pk__in=room_ids).order_by().only("id", "name", "capacity")
        }
    if participant_ids:
        # Declared weekly hours come from whoever registered them (the planner): core/registry.py.
        for busy_hours in registry.PARTICIPANT_BUSY_HOURS:
            for pid, weekday, start, end, kind in busy_hours(participant_ids):
                ctx.blocks[pid].append((weekday, start, end, kind))
    if staff_ids:
        for working_hours in registry.STAFF_WORKING_HOURS:
            for staff_id, weekday, start, end, _kind in working_hours(program, staff_ids):
                ctx.hours[staff_id].append((weekday, start, end))
    ctx.closed = closed_days(program, _local(first, tz).date(), _local(last, tz).date())
    return ctx
