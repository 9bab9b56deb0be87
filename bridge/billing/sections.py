"""The participant page links to the billing record for those who hold Cap.BILLING (and for a
prescriber on the team, who signs Medicare certifications there)."""

from __future__ import annotations

from django.urls import reverse

from bridge.core.panels import Link
from bridge.participants.access import Cap


def participant_links(request, participant) -> list[Link]:
    if Cap.BILLING not in request.participant_caps:
        return []
    return [Link("Coverage and billing", reverse("billing:participant", args=[participant.pk]), order=45)]
