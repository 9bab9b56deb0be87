"""Who may use intake's non-participant pages. Participant pages use bridge.participants.access."""

from __future__ import annotations

import uuid

from django.http import Http404

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.programs.models import Program

# The intake list and new callers: intake coordinators and directors, in their own programs.
INTAKE_ROLES = (Role.INTAKE, Role.DIRECTOR)


def settings_program_for(request: StaffRequest, program_id: uuid.UUID | str) -> Program:
    """The program whose cut-offs `request.user` may change (its directors only).

    Anyone else — including a director of another program — gets 404, the same as for a program
    that does not exist; the refusal is audited.
    """
    program = Program.objects.filter(pk=program_id).first()
    if program is None or not request.user.has_role(Role.DIRECTOR, program.pk):
        audit_record(
            action=Action.ACCESS_DENIED,
            actor=request.user,
            object_type="intake_settings",
            object_id=str(program_id),
            outcome=Outcome.DENIED,
            detail={"found": program is not None},
        )
        raise Http404("No such program.")
    return program
