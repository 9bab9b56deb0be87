"""Main navigation: directors set the program's measure schedule."""

from __future__ import annotations

from django.urls import reverse

from bridge.accounts.models import Role
from bridge.core.panels import Link


def nav_items(request) -> list:
    if Role.DIRECTOR in request.user.role_names():
        # Not "… schedule": the main navigation already has "Schedule" (and tests find links by name).
        return [Link("Measures", reverse("measures:program_schedule"), order=61)]
    return []
