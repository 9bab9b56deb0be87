from __future__ import annotations

from django.urls import reverse

from bridge.core.panels import Link
from bridge.core.roles import Role


def nav_items(request) -> list[Link]:
    if Role.DIRECTOR in request.user.role_names():
        return [Link("Staff", reverse("accounts:staff_list"), order=95)]
    return []
