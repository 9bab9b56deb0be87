"""Reads of measurement-based care: each in a fixed number of queries, whatever the history length."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from bridge import instruments
from bridge.intake.models import InstrumentAdministration
from bridge.measures import chart
from bridge.measures.models import MeasureLink, MeasureSchedule
from bridge.measures.schedule import SCHEDULABLE, Due, due_measures, effective_every_days
from bridge.measures.services import alert_label, safety_alerts
from bridge.participants.models import EpisodeOfCare, Participant

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Admitted(TypedDict):
    admitted_on: date


CHARTED = ("PHQ-9", "GAD-7", "BAM", "PCL-5")  # the C-SSRS has no total to chart; its table shows the bands


@dataclass
class Trend:
    """One instrument's results in the episode: chart geometry, table rows, baseline, latest, change."""

    code: str
    definition: instruments.Instrument
    rows: list[InstrumentAdministration]
    chart: dict | None
    subscales: list[dict]  # per series: name, baseline, latest, change
    reliable_change: int | None
    reliable_change_note: str


@dataclass
class MeasuresSummary:
    episode: EpisodeOfCare | None
    due: list[Due]
    alerts: list[InstrumentAdministration]
    trends: list[Trend]
    open_links: list[MeasureLink]
    program_every: dict[str, int]
    participant_every: dict[str, int]
    every_days: dict[str, int] = field(default_factory=dict)
    acknowledged: list[InstrumentAdministration] = field(default_factory=list)  # newest first

    @property
    def due_now(self) -> list[Due]:
        return [d for d in self.due if d.state != "upcoming"]


def local_day(row: InstrumentAdministration, tz) -> date:
    return timezone.localtime(row.administered_at, tz).date()


def _series_values(row: InstrumentAdministration) -> dict[str, int]:
    if isinstance(row.total, dict):
        return {k: int(v) for k, v in row.total.items()}
    if isinstance(row.total, int):
        return {"Total": row.total}
    return {}


def _cutoffs(definition: instruments.Instrument, scoring: dict) -> list[chart.Cutoff]:
    if definition.subscales or definition.total_range is None:
        return []
    settings = instruments.ScoringSettings(
        **{k: v for k, v in scoring.items() if k in instruments.DEFAULT_SETTINGS.as_dict()}
    )
    return [chart.Cutoff(b.minimum, b.label) for b in definition.bands(settings, None) if b.minimum > 0]


def trend_for(code: str, rows: list[InstrumentAdministration], tz) -> Trend:
    definition = instruments.get(code)
    names: list[str] = []
    for row in rows:
        for name in _series_values(row):
            if name not in names:
                names.append(name)
    series = [chart.Series(name.capitalize() if name != "Total" else code) for name in names]
    for row in rows:
        values = _series_values(row)
        for name, s in zip(names, series, strict=True):
            if name in values:
                note = row.band.get(name, "") if isinstance(row.band, dict) else row.band_label
                s.points.append(chart.Point(local_day(row, tz), values[name], str(note).replace("_", " ")))
    summary = []
    for s in series:
        if s.points:
            base, last = s.points[0].value, s.points[-1].value
            summary.append({"name": s.name, "baseline": base, "latest": last, "change": last - base})
    rci = chart.RELIABLE_CHANGE.get(code)
    y_max = definition.total_range[1] if definition.total_range else 24  # BAM subscales run 0-24
    geometry = None
    if code in CHARTED and any(s.points for s in series):
        geometry = chart.line_chart(
            series,
            y_max=y_max,
            cutoffs=_cutoffs(definition, rows[-1].scoring_settings if rows else {}),
            reliable_change=rci,
        )
    return Trend(
        code=code,
        definition=definition,
        rows=rows,
        chart=geometry,
        subscales=summary,
        reliable_change=rci,
        reliable_change_note="" if rci else chart.NO_RELIABLE_CHANGE.format(code=code),
    )


def schedules_for(participant: Participant) -> tuple[dict[str, int], dict[str, int]]:
    program: dict[str, int] = {}
    own: dict[str, int] = {}
    for row in MeasureSchedule.objects.filter(
        Q(program_id=participant.program_id, participant__isnull=True) | Q(participant=participant)
    ):
        (own if row.participant_id else program)[row.instrument] = row.every_days
    return program, own


def _schedule_subquery(code: str, *, own: bool):
    rows = MeasureSchedule.objects.filter(instrument=code)
    if own:
        rows = rows.filter(participant_id=OuterRef("pk"))
    else:
        rows = rows.filter(program_id=OuterRef("program_id"), participant__isnull=True)
    return Subquery(rows.values("every_days")[:1])


A = "instrument_administrations__"
ROW_FIELDS = (
    "id",
    "instrument",
    "responses",
    "sex",
    "total",
    "band",
    "alerts",
    "scoring_settings",
    "source",
    "administered_at",
    "screening_id",
    "administered_by_id",
    "entered_in_error_at",
)


