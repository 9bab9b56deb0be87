"""The weekly hours ledger: attended minutes per participant per ISO week against their floor.

The floor for a participant-week comes from, in this order:
  1. a step-down exception the director granted for that week (marked "excepted");
  2. a planned floor from another app — any app may define `hours_plans.py` with
     `planned_floors(participant_ids: list, week_start: date) -> dict[participant_id, PlannedFloor]`
     (aftercare's step-down taper does); the ledger shows its label, a plan rather than a shortfall;
  3. the level of care in effect on the week's Monday (2.1: 9 h adults, 6 h adolescents).
A participant is an adolescent when under 18 on the week's Monday or a member of a series on an
adolescent track that week. A program closure in the week (a holiday) lowers a level's floor by the
group hours it took from the participant: a planned shortfall, not a failure.

Only qualifying minutes count (bridge/scheduling/qualifying.py: per session type, payer and
modality): `qualifying_minutes` against the floor, `total_minutes` all attended, `not_counted` the
services that did not count with the reason. The payer's day rule (e.g. H0015: ≥ 3 h on ≥ 3 days)
uses billable IOP minutes only; for Medicare the ledger also counts services a day. A 2.1
participant at 20 h or more in a week is flagged (`over_intensity`).

`hours_for(participant, week_start)` is the one-participant form other apps use (the chart, the
discharge summary); `week_ledger(program, week_start)` is the program page's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from bridge.core.contracts import PlannedFloors
from bridge.core.registry import discover
from bridge.core.weeks import monday_of
from bridge.participants.models import EpisodeOfCare, LevelOfCareChange, Participant
from bridge.programs.models import Track
from bridge.scheduling import hours, qualifying
from bridge.scheduling.closures import closed_days
from bridge.scheduling.models import (
    Attendance,
    PayerRule,
    SeriesMembership,
    Session,
    StepDownException,
)


@dataclass(frozen=True)
class PlannedFloor:
    """A floor another app plans for one participant-week, e.g. a step-down taper.

    `minutes` replaces the level's floor for that week; `label` says why, on screens and in
    exports (e.g. "Step-down taper week 2: 6 h").
    """

    minutes: int
    label: str


class FloorSource:
    LEVEL = "level"
    EXCEPTION = "exception"
    PLANNED = "planned"
    CLOSURE = "closure"  # the level's floor, less the group hours a program closure took
    NONE = "none"


@dataclass
class HoursLine:
    """One participant's week: attended minutes, the floor that applies and why, the payer's rule."""

    participant_id: uuid.UUID
    week_start: date
    attended_minutes: int  # the qualifying minutes (what counts toward the floor)
    floor_minutes: int | None
    label: str
    source: str = FloorSource.LEVEL
    minutes_by_day: dict[date, int] = field(default_factory=dict)
    adolescent: bool = False
    level: str = ""
    partial_week: bool = False  # admitted or discharged during the week: the floor is shown, not enforced
    in_progress: bool = False  # the week has not ended: still-scheduled minutes count towards the projection
    scheduled_minutes: int = 0  # minutes of sessions still ahead this week with the participant on the roster
    payer: PayerRule | None = None
    participant: Participant | None = None
    exception: StepDownException | None = None
    total_minutes: int = 0  # every attended minute, qualifying or not
    not_counted: list = field(default_factory=list)  # qualifying.Service rows, each with its reason
    billable_by_day: dict[date, int] = field(default_factory=dict)
    services_per_day: dict[date, int] = field(default_factory=dict)
    closures: dict[date, str] = field(default_factory=dict)  # closed days of the week

    @property
    def qualifying_minutes(self) -> int:
        return self.attended_minutes

    @property
    def qualifying_label(self) -> str:
        return hours.format_minutes(self.attended_minutes)

    @property
    def total_label(self) -> str:
        return hours.format_minutes(self.total_minutes)

    @property
    def medicare(self) -> bool:
        return self.payer is not None and self.payer.kind == PayerRule.Kind.MEDICARE

    @property
    def medicare_days(self) -> list[tuple[date, int, str]]:
        """(day, billable services, per-diem tier) for each day with any service."""
        return [(day, n, qualifying.medicare_tier(n)) for day, n in sorted(self.services_per_day.items())]

    @property
    def over_intensity(self) -> bool:
        """A level 2.1 week at 20 h or more (counting what is still scheduled): that is level 2.5."""
        return self.level == "2.1" and self.attended_minutes + self.scheduled_minutes >= hours.PHP_FLOOR

    @property
    def shortfall_minutes(self) -> int:
        """Minutes missing to the floor; during the week, counting the sessions still scheduled."""
        return hours.shortfall(self.attended_minutes + self.scheduled_minutes, self.floor_minutes)

    @property
    def below_floor(self) -> bool:
        return self.shortfall_minutes > 0 and not self.partial_week

    @property
    def excepted(self) -> bool:
        return self.source == FloorSource.EXCEPTION

    @property
    def planned(self) -> bool:
        return self.source in (FloorSource.PLANNED, FloorSource.CLOSURE)

    @property
    def qualifying_days(self) -> int | None:
        if self.payer is None:
            return None
        return hours.qualifying_days(self.billable_by_day, self.payer.min_minutes_per_day)

    @property
    def payer_rule_met(self) -> bool | None:
        if self.payer is None:
            return None
        return hours.day_rule_met(
            self.billable_by_day, hours.DayRule(self.payer.min_minutes_per_day, self.payer.min_days)
        )

    @property
    def attended_label(self) -> str:
        return hours.format_minutes(self.attended_minutes)

    @property
    def scheduled_label(self) -> str:
        return hours.format_minutes(self.scheduled_minutes)

    @property
    def floor_label(self) -> str:
        return hours.format_minutes(self.floor_minutes)

    @property
    def shortfall_label(self) -> str:
        return hours.format_minutes(self.shortfall_minutes)


def plan_providers() -> tuple[PlannedFloors, ...]:
    """Every app's `hours_plans.planned_floors` (tests replace this to register a fake provider)."""
    return discover("hours_plans", "planned_floors")


