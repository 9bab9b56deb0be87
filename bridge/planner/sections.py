"""The participant page: a link to their availability and appointment needs, and a short summary."""

from __future__ import annotations

from django.urls import reverse

from bridge.core.panels import Link, Panel
from bridge.participants.access import Cap
from bridge.planner.models import ParticipantTimeBlock


def participant_links(request, participant) -> list[Link]:
    if Cap.VIEW not in request.participant_caps:
        return []
    return [
        Link(
            "Availability and appointments", reverse("planner:availability", args=[participant.pk]), order=40
        )
    ]


def participant_sections(request, participant) -> list[Panel]:
    if Cap.VIEW not in request.participant_caps:
        return []

    def context() -> dict:
        blocks = list(
            ParticipantTimeBlock.objects.filter(participant=participant).order_by("weekday", "start_time")
        )
        return {
            "participant": participant,
            "busy": [b for b in blocks if b.is_busy],
            "preferred": [b for b in blocks if not b.is_busy],
        }

    # Below the fold: loads after the page's first paint.
    return [
        Panel(
            "planner/panels/availability.html", context, order=40, lazy="availability", title="availability"
        )
    ]
