"""Main navigation: the aftercare outcomes report for directors."""

from __future__ import annotations

from django.urls import reverse

from bridge.accounts.models import Role
from bridge.core.panels import Link


def nav_items(request) -> list:
    if Role.DIRECTOR in request.user.role_names():
        return [Link("Outcomes", reverse("aftercare:outcomes"), order=70)]
    return []
