"""Main navigation: alumni events for peer support and directors; the outcomes report for directors."""

from __future__ import annotations

from django.urls import reverse

from bridge.accounts.models import Role
from bridge.core.panels import Link


def nav_items(request) -> list:
    roles = request.user.role_names()
    items = []
    if roles & {Role.PEER, Role.DIRECTOR}:
        items.append(Link("Alumni events", reverse("aftercare:alumni_events"), order=65))
    if Role.DIRECTOR in roles:
        items.append(Link("Outcomes", reverse("aftercare:outcomes"), order=70))
    return items
