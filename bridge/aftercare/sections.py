"""The participant page: an aftercare section once someone is in care, and the Aftercare link."""

from __future__ import annotations

from django.urls import reverse

from bridge.aftercare.models import CheckIn, TaperPlan
from bridge.core.panels import Link, Panel
from bridge.participants.access import Cap
from bridge.participants.models import Participant
from bridge.worklist.models import WorkItem

S = Participant.Status
IN_AFTERCARE = {S.ACTIVE, S.STEP_DOWN, S.ON_HOLD, S.DISCHARGED, S.ALUMNI}


def participant_sections(request, participant) -> list[Panel]:
    """Step-down: the taper. After discharge: the next check-in and open outreach. In care: nothing
    here (the Aftercare link is enough), so the chart stays within its query budget."""
    caps: frozenset[Cap] = getattr(request, "participant_caps", frozenset())
    if Cap.VIEW not in caps or participant.status not in (S.STEP_DOWN, S.DISCHARGED, S.ALUMNI):
        return []

    def context() -> dict:
        found: dict = {"participant": participant, "follows_up": Cap.FOLLOW_UP in caps}
        if participant.status == S.STEP_DOWN:
            found["taper"] = TaperPlan.objects.filter(participant=participant, ended_on__isnull=True).first()
        else:
            found["next_checkin"] = (
                CheckIn.objects.filter(participant=participant, status=CheckIn.Status.PENDING)
                .order_by("due_on")
                .first()
            )
            found["open_outreach"] = WorkItem.objects.filter(
                participant=participant, kind="outreach", status=WorkItem.Status.OPEN
            ).count()
        return found

    # Below the fold: loads after the page's first paint.
    return [
        Panel("aftercare/sections/aftercare.html", context, order=40, lazy="aftercare", title="aftercare")
    ]


def participant_links(request, participant) -> list[Link]:
    caps: frozenset[Cap] = getattr(request, "participant_caps", frozenset())
    if Cap.VIEW not in caps or participant.status not in IN_AFTERCARE:
        return []
    return [Link("Aftercare", reverse("aftercare:hub", args=[participant.pk]), order=40)]
