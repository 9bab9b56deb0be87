"""Main navigation: Intake, for intake coordinators and directors."""

from __future__ import annotations

from django.urls import reverse

from bridge.core.panels import Link
from bridge.intake.access import INTAKE_ROLES


def nav_items(request) -> list[Link]:
    if not request.user.programs_with_role(*INTAKE_ROLES):
        return []
    return [Link("Intake", reverse("intake:queue"), order=20)]
