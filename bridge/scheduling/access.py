"""Who may see the schedule, take attendance and set the program up.

Sessions are not participant resources, but a roster names participants, so the rule is narrow:
  * a session's attendance is taken by the person leading it, or by the program's directors and
    front desk (who schedule and check people in);
  * the program-wide schedule, the hours ledger and the exports are for directors and front desk
    (CSV exports for directors only); set-up is for directors;
  * everyone on staff sees their own week; a participant's week goes through participant access.
Anything else looks like a missing page (404), and the refusal is audited.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.programs.models import Program
from bridge.scheduling.models import Session

SCHEDULE_ROLES = (Role.DIRECTOR, Role.FRONT_DESK)


def deny(request: StaffRequest, object_type: str, object_id: str = "") -> Http404:
    match = getattr(request, "resolver_match", None)
    audit_record(
        action=Action.ACCESS_DENIED,
        actor=request.user,
        object_type=object_type,
        object_id=object_id,
        outcome=Outcome.DENIED,
        detail={"view": match.view_name if match else request.path},
    )
    return Http404("Not found.")


def may_take_attendance(user, session: Session) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.roles_in(session.program_id) & set(SCHEDULE_ROLES):
        return True
    return session.staff_id == user.pk and session.program_id in user.program_ids()


def session_for(request: StaffRequest, session_id: uuid.UUID) -> Session:
    """The session if the user may take its attendance, else 404 (audited)."""
    session = (
        Session.objects.select_related("program", "session_type", "staff", "room", "series")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not may_take_attendance(request.user, session):
        raise deny(request, "session", str(session_id))
    return session


def schedule_programs(user) -> list[Program]:
    """Programs whose whole schedule and ledger the user may see."""
    return list(Program.objects.filter(pk__in=user.programs_with_role(*SCHEDULE_ROLES)).order_by("name"))


def require_schedule_program(request: StaffRequest, object_type: str) -> Program:
    """The program chosen by `?program=` (or the first) among those the user may see, else 404."""
    programs = schedule_programs(request.user)
    wanted = request.GET.get("program") or request.POST.get("program")
    for program in programs:
        if not wanted or str(program.pk) == wanted:
            return program
    raise deny(request, object_type, wanted or "")


def require_director_program(request: StaffRequest, object_type: str) -> Program:
    programs = Program.objects.filter(pk__in=request.user.programs_with_role(Role.DIRECTOR)).order_by("name")
    wanted = request.GET.get("program") or request.POST.get("program")
    for program in programs:
        if not wanted or str(program.pk) == wanted:
            return program
    raise deny(request, object_type, wanted or "")
