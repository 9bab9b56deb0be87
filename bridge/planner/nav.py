from __future__ import annotations

from django.urls import reverse

from bridge.accounts.models import Role
from bridge.core.panels import Link


def nav_items(request) -> list[Link]:
    if request.user.programs_with_role(Role.DIRECTOR):
        return [Link("Schedule", reverse("planner:home"), order=30)]
    return []