def _record(participant: Participant):
    """The participant's episode, schedules and every result, in ONE query.

    The chart page has a query budget (clinical/tests/test_chart.py) that two queries would break on
    PostgreSQL, so the participant row is read with the episode and the schedule rows as scalar
    subqueries, left-joined to their results (one row per result, or one row of NULLs).
    """
    episodes = EpisodeOfCare.objects.filter(participant_id=OuterRef("pk")).order_by(
        "-status",
        "-admitted_on",  # the active one first ("active" sorts after "finished")
    )
    annotations = {
        "ep_admitted_on": Subquery(episodes.values("admitted_on")[:1]),
        "ep_status": Subquery(episodes.values("status")[:1]),
    }
    for i, code in enumerate(SCHEDULABLE):
        annotations[f"program_every_{i}"] = _schedule_subquery(code, own=False)
        annotations[f"own_every_{i}"] = _schedule_subquery(code, own=True)
    extra = (
        A + "acknowledgement__id",
        A + "acknowledgement__acknowledged_at",
        A + "acknowledgement__note",
        A + "acknowledgement__acknowledged_by__first_name",
        A + "acknowledgement__acknowledged_by__last_name",
        A + "administered_by__first_name",
        A + "administered_by__last_name",
        A + "administered_by__username",
    )
    values = list(
        Participant.objects.filter(pk=participant.pk)
        .annotate(**annotations)
        .values(*annotations, *(A + f for f in ROW_FIELDS), *extra)
        .order_by(A + "administered_at")
    )
    first = values[0] if values else {}
    episode = None
    if first.get("ep_admitted_on") is not None:
        episode = EpisodeOfCare(
            participant=participant, admitted_on=first["ep_admitted_on"], status=first["ep_status"]
        )
    program, own = {}, {}
    for i, code in enumerate(SCHEDULABLE):
        if (days := first.get(f"program_every_{i}")) is not None:
            program[code] = days
        if (days := first.get(f"own_every_{i}")) is not None:
            own[code] = days
    rows = []
    for v in values:
        if v[A + "id"] is None or v[A + "entered_in_error_at"] is not None:
            continue
        row = InstrumentAdministration(participant=participant, **{f: v[A + f] for f in ROW_FIELDS})
        row._state.adding = False
        row.acknowledged = None  # type: ignore[attr-defined]
        if v[A + "acknowledgement__id"] is not None:
            by = " ".join(
                n
                for n in (
                    v[A + "acknowledgement__acknowledged_by__first_name"],
                    v[A + "acknowledgement__acknowledged_by__last_name"],
                )
                if n
            )
            row.acknowledged = {  # type: ignore[attr-defined]
                "at": v[A + "acknowledgement__acknowledged_at"],
                "by": by,
                "note": v[A + "acknowledgement__note"],
            }
        name = f"{v[A + 'administered_by__first_name'] or ''} {v[A + 'administered_by__last_name'] or ''}"
        row.given_by = (  # type: ignore[attr-defined]
            name.strip() or v[A + "administered_by__username"]
            if row.administered_by_id
            else "Self-check"
            if row.screening_id
            else "Participant (private link)"
        )
        rows.append(row)
    return episode, program, own, rows


def open_alerts(participant: Participant) -> list[InstrumentAdministration]:
    """The participant's safety alerts not yet acknowledged, newest first (the same as
    `summary_for(...).alerts`), for the first paint of the participant page: one small query (the
    results not acknowledged and not entered in error; which of them alert is read from each row)."""
    rows = list(
        InstrumentAdministration.objects.filter(
            participant=participant, entered_in_error_at__isnull=True, acknowledgement__isnull=True
        )
        .only(*ROW_FIELDS)
        .order_by("-administered_at")
    )
    return _flagged(rows)


def _flagged(rows: list[InstrumentAdministration]) -> list[InstrumentAdministration]:
    """Results with a safety alert, oldest first, each labelled (`alert_labels`) for the page."""
    flagged = [r for r in rows if safety_alerts(r)]
    for r in flagged:
        r.alert_labels = [alert_label(a) for a in safety_alerts(r)]  # type: ignore[attr-defined]
    return flagged


