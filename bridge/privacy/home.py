"""Home-page panel for directors: emergency access waiting for their review."""

from __future__ import annotations

from bridge.accounts.models import Role
from bridge.core.panels import Panel
from bridge.privacy.models import EmergencyAccess


def panels(request) -> list[Panel]:
    programs = request.user.programs_with_role(Role.DIRECTOR)
    if not programs:
        return []
    count = EmergencyAccess.objects.filter(program_id__in=programs, reviewed_at__isnull=True).count()
    if not count:
        return []
    return [Panel("privacy/panels/emergency.html", {"count": count}, order=5)]