def planned_floors(participant_ids: list, week_start: date) -> dict:
    """The planned floors all providers return for these participants and week (later apps win)."""
    merged: dict = {}
    if not participant_ids:
        return merged
    for provider in plan_providers():
        for pid, planned in (provider(list(participant_ids), week_start) or {}).items():
            if not isinstance(planned, PlannedFloor):
                raise TypeError(f"{provider.__module__}.planned_floors must return PlannedFloor values")
            merged[pid] = planned
    return merged


def week_range(week_start: date, tz) -> tuple[datetime, datetime]:
    return (
        datetime.combine(week_start, time(0), tzinfo=tz),
        datetime.combine(week_start + timedelta(days=7), time(0), tzinfo=tz),
    )


def _qualifying(program, payers: dict, week_start: date) -> dict:
    """participant id -> qualifying.Qualifying for the week's attended, non-cancelled sessions."""
    start, end = week_range(week_start, program.tz)
    return qualifying.evaluate(program, qualifying.attended_rows(list(payers), start, end), payers)


def _scheduled_ahead(program, payers: dict, week_start: date) -> dict:
    """participant id -> qualifying minutes of this week's sessions that have not started, with
    them on the roster (as if attended in full)."""
    _, end = week_range(week_start, program.tz)
    now = timezone.now()
    if now >= end:
        return {}
    rows = []
    for row in (
        Attendance.objects.filter(
            participant_id__in=list(payers),
            session__starts_at__gte=now,
            session__starts_at__lt=end,
            status=Attendance.Status.EXPECTED,
        )
        .exclude(session__status=Session.Status.CANCELLED)
        .values(*qualifying.ROW_FIELDS, "session__ends_at")
    ):
        row["minutes"] = int((row["session__ends_at"] - row["session__starts_at"]) / timedelta(minutes=1))
        rows.append(row)
    return {pid: q.qualifying_minutes for pid, q in qualifying.evaluate(program, rows, payers).items()}


def _closure_minutes(program, participant_ids: Iterable, week_start: date, closed: dict) -> dict:
    """participant id -> minutes of their groups' track times that fell on closed days this week."""
    if not closed:
        return {}
    lost: dict = {}
    for m in SeriesMembership.objects.filter(
        participant_id__in=list(participant_ids), joined_on__isnull=False
    ).select_related("series__track"):
        track = m.series.track
        for day in closed:
            if (
                day.weekday() in track.weekdays
                and m.joined_on <= day
                and (m.left_on is None or day < m.left_on)
                and m.series.starts_on <= day
                and (m.series.ends_on is None or day <= m.series.ends_on)
            ):
                span = datetime.combine(day, track.end_time) - datetime.combine(day, track.start_time)
                lost[m.participant_id] = lost.get(m.participant_id, 0) + int(span / timedelta(minutes=1))
    return lost


def _adolescent_track_members(participant_ids: Iterable, week_start: date) -> set:
    week_end = week_start + timedelta(days=6)
    return set(
        SeriesMembership.objects.filter(
            participant_id__in=list(participant_ids),
            series__track__age_group=Track.AgeGroup.ADOLESCENT,
            joined_on__isnull=False,
            joined_on__lte=week_end,
        )
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=week_start))
        .values_list("participant_id", flat=True)
    )


