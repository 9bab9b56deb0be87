from __future__ import annotations

from django.urls import reverse

from bridge.core.panels import Link
from bridge.core.roles import Role


def nav_items(request) -> list[Link]:
    if Role.AUDITOR in request.user.role_names():
        return [Link("Audit log", reverse("audit:log"), order=96)]
    return []
