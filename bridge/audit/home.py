"""Home-page panel for auditors: the newest events and denials."""

from __future__ import annotations

from bridge.audit.actions import Outcome
from bridge.audit.queries import audit_events_visible_to
from bridge.core.panels import Panel
from bridge.core.roles import Role


def panels(request) -> list[Panel]:
    if not request.user.has_role(Role.AUDITOR):
        return []
    recent_denials = (
        audit_events_visible_to(request.user)
        .filter(outcome=Outcome.DENIED)
        .select_related("participant")[:15]
    )
    return [Panel("audit/panels/auditor.html", {"denials": recent_denials}, order=10)]
