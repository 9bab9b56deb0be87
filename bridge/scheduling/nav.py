"""Main navigation: everyone on staff has their week; directors and front desk the hours ledger;
directors the program set-up."""

from __future__ import annotations

from django.urls import reverse

from bridge.accounts.models import Role
from bridge.core.panels import Link
from bridge.scheduling.access import SCHEDULE_ROLES


def nav_items(request) -> list[Link]:
    user = request.user
    if user.is_auditor_only or not user.program_ids():
        return []
    items = [Link("Week", reverse("scheduling:week"), order=31)]
    from bridge.scheduling.views.today import TODAY_ROLES

    if user.programs_with_role(*TODAY_ROLES):
        items.append(Link("Today", reverse("scheduling:today"), order=30))
    if user.programs_with_role(*SCHEDULE_ROLES):
        items.append(Link("Hours", reverse("scheduling:hours"), order=32))
    if user.programs_with_role(Role.DIRECTOR):
        items.append(Link("Program set-up", reverse("scheduling:setup"), order=61))
    return items
