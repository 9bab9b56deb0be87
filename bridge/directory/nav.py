"""Main-navigation entries: the public directory for everyone, the listing for directors."""

from __future__ import annotations

from django.urls import reverse

from bridge.accounts.models import Role
from bridge.core.panels import Link


def nav_items(request) -> list[Link]:
    items = [Link("Find a program", reverse("directory:search"), order=80)]
    if request.user.programs_with_role(Role.DIRECTOR):
        items.append(Link("Public listing", reverse("directory:manage_index"), order=70))
    return items
