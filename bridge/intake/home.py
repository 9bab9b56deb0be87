"""Home panel for intake coordinators: what is in progress, decided, not started, call-backs."""

from __future__ import annotations

from django.db.models import Count, Q

from bridge.accounts.models import Role
from bridge.core.panels import Panel
from bridge.intake.models import Screening
from bridge.participants.models import Participant


def panels(request) -> list[Panel]:
    user = request.user
    if Role.INTAKE not in user.role_names():
        return []
    visible = Participant.objects.visible_to(user)
    counts = Screening.objects.filter(participant__in=visible, status__in=Screening.OPEN_STATUSES).aggregate(
        in_progress=Count("id", filter=Q(status=Screening.Status.IN_PROGRESS)),
        decided=Count("id", filter=Q(status=Screening.Status.DECIDED)),
        callbacks=Count("id", filter=Q(referral_source="self_check", status=Screening.Status.IN_PROGRESS)),
    )
    not_started = (
        visible.filter(status=Participant.Status.PROSPECT)
        .exclude(screenings__status__in=Screening.OPEN_STATUSES)
        .count()
    )
    return [Panel("intake/panels/home.html", {**counts, "not_started": not_started}, order=5)]
