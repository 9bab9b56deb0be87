"""Who may open a group session's note: not a participant resource, so it has its own small rule.

A group note shows every attendee's individualized part, so only the people who run the group see it:
the session's facilitator and the program's directors. Everyone else gets 404 (audited), exactly as
for a participant they may not see. Each read is audited once per attendee shown.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest

from bridge.accounts.models import Role
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.scheduling.models import Session, SessionKind


def may_open_group(user, session: Session) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    program_id = session.program_id
    if user.has_role(Role.DIRECTOR, program_id):
        return True
    return session.staff_id == user.pk and program_id in user.program_ids()


def group_session_for(request: HttpRequest, session_id: uuid.UUID) -> Session:
    session = (
        Session.objects.select_related("program", "session_type", "staff")
        .filter(pk=session_id, kind=SessionKind.GROUP)
        .first()
    )
    if session is None or not may_open_group(request.user, session):
        audit_record(
            action=Action.ACCESS_DENIED,
            actor=request.user,
            object_type="group_session",
            object_id=str(session_id),
            outcome=Outcome.DENIED,
            detail={"view": request.resolver_match.view_name if request.resolver_match else request.path},
        )
        raise Http404("No group session here.")
    return session


def director_programs(user) -> set:
    return user.programs_with_role(Role.DIRECTOR)
