"""Home-page panel for auditors: the newest events and denials."""

from __future__ import annotations

from bridge.accounts.models import Role
from bridge.audit.actions import Outcome
from bridge.audit.models import AuditEvent
from bridge.core.panels import Panel


def panels(request) -> list[Panel]:
    if not request.user.has_role(Role.AUDITOR):
        return []
    recent_denials = AuditEvent.objects.filter(outcome=Outcome.DENIED).select_related("participant")[:15]
    return [Panel("audit/panels/auditor.html", {"denials": recent_denials}, order=10)]
