"""Home-page panels about staff: credentials that have expired or expire soon."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridge.accounts.models import Credential, Role
from bridge.core.panels import Panel


def panels(request) -> list[Panel]:
    user = request.user
    found: list[Panel] = []
    soon = timezone.localdate() + timedelta(days=Credential.EXPIRING_SOON_DAYS)
    directed = user.programs_with_role(Role.DIRECTOR)
    if directed:
        flagged = (
            Credential.objects.filter(
                user__roles__program_id__in=directed, user__is_active=True, expires_on__lte=soon
            )
            .select_related("user")
            .distinct()
            .order_by("expires_on")
        )
        found.append(Panel("accounts/panels/credentials_program.html", {"flagged": flagged}, order=40))
    mine = [c for c in user.credentials.all() if c.status != "current"]
    if mine:
        found.append(Panel("accounts/panels/credentials_mine.html", {"mine": mine}, order=5))
    return found
