"""Main-navigation entry of the FHIR app: the director's API tokens."""

from __future__ import annotations

from django.urls import reverse

from bridge.accounts.models import Role
from bridge.core.panels import Link


def nav_items(request) -> list[Link]:
    if Role.DIRECTOR in request.user.role_names():
        return [
            Link("API tokens", reverse("fhir:token_list"), order=63),
            Link("API clients", reverse("fhir:client_list"), order=64),
            Link("Patient apps", reverse("fhir:app_list"), order=64),
        ]
    return []