def summary_for(
    participant: Participant, today: date | None = None, *, links: bool = False
) -> MeasuresSummary:
    """Due measures, unacknowledged safety alerts and trends in one query (two with open links)."""
    today = today or timezone.localdate()
    tz = participant.program.tz
    episode, program_every, own_every, rows = _record(participant)
    every = effective_every_days(program_every, own_every)
    open_links = (
        list(
            MeasureLink.objects.filter(
                participant=participant,
                completed_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            ).select_related("created_by")
        )
        if links
        else []
    )
    flagged = _flagged(rows)
    alerts = [r for r in reversed(flagged) if not r.acknowledged]  # type: ignore[attr-defined]
    acknowledged = [r for r in reversed(flagged) if r.acknowledged]  # type: ignore[attr-defined]
    # The episode's series starts at admission: its first result is the baseline, and the baseline is
    # due on the day of admission (intake's screening results stay in the intake section).
    start = episode.admitted_on if episode else date.min
    by_code: dict[str, list[InstrumentAdministration]] = {}
    last_given: dict[str, date] = {}
    for r in rows:
        day = local_day(r, tz)
        if r.instrument in SCHEDULABLE and day >= start:
            last_given[r.instrument] = day
            by_code.setdefault(r.instrument, []).append(r)
    active = episode is not None and episode.status == EpisodeOfCare.Status.ACTIVE
    due = due_measures(every, last_given, episode.admitted_on, today) if active and episode else []
    trends = [trend_for(code, by_code[code], tz) for code in SCHEDULABLE if code in by_code]
    return MeasuresSummary(
        episode=episode,
        due=due,
        alerts=alerts,
        acknowledged=acknowledged,
        trends=trends,
        open_links=open_links,
        program_every=program_every,
        participant_every=own_every,
        every_days=every,
    )


@dataclass
class CaseloadRow:
    participant: Participant
    due: list[Due]
    alerts: int


def caseload_due(user, today: date | None = None, limit: int = 50) -> list[CaseloadRow]:
    """My care-team participants in an active episode with measures due or overdue, or open safety alerts.

    Four queries for the whole caseload: participants with their admission date, last administration
    per participant and instrument, schedules, and unacknowledged alert candidates.
    """
    from bridge.participants.access import visible

    today = today or timezone.localdate()
    people = in_active_episode(
        visible(Participant.objects.all(), user).filter(
            care_team__staff=user, care_team__ended_at__isnull=True
        ),
        limit=500,
    )
    if not people:
        return []
    ids = [p.pk for p in people]
    due_of = measures_due_for(people, today)
    alert_count: dict = {}
    for r in InstrumentAdministration.objects.filter(
        participant_id__in=ids,
        entered_in_error_at__isnull=True,
        instrument__in=["PHQ-9", "C-SSRS-Screener"],
        acknowledgement__isnull=True,
    ).only("participant_id", "alerts"):
        if safety_alerts(r):
            alert_count[r.participant_id] = alert_count.get(r.participant_id, 0) + 1
    found = []
    for p in people:
        due = due_of.get(p.pk, [])
        if due or alert_count.get(p.pk):
            found.append(CaseloadRow(p, due, alert_count.get(p.pk, 0)))
    found.sort(key=lambda r: (-r.alerts, -max((d.days_late for d in r.due), default=0)))
    return found[:limit]


def in_active_episode(
    people: QuerySet[Participant], *, limit: int | None = None
) -> list[WithAnnotations[Participant, _Admitted]]:
    """Those of `people` in an active episode, with the day it began (what measures_due_for reads),
    by name."""
    ordered = (
        people.filter(episodes__status=EpisodeOfCare.Status.ACTIVE)
        .annotate(admitted_on=Max("episodes__admitted_on", filter=Q(episodes__status="active")))
        .select_related("program")
        .order_by("last_name", "first_name")
    )
    return list(ordered[:limit] if limit is not None else ordered)


def measures_due_for(people: Sequence[WithAnnotations[Participant, _Admitted]], today: date) -> dict:
    """participant id -> measures due or overdue today, for participants annotated with
    `admitted_on` (their active episode's admission) and with `program` loaded. Three queries."""
    ids = [p.pk for p in people]
    if not ids:
        return {}
    last: dict = {}
    for row in (
        InstrumentAdministration.objects.filter(
            participant_id__in=ids, entered_in_error_at__isnull=True, instrument__in=SCHEDULABLE
        )
        .values("participant_id", "instrument")
        .annotate(last=Max("administered_at"))
    ):
        last.setdefault(row["participant_id"], {})[row["instrument"]] = row["last"]
    program_rows: dict = {}
    own_rows: dict = {}
    for s in MeasureSchedule.objects.filter(
        Q(program_id__in={p.program_id for p in people}, participant__isnull=True) | Q(participant_id__in=ids)
    ):
        if s.participant_id:
            own_rows.setdefault(s.participant_id, {})[s.instrument] = s.every_days
        else:
            program_rows.setdefault(s.program_id, {})[s.instrument] = s.every_days
    found = {}
    for p in people:
        every = effective_every_days(program_rows.get(p.program_id, {}), own_rows.get(p.pk))
        given = {}
        for code, at in last.get(p.pk, {}).items():
            day = timezone.localtime(at, p.program.tz).date()
            if day >= p.admitted_on:  # only this episode's results count (see summary_for)
                given[code] = day
        due = [d for d in due_measures(every, given, p.admitted_on, today) if d.state != "upcoming"]
        if due:
            found[p.pk] = due
    return found
