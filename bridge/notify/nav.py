from __future__ import annotations

from django.urls import reverse

from bridge.core.panels import Link


def nav_items(request) -> list[Link]:
    if request.user.is_auditor_only or not request.user.program_ids():
        return []
    return [Link("My calendar", reverse("notify:my_calendar"), order=90)]
