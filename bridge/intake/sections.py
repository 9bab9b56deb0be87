"""The participant page: an "Intake and placement" section and link, for those who may read the chart."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse

from bridge.core.panels import Link, Panel
from bridge.intake.models import InstrumentAdministration, Screening
from bridge.participants.access import Cap


def _can_read(request) -> bool:
    return Cap.CHART in getattr(request, "participant_caps", frozenset())


def participant_sections(request, participant) -> list[Panel]:
    if not _can_read(request):
        return []

    def context() -> dict | None:
        screening = (
            Screening.objects.filter(participant=participant)
            .select_related("decision", "referral")
            .prefetch_related(
                Prefetch(
                    "administrations",
                    queryset=InstrumentAdministration.objects.filter(
                        entered_in_error_at__isnull=True
                    ).order_by("-administered_at"),
                )
            )
            .order_by("-started_at")
            .first()
        )
        if screening is None:
            return None  # nothing to show: the placeholder goes away
        return {
            "participant": participant,
            "screening": screening,
            "administrations": screening.administrations.all(),
        }

    # Below the fold: loads after the page's first paint.
    return [Panel("intake/section.html", context, order=30, lazy="intake", title="intake and placement")]


def participant_links(request, participant) -> list[Link]:
    if not _can_read(request):
        return []
    return [Link("Intake", reverse("intake:screening", args=[participant.pk]), order=20)]
