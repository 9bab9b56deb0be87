"""The participant page links to their app account (a page of its own keeps the chart's query budget)."""

from __future__ import annotations

from django.urls import reverse

from bridge.core.panels import Link
from bridge.participants.access import Cap


def participant_links(request, participant) -> list[Link]:
    if Cap.VIEW not in request.participant_caps:
        return []
    return [Link("Participant app", reverse("portal:staff_account", args=[participant.pk]), order=46)]
