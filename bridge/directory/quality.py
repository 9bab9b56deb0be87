"""Quality signals of a program on Bridge, measured from its own records, with sample size and period.

Each signal is a `Measure`: a key, a label, a plain-words method, and a function from a
`MeasureContext` (program and day) to a `measures.Figure`. This module defines the ones Bridge can
measure today and placeholders ("not measured yet") for those whose source another part of Bridge
will record. That part plugs its figure in by defining, in its own app, `quality.py` with a
function `measures()` returning Measures with the same key (e.g. "moud_180" from MAT orders and
diagnoses, "followup_7d" from post-discharge check-ins, "completion" from discharge types); each
replaces this module's. Apps are read in INSTALLED_APPS order, so a later app wins. Small cells
are suppressed by `measures.share` and by the people count of the hours measure.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from bridge.core import measures as m
from bridge.core.measures import FOLLOWUP_METHOD, LABELS, MOUD_METHOD, YEAR, Figure, Measure
from bridge.core.registry import app_modules
from bridge.participants.models import EpisodeOfCare, Participant
from bridge.programs.models import Program
from bridge.scheduling.models import Attendance

HOURS_WEEKS = 12


RETENTION_METHOD = (
    "Everyone who started the program in the 12 months shown (so that each of them has had {days} "
    "days since), counted as still in the program if they had not been discharged {days} days after "
    "they started."
)
COMPLETION_METHOD = (
    "Everyone discharged in the last 12 months, counted as finishing if they went on to the alumni "
    "program. Until Bridge records how each stay ended, this is how finishing is told apart from "
    "leaving early."
)
HOURS_METHOD = (
    f"For the last {HOURS_WEEKS} full weeks (Monday to Sunday, in the program's time zone): every week "
    "in which a person was in the program the whole week, the hours they attended (minutes recorded at "
    "each session) against the minimum for their level of care: 9 hours for adults and 6 for "
    "adolescents in intensive outpatient, 20 in partial hospitalization. Shown as the middle value "
    "(median) across those weeks."
)


@dataclass
class MeasureContext:
    """What a measure needs: the program, the day measured, and the episodes, loaded once."""

    program: Program
    today: date
    _episodes: list[EpisodeOfCare] | None = field(default=None, repr=False)

    def episodes(self) -> list[EpisodeOfCare]:
        """Episodes admitted in the last 455 days, discharged in the last year, or still open."""
        if self._episodes is None:
            lookback = self.today - YEAR - timedelta(days=90)
            self._episodes = list(
                EpisodeOfCare.objects.filter(program=self.program, admitted_on__lte=self.today)
                .filter(
                    Q(admitted_on__gte=lookback)
                    | Q(discharged_on__gte=self.today - YEAR)
                    | Q(discharged_on__isnull=True)
                )
                .select_related("participant")
                .prefetch_related("level_changes")
                .only(
                    "id",
                    "participant_id",
                    "admitted_on",
                    "discharged_on",
                    "status",
                    "level_of_care",
                    "participant__status",
                    "participant__date_of_birth",
                )
            )
        return self._episodes


def _retention(days: int) -> Callable[[m.MeasureContext], Figure]:
    def compute(ctx: m.MeasureContext) -> Figure:
        end = ctx.today - timedelta(days=days)
        start = end - YEAR
        cohort = [e for e in ctx.episodes() if start <= e.admitted_on <= end]
        stay = timedelta(days=days)
        retained = sum(
            1 for e in cohort if e.discharged_on is None or e.discharged_on >= e.admitted_on + stay
        )
        return m.share(
            key=f"retention_{days}",
            label=LABELS[f"retention_{days}"],
            method=RETENTION_METHOD.format(days=days),
            numerator=retained,
            denominator=len(cohort),
            counted="people who started",
            period=(start, end),
        )

    return compute


def _completion(ctx: m.MeasureContext) -> Figure:
    start, end = ctx.today - YEAR, ctx.today
    ended = [e for e in ctx.episodes() if e.discharged_on is not None and start <= e.discharged_on <= end]
    completed = sum(1 for e in ended if e.participant.status == Participant.Status.ALUMNI)
    return m.share(
        key="completion",
        label=LABELS["completion"],
        method=COMPLETION_METHOD,
        numerator=completed,
        denominator=len(ended),
        counted="people who left the program",
        period=(start, end),
    )


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _weekly_hours(ctx: m.MeasureContext) -> Figure:
    program, today = ctx.program, ctx.today
    this_monday = today - timedelta(days=today.weekday())
    weeks = [this_monday - timedelta(weeks=k) for k in range(HOURS_WEEKS, 0, -1)]
    first, last = weeks[0], this_monday - timedelta(days=1)
    tz = program.tz
    window_start = timezone.make_aware(datetime.combine(weeks[0], time.min), tz)
    window_end = timezone.make_aware(datetime.combine(this_monday, time.min), tz)
    key, label = "weekly_hours", LABELS["weekly_hours"]

    in_window = Attendance.objects.filter(
        session__program=program, session__starts_at__gte=window_start, session__starts_at__lt=window_end
    )
    if not in_window.exclude(status=Attendance.Status.EXPECTED).exists():
        why = "No attendance was recorded in Bridge in these weeks."
        return Figure(
            key, label, m.Status.NO_DATA, HOURS_METHOD, detail=why, period_start=first, period_end=last
        )

    # Person-weeks that count: in an episode the whole week, at a level with a weekly minimum.
    required: dict[tuple, float] = {}
    for episode in ctx.episodes():
        birth = episode.participant.date_of_birth
        for week in weeks:
            gone = episode.discharged_on is not None and episode.discharged_on < week + timedelta(days=6)
            if episode.admitted_on > week or gone:
                continue
            floor = m.weekly_floor(episode.level_on(week), _age_on(birth, week) < 18)
            if floor is not None:
                required[(episode.participant_id, week)] = floor
    people = {pid for pid, _ in required}
    if not people:
        return Figure(key, label, m.Status.NO_DATA, HOURS_METHOD, period_start=first, period_end=last)
    if len(people) < m.SMALL_CELL:
        why = f"Fewer than {m.SMALL_CELL} people in a group, so not shown."
        return Figure(
            key, label, m.Status.SUPPRESSED, HOURS_METHOD, detail=why, period_start=first, period_end=last
        )

    delivered: dict[tuple, float] = defaultdict(float)
    attended = in_window.filter(status__in=Attendance.ATTENDED, participant_id__in=people)
    unrecorded = False
    for row in (
        attended.annotate(week=TruncWeek("session__starts_at", tzinfo=tz))
        .values("participant_id", "week")
        .annotate(total=Sum("minutes"), unrecorded=Count("id", filter=Q(minutes__isnull=True)))
    ):
        week = timezone.localtime(row["week"], tz).date()
        delivered[(row["participant_id"], week)] += (row["total"] or 0) / 60
        unrecorded = unrecorded or bool(row["unrecorded"])
    if unrecorded:
        # Marked present but no minutes written down: count the session's scheduled length.
        for pid, starts, ends in attended.filter(minutes__isnull=True).values_list(
            "participant_id", "session__starts_at", "session__ends_at"
        ):
            local = timezone.localtime(starts, tz).date()
            delivered[(pid, local - timedelta(days=local.weekday()))] += (
                ends - starts
            ).total_seconds() / 3600

    hours = [delivered.get(k, 0.0) for k in required]
    floors = list(required.values())
    met = sum(1 for k, floor in required.items() if delivered.get(k, 0.0) >= floor)
    return Figure(
        key,
        label,
        m.Status.SHOWN,
        HOURS_METHOD,
        value=f"{m.hours_text(m.median(hours))} a week (required: {m.hours_text(m.median(floors))})",
        detail=f"The weekly minimum was met in {m.percent(met, len(required))} of {len(required)} "
        "person-weeks.",
        sample=len(people),
        period_start=first,
        period_end=last,
    )


def _not_yet(key: str, method: str, why: str) -> Callable[[m.MeasureContext], Figure]:
    def compute(ctx: m.MeasureContext) -> Figure:
        return m.not_measured(key, LABELS[key], method, f"Not measured yet: {why}")

    return compute


def measures() -> list[Measure]:
    """The signals this app measures, and the placeholders other apps replace."""
    return [
        Measure("retention_30", LABELS["retention_30"], RETENTION_METHOD.format(days=30), _retention(30), 10),
        Measure("retention_90", LABELS["retention_90"], RETENTION_METHOD.format(days=90), _retention(90), 20),
        Measure("completion", LABELS["completion"], COMPLETION_METHOD, _completion, 30),
        Measure("weekly_hours", LABELS["weekly_hours"], HOURS_METHOD, _weekly_hours, 40),
        Measure(
            "moud_180",
            LABELS["moud_180"],
            MOUD_METHOD,
            _not_yet("moud_180", MOUD_METHOD, "Bridge does not record diagnoses and medication orders yet."),
            50,
        ),
        Measure(
            "followup_7d",
            LABELS["followup_7d"],
            FOLLOWUP_METHOD,
            _not_yet("followup_7d", FOLLOWUP_METHOD, "Bridge does not record check-ins after discharge yet."),
            60,
        ),
    ]


@functools.cache
def registered_measures() -> tuple[Measure, ...]:
    """This module's measures, each replaced by any app's `quality.measures()` with the same key."""
    found: dict[str, Measure] = {x.key: x for x in measures()}
    for config, module in app_modules("quality"):
        if config.name == "bridge.directory":
            continue
        for measure in module.measures():
            found[measure.key] = measure
    return tuple(sorted(found.values(), key=lambda x: x.order))


def signals_for(program: Program, today: date | None = None) -> list[Figure]:
    ctx = MeasureContext(program, today or timezone.localdate(timezone=program.tz))
    return [measure.compute(ctx) for measure in registered_measures()]


# Public pages show a program's signals from a cache for up to this long: they cover a year, and a
# program with thousands of participants should not recount them for every visitor.
CACHE_SECONDS = 600


def public_signals_for(program: Program) -> list[Figure]:
    today = timezone.localdate(timezone=program.tz)
    key = f"directory:signals:{program.pk}:{today.isoformat()}"
    found: list[Figure] | None = cache.get(key)
    if found is None:
        found = signals_for(program, today)
        cache.set(key, found, CACHE_SECONDS)
    return found
