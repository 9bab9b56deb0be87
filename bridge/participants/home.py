"""Home-page panels about participants, by role."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from bridge.accounts.models import Role
from bridge.core.panels import Panel
from bridge.participants.models import Participant
from bridge.participants.queries import caseload_for

CASELOAD_ROLES = {Role.THERAPIST, Role.PRESCRIBER, Role.NURSE, Role.PEER}


def panels(request) -> list[Panel]:
    user = request.user
    roles = user.role_names()
    found: list[Panel] = []
    if Role.DIRECTOR in roles:
        counts = dict(
            Participant.objects.filter(program_id__in=user.programs_with_role(Role.DIRECTOR))
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        census = [(value, label, counts.get(value, 0)) for value, label in Participant.Status.choices]
        found.append(Panel("participants/panels/census.html", {"census": census}, order=10))
    if Role.INTAKE in roles:
        waiting = (
            Participant.objects.visible_to(user)
            .filter(status__in=[Participant.Status.PROSPECT, Participant.Status.SCREENING])
            .order_by("created_at")[:25]
        )
        found.append(
            Panel(
                "participants/panels/intake_queue.html", {"waiting": waiting, "now": timezone.now()}, order=10
            )
        )
    if roles & CASELOAD_ROLES:
        found.append(
            Panel("participants/panels/caseload.html", {"caseload": caseload_for(user)[:100]}, order=20)
        )
    if Role.FRONT_DESK in roles:
        found.append(Panel("participants/panels/front_desk.html", {}, order=30))
    return found
