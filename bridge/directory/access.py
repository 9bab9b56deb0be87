"""Who may change a program's public listing: its directors. Everyone may read published listings.

`program_for_director` is the one check for every listing-management URL: a program the user has
no role in looks exactly like one that does not exist (404); staff of the program without the
director role are refused (403). Both refusals are audited.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.programs.models import Program


def programs_directed(user) -> QuerySet[Program]:
    return Program.objects.filter(pk__in=user.programs_with_role(Role.DIRECTOR)).order_by("name")


def _deny(request: StaffRequest, program_id, found: bool) -> None:
    audit_record(
        action=Action.ACCESS_DENIED,
        actor=request.user,
        object_type="directory_listing",
        object_id=str(program_id),
        outcome=Outcome.DENIED,
        detail={"view": request.path, "found": found},
    )


def program_for_director(request: StaffRequest, program_id: uuid.UUID) -> Program:
    user = request.user
    program = (
        Program.objects.select_related("organization").filter(pk=program_id).first()
        if program_id in user.program_ids()
        else None
    )
    if program is None:
        _deny(request, program_id, found=False)
        raise Http404("No program here.")
    if not user.has_role(Role.DIRECTOR, program.pk):
        _deny(request, program_id, found=True)
        raise PermissionDenied("Only the program's director changes its public listing.")
    return program
