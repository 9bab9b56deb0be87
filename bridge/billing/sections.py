"""The participant page links to the billing record for those who hold Cap.BILLING (and for a
prescriber on the team, who signs Medicare certifications there)."""

from __future__ import annotations

from django.urls import reverse

from bridge.core.panels import Link
from bridge.participants.access import Cap


def participant_links(request, participant) -> list[Link]:
    caps = request.participant_caps
    if Cap.BILLING in caps:
        return [Link("Coverage and billing", reverse("billing:participant", args=[participant.pk]), order=45)]
    if (
        Cap.PRESCRIBE in caps
        and participant.coverages.filter(
            ends_on__isnull=True, plan__payer__requires_certification=True
        ).exists()
    ):
        return [
            Link(
                "Medicare certification",
                reverse("billing:certification_add", args=[participant.pk]),
                order=45,
            )
        ]
    return []
