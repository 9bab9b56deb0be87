"""Reads of participants used by more than one view."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, Q, QuerySet

from bridge.participants.models import CareTeamMember, Participant


def active_team_prefetch() -> Prefetch:
    return Prefetch(
        "care_team",
        queryset=CareTeamMember.objects.filter(ended_at__isnull=True)
        .select_related("staff")
        .order_by("team_role"),
        to_attr="active_team",
    )


def participant_list(
    user, *, q: str = "", status: str = "", clinician: str = "", program_id=None
) -> QuerySet[Participant]:
    """Participants `user` may see, filtered; each carries `.active_team` (no query per row)."""
    qs = (
        Participant.objects.visible_to(user)
        .select_related("program")
        .prefetch_related(active_team_prefetch())
    )
    if program_id:
        qs = qs.filter(program_id=program_id)
    if q:
        for word in q.split()[:4]:
            qs = qs.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(preferred_name__icontains=word)
            )
    if status:
        qs = qs.filter(status=status)
    if clinician:
        qs = qs.filter(
            care_team__staff_id=uuid.UUID(clinician),  # a choice of the filter form: a user's id
            care_team__team_role=CareTeamMember.TeamRole.PRIMARY_CLINICIAN,
            care_team__ended_at__isnull=True,
        )
    return qs.order_by("last_name", "first_name", "id")


def caseload_for(user) -> QuerySet[Participant]:
    """Participants on whose active care team `user` sits."""
    return (
        Participant.objects.visible_to(user)
        .filter(care_team__staff=user, care_team__ended_at__isnull=True)
        .exclude(status__in=[Participant.Status.DISCHARGED, Participant.Status.ALUMNI])
        .select_related("program")
        .order_by("last_name", "first_name")
        .distinct()
    )
