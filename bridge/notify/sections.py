from __future__ import annotations

from django.urls import reverse

from bridge.core.panels import Link
from bridge.participants.access import Cap


def participant_links(request, participant) -> list[Link]:
    if Cap.VIEW not in request.participant_caps:
        return []
    return [
        Link(
            "Calendar and reminders", reverse("notify:participant_calendar", args=[participant.pk]), order=45
        )
    ]
