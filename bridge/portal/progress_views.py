"""The participant's progress (/me/progress/): this week's hours against their plan in plain words,
and their questionnaire scores over time — the same SVG geometry staff see (bridge/measures/chart.py),
with the bands said in plain words and no alert codes. Measures are shown only when the program
releases them to participants (ParticipantAppSettings.show_measures, on by default).
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import dates, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from bridge.measures import chart
from bridge.measures.queries import local_day, summary_for
from bridge.portal.access import PortalPageRequest, portal_page, portal_read
from bridge.portal.models import ParticipantAppSettings
from bridge.scheduling.models import Attendance, Session, SessionKind

# What each questionnaire asks about, and which way is better, for the person who answered it.
ABOUT = {
    "PHQ-9": gettext_lazy(
        "The PHQ-9 asks about low mood and depression over the last two weeks. Lower is better."
    ),
    "GAD-7": gettext_lazy("The GAD-7 asks about worry and anxiety over the last two weeks. Lower is better."),
    "PCL-5": gettext_lazy(
        "The PCL-5 asks how much stress from hard or frightening experiences bothered you this past month. "
        "Lower is better."
    ),
    "BAM": gettext_lazy(
        "The BAM asks about alcohol and drug use, what puts your recovery at risk, and what protects it. "
        "Lower use and risk are better; higher protection is better."
    ),
}
# Severity bands in plain words (the band codes of bridge/instruments).
BAND_WORDS = {
    "minimal": gettext_lazy("little or none"),
    "mild": gettext_lazy("mild"),
    "moderate": gettext_lazy("moderate"),
    "moderately_severe": gettext_lazy("fairly strong"),
    "severe": gettext_lazy("strong"),
    "below_cutoff": gettext_lazy("below the level your team watches for"),
    "probable_ptsd": gettext_lazy("at or above the level your team watches for"),
}
SERIES_WORDS = {
    "Use": gettext_lazy("Use"),
    "Risk": gettext_lazy("Risk"),
    "Protective": gettext_lazy("Protection"),
}
SHOWN = ("PHQ-9", "GAD-7", "PCL-5", "BAM")


def _hours(minutes: int) -> str:
    return f"{round(minutes / 60, 1):g}"


def _what_gets_there(session: Session) -> str:
    day = str(dates.WEEKDAYS[timezone.localtime(session.starts_at, session.program.tz).weekday()])
    if session.kind == SessionKind.GROUP:
        return _("%(day)s's group") % {"day": day}
    if session.kind == SessionKind.INDIVIDUAL:
        return _("%(day)s's individual session") % {"day": day}
    return _("%(day)s's session") % {"day": day}


def hours_progress(participant, now: datetime) -> dict | None:
    """This week's hours against their plan, and which session still ahead gets them there."""
    from bridge.core.weeks import monday_of, week_bounds
    from bridge.scheduling.ledger import hours_for

    tz = participant.program.tz
    today = timezone.localdate(now, tz)
    line = hours_for(participant, today)
    if not line.floor_minutes:
        return None
    done, goal = line.attended_minutes, line.floor_minutes
    _start, end = week_bounds(monday_of(today), tz)
    ahead = (
        Attendance.objects.filter(
            participant=participant,
            status=Attendance.Status.EXPECTED,
            session__status=Session.Status.SCHEDULED,
            session__starts_at__gt=now,
            session__starts_at__lt=end,
        )
        .select_related("session", "session__program")
        .order_by("session__starts_at")
    )
    sentence = ""
    if done >= goal:
        sentence = _("You have made this week's hours. Well done.")
    else:
        total = done
        for row in ahead:
            total += int((row.session.ends_at - row.session.starts_at).total_seconds() // 60)
            if total >= goal:
                sentence = _("%(session)s gets you there.") % {"session": _what_gets_there(row.session)}
                break
        if not sentence:
            sentence = _(
                "The sessions ahead this week are not enough to get there: talk with your team about "
                "making up the rest."
            )
    return {"done": _hours(done), "goal": _hours(goal), "sentence": sentence, "reached": done >= goal}


def _band_words(code) -> str:
    return str(BAND_WORDS.get(str(code), "")) if isinstance(code, str) else ""


def measure_views(participant) -> list[dict]:
    """Each questionnaire's scores over time, for the participant: chart, first and latest in words."""
    summary = summary_for(participant)
    tz = participant.program.tz
    found = []
    for trend in summary.trends:
        if trend.code not in SHOWN or not trend.rows:
            continue
        definition = trend.definition
        names: list[str] = []
        for row in trend.rows:
            values = row.total if isinstance(row.total, dict) else {"Total": row.total}
            names += [n for n in values if n not in names]
        series = [
            chart.Series(
                trend.code if n == "Total" else str(SERIES_WORDS.get(n.capitalize(), n.capitalize()))
            )
            for n in names
        ]
        table = []
        for row in trend.rows:
            values = row.total if isinstance(row.total, dict) else {"Total": row.total}
            for name, s in zip(names, series, strict=True):
                value = values.get(name)
                if isinstance(value, int):
                    s.points.append(chart.Point(local_day(row, tz), value))
            table.append(
                {
                    "day": local_day(row, tz),
                    "score": ", ".join(
                        f"{s.name} {values[n]}" for n, s in zip(names, series, strict=True) if n in values
                    )
                    if len(names) > 1
                    else values.get("Total"),
                    "band": "" if isinstance(row.band, dict) else _band_words(row.band),
                }
            )
        cutoffs = []
        if not definition.subscales and definition.total_range is not None:
            # The staff chart's own cut-offs (the program's scoring choices), named in plain words.
            bands = definition.bands(_settings(trend.rows[-1].scoring_settings or {}), None)
            cutoffs = [
                chart.Cutoff(b.minimum, _band_words(b.code) or b.label) for b in bands if b.minimum > 0
            ]
        y_max = definition.total_range[1] if definition.total_range else 24
        geometry = (
            chart.line_chart(series, y_max=y_max, cutoffs=cutoffs) if any(s.points for s in series) else None
        )
        found.append(
            {
                "code": trend.code,
                "about": ABOUT.get(trend.code, ""),
                "chart": geometry,
                "table": table,
                "first": table[0],
                "latest": table[-1],
                "several": len(table) > 1,
            }
        )
    return found


def _settings(scoring: dict):
    from bridge import instruments

    return instruments.ScoringSettings(
        **{k: v for k, v in scoring.items() if k in instruments.DEFAULT_SETTINGS.as_dict()}
    )


def plan_goals(participant) -> list:
    """The goals of their treatment plan in force (the latest signed version), in their own words,
    each with its steps: two queries."""
    from django.db.models import Prefetch

    from bridge.clinical.models import Goal, Objective, TreatmentPlan

    plan = (
        TreatmentPlan.objects.filter(participant=participant, current_version__isnull=False)
        .order_by("-created_at")
        .values_list("current_version_id", flat=True)
        .first()
    )
    if plan is None:
        return []
    steps = Prefetch("objectives", queryset=Objective.objects.order_by("position", "id"))
    return list(Goal.objects.filter(version_id=plan).order_by("position", "id").prefetch_related(steps))


@portal_page
@require_GET
def progress(request: PortalPageRequest) -> HttpResponse:
    participant = request.portal_account.participant
    now = timezone.now()
    released = ParticipantAppSettings.for_program(participant.program).show_measures
    context = {
        "hours": hours_progress(participant, now),
        "released": released,
        "measures": measure_views(participant) if released else [],
        "goals": plan_goals(participant),
    }
    portal_read(request, object_type="progress")
    return render(request, "portal/progress.html", context)
