"""The chart: unacknowledged safety alerts on top, and a "Measures" section with due measures and trends.

Shown to viewers with Cap.CHART once the participant is admitted. Both panels come from one
queries.summary_for call: a fixed number of queries whatever the history length.
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
    summary = queries.summary_for(participant)
    context = {"m": summary, "participant": participant, "caps": {c.value: c in caps for c in Cap}}
    found = [Panel("measures/sections/measures.html", context, order=25, styles=("bridge/measures.css",))]
    if summary.alerts:
        # Above the chart's other alerts (-10): a possible risk of suicide comes first.
        found.append(Panel("measures/sections/alerts.html", context, order=-20))
    return found


def participant_links(request, participant) -> list[Link]:
    if Cap.CHART not in _caps(request):
        return []
    return [Link("Measures", reverse("measures:overview", args=[participant.pk]), order=24)]
