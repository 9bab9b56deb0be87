"""Who may run the scheduler and edit clinician hours.

Directors run the solver and edit the rules for the programs they direct. A staff member's
working hours are edited by the staff member themself or by a director of a program they work
in. Anything else looks like a missing page (404), and the refusal is audited.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role, User
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.planner.models import AppointmentRule, ScheduleRun
from bridge.programs.models import Program


def directed_programs(user) -> list[Program]:
    return list(Program.objects.filter(pk__in=user.programs_with_role(Role.DIRECTOR)).order_by("name"))


def _deny(request: StaffRequest, object_type: str, object_id: str) -> Http404:
    audit_record(
        action=Action.ACCESS_DENIED,
        actor=request.user,
        object_type=object_type,
        object_id=object_id,
        outcome=Outcome.DENIED,
        detail={"view": request.path},
    )
    return Http404("Not found.")


def require_director(request: StaffRequest) -> list[Program]:
    programs = directed_programs(request.user)
    if not programs:
        raise _deny(request, "schedule", "")
    return programs


def run_for(request: StaffRequest, run_id: uuid.UUID) -> ScheduleRun:
    run = (
        ScheduleRun.objects.select_related("program", "created_by", "committed_by")
        .filter(pk=run_id, program_id__in=request.user.programs_with_role(Role.DIRECTOR))
        .first()
    )
    if run is None:
        raise _deny(request, "schedule_run", str(run_id))
    return run


def rule_for(request: StaffRequest, rule_id: uuid.UUID) -> AppointmentRule:
    rule = AppointmentRule.objects.filter(
        pk=rule_id, program_id__in=request.user.programs_with_role(Role.DIRECTOR)
    ).first()
    if rule is None:
        raise _deny(request, "appointment_rule", str(rule_id))
    return rule


def clinician_for(request: StaffRequest, user_id: uuid.UUID) -> tuple[User, list[Program]]:
    """The staff member whose hours may be edited, and the programs the viewer may edit them for."""
    viewer = request.user
    staff = User.objects.filter(pk=user_id).first()
    if staff is not None:
        theirs = staff.program_ids()
        allowed = theirs if staff == viewer else theirs & viewer.programs_with_role(Role.DIRECTOR)
        if allowed and not staff.is_auditor_only:
            return staff, list(Program.objects.filter(pk__in=allowed).order_by("name"))
    raise _deny(request, "clinician_hours", str(user_id))
