"""Core's entry in the main navigation: the role home page."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from bridge.core.panels import Link


def nav_items(request: HttpRequest) -> list[Link]:
    return [Link("Home", reverse("core:home"), order=0)]
