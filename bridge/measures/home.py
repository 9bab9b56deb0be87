"""Home panel: measures due or overdue, and unacknowledged safety alerts, for my caseload."""

from __future__ import annotations

from bridge.accounts.models import Role
from bridge.core.panels import Panel
from bridge.measures.queries import caseload_due

CLINICAL_ROLES = {Role.DIRECTOR, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER, Role.NURSE}


def panels(request) -> list[Panel]:
    if not request.user.role_names() & CLINICAL_ROLES:
        return []
    rows = caseload_due(request.user)
    if not rows:
        return []
    return [Panel("measures/panels/due.html", {"rows": rows}, order=8)]
