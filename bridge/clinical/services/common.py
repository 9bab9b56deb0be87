"""Small helpers the clinical services share: credentials, the primary clinician, audit shorthand."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone

from bridge.accounts import credentials
from bridge.accounts.models import Credential, Role, User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.participants.models import CareTeamMember, Participant

LICENSED_KINDS = [c.code for c in credentials.CREDENTIAL_TYPES if c.licensed]
SUPERVISOR_KINDS = [c.code for c in credentials.CREDENTIAL_TYPES if c.licensed and c.clinical]
PRESCRIBER_KINDS = [c.code for c in credentials.CREDENTIAL_TYPES if c.prescriber]


def _current(user: User, kinds: list[str], day: date | None) -> bool:
    day = day or timezone.localdate()
    return Credential.objects.filter(user=user, kind__in=kinds, expires_on__gte=day).exists()


def is_licensed(user: User, day: date | None = None) -> bool:
    """A current state license of any kind. Certification alone (CADC, CPRS) is not a license."""
    return _current(user, LICENSED_KINDS, day)


def can_cosign(user: User, program_id, day: date | None = None) -> bool:
    """Clinical supervisors: the program's directors holding a current clinical license.

    (Bridge has no supervisor assignment yet; the licensed program director supervises.)
    """
    return user.has_role(Role.DIRECTOR, program_id) and _current(user, SUPERVISOR_KINDS, day)


def can_prescribe(user: User, program_id, day: date | None = None) -> bool:
    return user.has_role(Role.PRESCRIBER, program_id) and _current(user, PRESCRIBER_KINDS, day)


def primary_clinician(participant: Participant) -> User | None:
    member = (
        CareTeamMember.objects.filter(
            participant=participant,
            team_role=CareTeamMember.TeamRole.PRIMARY_CLINICIAN,
            ended_at__isnull=True,
        )
        .select_related("staff")
        .first()
    )
    return member.staff if member else None


def review_owner(participant: Participant) -> User | None:
    """Who gets follow-up work about the participant: the primary clinician, else a program director."""
    owner = primary_clinician(participant)
    if owner is None:
        owner = (
            User.objects.filter(
                is_active=True, roles__program_id=participant.program_id, roles__role=Role.DIRECTOR
            )
            .order_by("last_name", "username")
            .first()
        )
    return owner


def audit(action: Action, *, actor, participant, obj, detail: dict | None = None) -> None:
    audit_record(
        action=action,
        actor=actor,
        participant=participant,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        detail=detail,
    )


def not_in_error() -> Q:
    return Q(error_at__isnull=True)
