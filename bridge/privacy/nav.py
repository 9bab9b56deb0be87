"""Main-navigation entries of the privacy app, by role."""

from __future__ import annotations

from django.urls import reverse

from bridge.accounts.models import Role
from bridge.core.panels import Link
from bridge.privacy.access import RECIPIENT_ROLES


def nav_items(request) -> list[Link]:
    roles = request.user.role_names()
    items = []
    if roles & set(RECIPIENT_ROLES):
        items.append(Link("Recipients", reverse("privacy:recipient_list"), order=60))
    if Role.DIRECTOR in roles:
        items.append(Link("Emergency access", reverse("privacy:emergency_review_list"), order=61))
        items.append(Link("Privacy work list", reverse("privacy:compliance"), order=63))
    if Role.AUDITOR in roles:
        items.append(Link("Access review", reverse("privacy:review_home"), order=62))
    return items
