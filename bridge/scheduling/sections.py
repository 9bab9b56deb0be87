"""The participant page: this week's hours against the floor, and a link to the weekly history."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from bridge.core.panels import Link, Panel
from bridge.participants.access import Cap
from bridge.participants.models import Participant
from bridge.planner.weeks import monday_of
from bridge.scheduling.ledger import hours_for

IN_CARE = (Participant.Status.ACTIVE, Participant.Status.STEP_DOWN)


def participant_links(request, participant) -> list[Link]:
    if Cap.VIEW not in request.participant_caps or participant.status not in IN_CARE:
        return []
    return [Link("Weekly hours", reverse("scheduling:participant_hours", args=[participant.pk]), order=42)]


def participant_sections(request, participant) -> list[Panel]:
    if Cap.VIEW not in request.participant_caps or participant.status not in IN_CARE:
        return []
    week = monday_of(timezone.localtime(timezone.now(), participant.program.tz).date())
    return [
        Panel(
            "scheduling/panels/hours.html",
            {"participant": participant, "line": hours_for(participant, week)},
            order=41,
        )
    ]
