"""Main navigation: group notes for those who lead groups; review cadences for directors."""

from __future__ import annotations

from django.urls import reverse

from bridge.accounts.models import Role
from bridge.core.panels import Link


def nav_items(request) -> list:
    roles = request.user.role_names()
    items = []
    if roles & {Role.THERAPIST, Role.DIRECTOR, Role.INTAKE}:
        items.append(Link("Group notes", reverse("clinical:groups"), order=30))
    if Role.DIRECTOR in roles:
        items.append(Link("Review cadences", reverse("clinical:review_policies"), order=60))
    return items
