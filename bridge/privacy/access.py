"""Who may use the privacy app's program-level pages. Participant pages go through participants/access.py.

  * Recipients (the directory of people and organizations records may go to) belong to a program;
    staff who record consents or prepare disclosures there manage them. Another program's recipient
    looks missing (404).
  * The emergency-access review list is the directors' (of their own programs).
  * The access-review pages are the auditors' (of their own programs).
Every refusal is audited.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role
from bridge.audit.access import require_auditor
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.privacy.models import Recipient

RECIPIENT_ROLES = (Role.DIRECTOR, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER, Role.NURSE, Role.FRONT_DESK)


def _deny(request: StaffRequest, object_type: str, object_id: str = "") -> None:
    audit_record(
        action=Action.ACCESS_DENIED,
        actor=request.user,
        object_type=object_type,
        object_id=object_id,
        outcome=Outcome.DENIED,
        detail={"view": request.path},
    )


def recipient_programs(request: StaffRequest) -> set[uuid.UUID]:
    programs = request.user.programs_with_role(*RECIPIENT_ROLES)
    if not programs:
        _deny(request, "recipient_list")
        raise PermissionDenied("Recipients are managed by the program's clinical and front-desk staff.")
    return programs


def recipient_for(request: StaffRequest, recipient_id) -> Recipient:
    programs = request.user.programs_with_role(*RECIPIENT_ROLES)
    recipient = Recipient.objects.filter(pk=recipient_id, program_id__in=programs).first()
    if recipient is None:
        _deny(request, "recipient", str(recipient_id))
        raise Http404("No such recipient.")
    return recipient


def director_programs(request: StaffRequest) -> set[uuid.UUID]:
    programs = request.user.programs_with_role(Role.DIRECTOR)
    if not programs:
        _deny(request, "emergency_access_list")
        raise PermissionDenied("Emergency access is reviewed by the program director.")
    return programs


def auditor_programs(request: StaffRequest) -> set[uuid.UUID]:
    require_auditor(request)
    return request.user.programs_with_role(Role.AUDITOR)
