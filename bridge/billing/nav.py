"""Main navigation: Billing for directors and billing staff."""

from __future__ import annotations

from django.urls import reverse

from bridge.billing.access import BILLING_ROLES
from bridge.core.panels import Link


def nav_items(request) -> list[Link]:
    if request.user.programs_with_role(*BILLING_ROLES):
        return [Link("Billing", reverse("billing:dashboard"), order=55)]
    return []
