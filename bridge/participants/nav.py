from __future__ import annotations

from django.urls import reverse

from bridge.core.panels import Link
from bridge.core.roles import Role


def nav_items(request) -> list[Link]:
    if request.user.role_names() - {Role.AUDITOR}:  # everyone but an auditor works with participants
        return [Link("Participants", reverse("participants:list"), order=10)]
    return []
