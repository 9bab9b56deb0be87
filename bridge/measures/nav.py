"""Main navigation: directors set the program's measure schedule."""

from __future__ import annotations

from django.urls import reverse

from bridge.accounts.models import Role
from bridge.core.panels import Link


def nav_items(request) -> list:
    if Role.DIRECTOR in request.user.role_names():
        return [Link("Measure schedule", reverse("measures:program_schedule"), order=61)]
    return []
