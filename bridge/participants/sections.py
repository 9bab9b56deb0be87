"""The participant page: the hold (why they are away, when they are expected back) and the links to
put someone in care on hold or record their return. One query, and only for someone on hold, so the
chart keeps its query budget."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from bridge.core.panels import Link, Panel
from bridge.participants.access import Cap
from bridge.participants.models import Participant
from bridge.participants.services import HOLDABLE, open_hold


def participant_sections(request, participant) -> list[Panel]:
    caps: frozenset[Cap] = getattr(request, "participant_caps", frozenset())
    if Cap.VIEW not in caps or participant.status != Participant.Status.ON_HOLD:
        return []
    # Why someone is away can be clinical (a hospital stay): the reason is for those who document care.
    context = {
        "participant": participant,
        "hold": open_hold(participant),
        "may_change": Cap.DOCUMENT in caps,
        "today": timezone.localdate(),
    }
    return [Panel("participants/sections/hold.html", context, order=-5)]


def participant_links(request, participant) -> list[Link]:
    caps: frozenset[Cap] = getattr(request, "participant_caps", frozenset())
    if Cap.DOCUMENT not in caps:
        return []
    if participant.status in HOLDABLE:
        return [Link("Put on hold", reverse("participants:hold", args=[participant.pk]), order=45)]
    if participant.status == Participant.Status.ON_HOLD:
        return [Link("Record their return", reverse("participants:resume", args=[participant.pk]), order=45)]
    return []
