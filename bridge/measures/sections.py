"""The chart: unacknowledged safety alerts on top, and a "Measures" section with due measures and trends.

Shown to viewers with Cap.CHART once the participant is admitted. Each panel is one query whatever
the history length: the alerts (queries.open_alerts) in the page's first paint, the measures
(queries.summary_for) after it.
"""

from __future__ import annotations

from django.urls import reverse

from bridge.core.panels import Link, Panel
from bridge.measures import queries
from bridge.participants.access import Cap
from bridge.participants.models import Participant

S = Participant.Status
BEFORE_ADMISSION = {S.PROSPECT, S.SCREENING, S.REFERRED}


def _caps(request) -> frozenset:
    return getattr(request, "participant_caps", frozenset())


def participant_sections(request, participant) -> list[Panel]:
    caps = _caps(request)
    if Cap.CHART not in caps or participant.status in BEFORE_ADMISSION:
        return []
    flags = {c.value: c in caps for c in Cap}

    def measures() -> dict:
        return {"m": queries.summary_for(participant), "participant": participant, "caps": flags}

    def alerts() -> dict:
        return {"m": {"alerts": queries.open_alerts(participant)}, "participant": participant, "caps": flags}

    return [
        # The trends' charts are below the participant's details: they load after the first paint.
        Panel(
            "measures/sections/measures.html",
            measures,
            order=25,
            styles=("bridge/measures.css",),
            lazy="measures",
            title="measures",
        ),
        # Above the chart's other alerts (-10): a possible risk of suicide comes first. In the first
        # paint; the template shows nothing when there is no open alert.
        Panel("measures/sections/alerts.html", alerts, order=-20),
    ]


def participant_links(request, participant) -> list[Link]:
    if Cap.CHART not in _caps(request):
        return []
    return [Link("Measures", reverse("measures:overview", args=[participant.pk]), order=24)]
