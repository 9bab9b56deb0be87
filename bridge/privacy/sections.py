"""The participant page's "Consents and disclosures" section and sub-navigation links."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from bridge.core.panels import Link, Panel
from bridge.participants.access import Cap
from bridge.privacy.models import Consent, NoticeAcknowledgement, Restriction
from bridge.privacy.notices import current_notice


def participant_sections(request, participant) -> list[Panel]:
    caps: frozenset[Cap] = getattr(request, "participant_caps", frozenset())
    if Cap.VIEW not in caps:
        return []

    def context() -> dict:
        today = timezone.localdate(timezone=participant.program.tz)
        active = [
            c
            for c in Consent.objects.filter(participant=participant, status=Consent.Status.ACTIVE)
            .prefetch_related("recipients")
            .order_by("-signed_on")
            if c.is_active_on(today)
        ]
        # The notice of privacy practices given (or not) and the restrictions in force, in the chart.
        notice = current_notice(participant.program, today)
        given = (
            NoticeAcknowledgement.objects.filter(participant=participant, notice=notice).first()
            if notice
            else None
        )
        restricted = list(
            Restriction.objects.filter(participant=participant, status=Restriction.Status.AGREED)
            .select_related("recipient")
            .order_by("-decided_on")
        )
        return {
            "participant": participant,
            "active": active,
            "can_chart": Cap.CHART in caps,
            "notice": notice,
            "given": given,
            "restrictions": restricted,
        }

    # Below the fold: loads after the page's first paint.
    return [Panel("privacy/panels/section.html", context, order=80, lazy="consents", title="consents")]


def participant_links(request, participant) -> list[Link]:
    caps: frozenset[Cap] = getattr(request, "participant_caps", frozenset())
    links = []
    if Cap.VIEW in caps:
        links.append(Link("Consents", reverse("privacy:consent_list", args=[participant.pk]), order=60))
    if Cap.CHART in caps:
        links.append(Link("Disclosures", reverse("privacy:disclosure_list", args=[participant.pk]), order=61))
    return links
