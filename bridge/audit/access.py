"""The audit log is for auditors: read-only compliance staff."""

from django.core.exceptions import PermissionDenied

from bridge.accounts.http import StaffRequest
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.core.roles import Role


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
