"""The audit log is for auditors: read-only compliance staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.core.roles import Role

if TYPE_CHECKING:
    from bridge.accounts.http import StaffRequest  # audit sits below accounts: for type checking only


def require_auditor(request: StaffRequest) -> None:
    if not request.user.has_role(Role.AUDITOR):
        audit_record(
            action=Action.ACCESS_DENIED,
            actor=request.user,
            object_type="audit_log",
            outcome=Outcome.DENIED,
            detail={"view": request.path},
        )
        raise PermissionDenied("The audit log is open to auditors.")
