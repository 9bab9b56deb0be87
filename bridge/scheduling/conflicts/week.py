"""A week's (or a day's) conflicts: the same rules applied to sessions already on the calendar."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast

from django.db.models import Q

from bridge.scheduling.conflicts.kinds import LONGEST, Conflict, Slot
from bridge.scheduling.conflicts.load import _Busy, _load
from bridge.scheduling.conflicts.rules import _slot_conflicts
from bridge.scheduling.models import Attendance, ConflictAcceptance, GroupSeries, SeriesMembership, Session


@dataclass(frozen=True)
class WeekConflict:
    """A conflict of one session of the week; `accepted` is the recorded confirmation, if any."""

    session: Session
    conflict: Conflict
    accepted: ConflictAcceptance | None = None

    @property
    def open(self) -> bool:
        return self.accepted is None


SESSION_FIELDS = (
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


def _sessions(queryset) -> list[Session]:
    return list(
        queryset.exclude(status=Session.Status.CANCELLED)
        .select_related("session_type", "series")
        .only(*SESSION_FIELDS)
        .order_by("starts_at", "pk")
    )


def week_conflicts(program, week_start: date, *, day: date | None = None) -> list[WeekConflict]:
    """Every conflict of the program's sessions in the ISO week from `week_start` (or one `day`),
    in time order; a conflict between two sessions is listed once, under the earlier one."""
    tz = program.tz
    first_day, days = (day, 1) if day else (week_start, 7)
    first = datetime.combine(first_day, time(0), tzinfo=tz)
    last = datetime.combine(first_day + timedelta(days=days), time(0), tzinfo=tz)
    rows = _sessions(
        Session.objects.filter(
            program=program, starts_at__lt=last, starts_at__gt=first - LONGEST, ends_at__gt=first
        )
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
            cast(GroupSeries, s.series).name if s.series_id else s.display_title,
            s.staff_id,
            s.room_id,
            set(roster[s.pk]),
        )
        for s in rows
    ]
    ctx = _load(
        program,
        first,
        last,
        staff_ids={s.staff_id for s in rows},
        room_ids={s.room_id for s in rows if s.room_id},
        participant_ids={pid for ids in roster.values() for pid in ids},
        ignore=set(),
        sessions=busy,
    )
    accepted = _acceptances(
        program,
        Q(session__program=program, session__starts_at__lt=last, session__starts_at__gt=first - LONGEST),
        {s.series_id for s in rows if s.series_id},
    )
    return _findings(rows, roster, ctx, accepted)


def session_conflicts(program, sessions: Iterable[Session]) -> list[WeekConflict]:
    """The conflicts of just these sessions (what a page shows: one staff member's, one room's or one
    participant's week, or one session), against everything that touches their people and rooms —
    the same rules and the same answer for them as `week_conflicts`, without checking the rest of
    the program. A fixed number of queries."""
    ids = [s.pk for s in sessions]
    if not ids:
        return []
    rows = _sessions(Session.objects.filter(pk__in=ids))
    if not rows:
        return []
    roster: dict = defaultdict(set)
    for sid, pid in Attendance.objects.filter(session_id__in=[s.pk for s in rows]).values_list(
        "session_id", "participant_id"
    ):
        roster[sid].add(pid)
    ctx = _load(
        program,
        min(s.starts_at for s in rows),
        max(s.ends_at for s in rows),
        staff_ids={s.staff_id for s in rows},
        room_ids={s.room_id for s in rows if s.room_id},
        participant_ids={pid for ids in roster.values() for pid in ids},
        ignore=set(),
    )
    accepted = _acceptances(
        program, Q(session_id__in=[s.pk for s in rows]), {s.series_id for s in rows if s.series_id}
    )
    return _findings(rows, roster, ctx, accepted)


def _acceptances(program, sessions_q: Q, series_ids: set) -> dict:
    """Recorded confirmations of soft conflicts: per session, and per series membership."""
    accepted: dict = {}
    for a in ConflictAcceptance.objects.filter(
        sessions_q | Q(membership__series_id__in=series_ids)
    ).select_related("membership", "accepted_by"):
        if a.session_id:
            accepted[(a.session_id, a.kind, a.participant_id)] = a
        else:
            accepted[("series", cast(SeriesMembership, a.membership).series_id, a.kind, a.participant_id)] = a
    return accepted


def _findings(rows: list[Session], roster: dict, ctx, accepted: dict) -> list[WeekConflict]:
    found: list[WeekConflict] = []
    pairs: set = set()
    for s in rows:
        slot = Slot(
            s.starts_at,
            s.ends_at,
            s.display_title,
            staff_id=s.staff_id,
            room_id=s.room_id,
            participant_ids=tuple(sorted(roster[s.pk])),  # UUIDs sort as their text does
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
                ("series", s.series_id, c.kind, c.participant_id)
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
