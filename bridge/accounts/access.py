"""Who may manage which staff members: directors, for staff in a program they direct."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role, User
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record


def staff_visible_to(user: User) -> QuerySet[User]:
    programs = user.programs_with_role(Role.DIRECTOR)
    if not programs:
        return User.objects.none()
    return User.objects.filter(roles__program_id__in=programs).distinct()


def require_director(request: StaffRequest) -> None:
    if not request.user.programs_with_role(Role.DIRECTOR):
        audit_record(
            action=Action.ACCESS_DENIED,
            actor=request.user,
            object_type="staff",
            outcome=Outcome.DENIED,
            detail={"view": request.path},
        )
        raise PermissionDenied("Only a program director manages staff.")


def staff_for(request: StaffRequest, user_id: uuid.UUID) -> User:
    require_director(request)
    staff = staff_visible_to(request.user).filter(pk=user_id).first()
    if staff is None:
        audit_record(
            action=Action.ACCESS_DENIED,
            actor=request.user,
            object_type="staff",
            object_id=str(user_id),
            outcome=Outcome.DENIED,
            detail={"view": request.path},
        )
        raise Http404("No staff member here.")
    return staff
