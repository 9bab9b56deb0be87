"""Main navigation: the hours ledger for directors and front desk."""

from __future__ import annotations

from django.urls import reverse

from bridge.core.panels import Link
from bridge.scheduling.access import SCHEDULE_ROLES


def nav_items(request) -> list[Link]:
    items = []
    if request.user.programs_with_role(*SCHEDULE_ROLES):
        items.append(Link("Hours", reverse("scheduling:hours"), order=32))
    return items
