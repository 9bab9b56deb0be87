"""The participant page becomes the chart: alerts on top, then level of care, plan, notes, meds, screens.

Shown to viewers with Cap.CHART only. Every section's data comes from queries.chart_summary, a fixed
number of queries whatever the length of the history.
"""

from __future__ import annotations

from django.urls import reverse

from bridge.clinical import queries
from bridge.core.panels import Link, Panel
from bridge.participants.access import Cap
from bridge.participants.models import Participant

S = Participant.Status
BEFORE_ADMISSION = {S.PROSPECT, S.SCREENING, S.REFERRED}


def never_admitted(participant: Participant) -> bool:
    """Prospects, people in screening and people referred elsewhere who were never admitted here:
    no chart yet. (Someone screened again after a discharge keeps their earlier chart.) A query only
    for those statuses, so the chart of someone in care keeps its query budget."""
    return participant.status in BEFORE_ADMISSION and not participant.episodes.exists()


def participant_sections(request, participant) -> list[Panel]:
    caps: frozenset[Cap] = getattr(request, "participant_caps", frozenset())
    if Cap.CHART not in caps or participant.status in BEFORE_ADMISSION:
        return []  # before admission the intake sections are the record; the chart's pages stay linked
    flags = {c.value: c in caps for c in Cap}

    def context() -> dict:
        return {"chart": queries.chart_summary(participant), "participant": participant, "caps": flags}

    # The chart's sections are below the participant's details: they load after the first paint.
    found = [Panel("clinical/sections/chart.html", context, order=20, lazy="chart", title="the chart")]

    def alerts() -> dict:
        return {
            "chart": {"alerts": queries.chart_alerts(participant)},
            "participant": participant,
            "caps": flags,
        }

    # A negative order puts the panel above the participant's details (participants/detail.html), in
    # the first paint; it shows nothing when there is nothing to say. Its context is a callable (the
    # template calls it), so a lazy section's own URL, which renders only that section, skips it.
    found.append(Panel("clinical/sections/alerts.html", alerts, order=-10))
    return found


def participant_links(request, participant) -> list[Link]:
    caps: frozenset[Cap] = getattr(request, "participant_caps", frozenset())
    if Cap.CHART not in caps or never_admitted(participant):
        return []  # offered at admission (their direct URLs say so: views/common.admitted_only)
    pid = participant.pk
    return [
        Link("Treatment plan", reverse("clinical:plan", args=[pid]), order=20),
        Link("Notes", reverse("clinical:notes", args=[pid]), order=21),
        Link("Drug screens", reverse("clinical:screens", args=[pid]), order=22),
        Link("Medications", reverse("clinical:meds", args=[pid]), order=23),
    ]
