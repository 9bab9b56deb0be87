"""Who sees the program's billing pages: directors and billing staff (front desk: the authorization
work list). Per-participant billing pages go through `participant_view(Cap.BILLING)`."""

from __future__ import annotations

import uuid
from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from bridge.accounts.models import Role, User
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record

BILLING_ROLES = (Role.DIRECTOR, Role.BILLING)
WORKLIST_ROLES = (Role.DIRECTOR, Role.BILLING, Role.FRONT_DESK)


def billing_programs(request: HttpRequest, roles=BILLING_ROLES) -> set[uuid.UUID]:
    """The programs whose billing `request.user` may see; audits and raises 403 when none."""
    programs = cast(User, request.user).programs_with_role(*roles)  # billing views need a login
    if not programs:
        audit_record(
            action=Action.ACCESS_DENIED,
            actor=request.user,
            object_type="billing",
            outcome=Outcome.DENIED,
            detail={"view": request.path},
        )
        raise PermissionDenied("Billing is for the director and billing staff.")
    return programs
