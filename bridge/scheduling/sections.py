"""The participant page: links to their week on the calendar and their weekly hours.

No panel on the page itself: the chart keeps a fixed query budget (clinical's test_chart), and the
ledger costs about six queries; the hours page is one click away and `ledger.hours_for` is there
for the chart to call if it wants the figure inline.
"""

from __future__ import annotations

from django.urls import reverse

from bridge.core.panels import Link
from bridge.participants.access import Cap
from bridge.participants.models import Participant

IN_CARE = (Participant.Status.ACTIVE, Participant.Status.STEP_DOWN)


def participant_links(request, participant) -> list[Link]:
    if Cap.VIEW not in request.participant_caps or participant.status not in IN_CARE:
        return []
    week = (
        reverse("scheduling:week") + f"?view=participant&id={participant.pk}&program={participant.program_id}"
    )
    return [
        Link("Sessions this week", week, order=41),
        Link("Weekly hours", reverse("scheduling:participant_hours", args=[participant.pk]), order=42),
    ]
