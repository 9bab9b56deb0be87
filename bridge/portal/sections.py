"""The participant page links to their app account (a page of its own keeps the chart's query budget)."""

from __future__ import annotations

from django.urls import reverse

from bridge.core.panels import Link
from bridge.participants.access import Cap


def participant_links(request, participant) -> list[Link]:
    if Cap.VIEW not in request.participant_caps:
        return []
    links = [Link("Participant app", reverse("portal:staff_account", args=[participant.pk]), order=46)]
    if Cap.FOLLOW_UP in request.participant_caps:  # i19m
        links.append(Link("Messages", reverse("portal:staff_messages", args=[participant.pk]), order=45))
    return links


# --- i19m: the conversation with the care team, on the participant page ----------------------------------


def participant_sections(request, participant) -> list:
    """The latest messages from their app, for those who may answer them (Cap.FOLLOW_UP: care-team
    clinicians, peers, directors). The section loads them after the page (htmx), so the chart keeps
    its query budget (clinical/tests/test_chart.py)."""
    from bridge.core.panels import Panel

    caps: frozenset[Cap] = getattr(request, "participant_caps", frozenset())
    if Cap.FOLLOW_UP not in caps:
        return []
    return [Panel("portal/staff/section_messages.html", {"participant": participant}, order=45)]