def _lines(program, episodes: list[EpisodeOfCare], week_start: date) -> list[HoursLine]:
    ids = [e.participant_id for e in episodes]
    week_end = week_start + timedelta(days=6)
    payers = {e.participant_id: getattr(getattr(e, "payer", None), "rule", None) for e in episodes}
    attended = _qualifying(program, payers, week_start)
    closed = closed_days(program, week_start, week_end)
    lost = _closure_minutes(program, ids, week_start, closed)
    adolescent_track = _adolescent_track_members(ids, week_start)
    exceptions = {}
    for exc in StepDownException.objects.filter(
        participant_id__in=ids, first_week__lte=week_start, first_week__gte=week_start - timedelta(weeks=1)
    ).order_by("granted_at"):
        if exc.covers(week_start):
            exceptions[exc.participant_id] = exc  # the latest grant wins
    planned = planned_floors(ids, week_start)
    start, end = week_range(week_start, program.tz)
    in_progress = start <= timezone.now() < end
    ahead = _scheduled_ahead(program, payers, week_start) if in_progress else {}
    lines = []
    for episode in episodes:
        p = episode.participant
        level = episode.level_on(week_start)
        adolescent = p.age_on(week_start) < hours.ADOLESCENT_BELOW_AGE or p.pk in adolescent_track
        q = attended.get(p.pk) or qualifying.Qualifying()
        line = HoursLine(
            participant_id=p.pk,
            week_start=week_start,
            attended_minutes=q.qualifying_minutes,
            total_minutes=q.total_minutes,
            not_counted=q.not_counted,
            billable_by_day=q.billable_by_day,
            services_per_day=q.services_per_day,
            closures=closed,
            floor_minutes=None,
            label="",
            minutes_by_day=q.qualifying_by_day,
            adolescent=adolescent,
            level=level,
            partial_week=episode.admitted_on > week_start
            or (episode.discharged_on is not None and episode.discharged_on < week_end),
            payer=getattr(getattr(episode, "payer", None), "rule", None),
            participant=p,
            in_progress=in_progress,
            scheduled_minutes=ahead.get(p.pk, 0),
        )
        if p.pk in exceptions:
            exc = exceptions[p.pk]
            line.floor_minutes, line.source, line.exception = exc.floor_minutes, FloorSource.EXCEPTION, exc
            line.label = f"Step-down exception until {exc.last_week + timedelta(days=6):%b %-d}: " + (
                hours.format_minutes(exc.floor_minutes)
            )
        elif p.pk in planned:
            line.floor_minutes, line.source = planned[p.pk].minutes, FloorSource.PLANNED
            line.label = planned[p.pk].label
        else:
            floor = hours.level_floor(level, adolescent=adolescent)
            line.floor_minutes = floor
            if floor is None:
                line.source, line.label = FloorSource.NONE, f"Level {level}: no weekly floor"
            else:
                who = "adolescent" if adolescent else "adult"
                line.label = f"Level {level} {who}: {hours.format_minutes(floor)}"
                if lost.get(p.pk):
                    line.floor_minutes = max(0, floor - lost[p.pk])
                    line.source = FloorSource.CLOSURE
                    days = ", ".join(f"{d:%a %b %-d} ({name})" for d, name in closed.items())
                    line.label += (
                        f", less {hours.format_minutes(lost[p.pk])} closed {days}: "
                        f"{hours.format_minutes(line.floor_minutes)} planned"
                    )
        lines.append(line)
    return lines


def _episodes(program, week_start: date):
    week_end = week_start + timedelta(days=6)
    return (
        EpisodeOfCare.objects.filter(program=program, admitted_on__lte=week_end)
        .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gte=week_start))
        .select_related("participant", "payer__rule")
        .prefetch_related(Prefetch("level_changes", queryset=LevelOfCareChange.objects.all()))
    )


def week_ledger(program, week_start: date, participants=None) -> list[HoursLine]:
    """Every participant in care during the week (optionally limited to `participants`), by name."""
    episodes = _episodes(program, week_start)
    if participants is not None:
        episodes = episodes.filter(participant__in=participants)
    chosen: dict = {}
    for episode in episodes.order_by("participant_id", "-admitted_on"):
        chosen.setdefault(episode.participant_id, episode)  # the latest stay that touches the week
    lines = _lines(program, list(chosen.values()), week_start)
    names = {pid: (e.participant.last_name, e.participant.first_name) for pid, e in chosen.items()}
    return sorted(lines, key=lambda line: names[line.participant_id])


def hours_for(participant: Participant, week_start: date) -> HoursLine:
    """One participant's week, for other apps (the chart, the discharge summary).

    Has `attended_minutes`, `floor_minutes` (None when no floor applies or the participant was
    not in care that week) and `label`.
    """
    week_start = monday_of(week_start)
    lines = week_ledger(participant.program, week_start, participants=[participant])
    if lines:
        return lines[0]
    q = (
        _qualifying(participant.program, {participant.pk: None}, week_start).get(participant.pk)
        or qualifying.Qualifying()
    )
    return HoursLine(
        participant_id=participant.pk,
        week_start=week_start,
        attended_minutes=q.qualifying_minutes,
        total_minutes=q.total_minutes,
        not_counted=q.not_counted,
        billable_by_day=q.billable_by_day,
        services_per_day=q.services_per_day,
        floor_minutes=None,
        label="Not in care this week",
        source=FloorSource.NONE,
        minutes_by_day=q.qualifying_by_day,
        participant=participant,
    )
