"""Reads of the audit log for auditors."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.core.roles import Role


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """Events an auditor may review: about their programs' participants, or by their programs' staff.

    Events with neither a participant nor a known actor (failed sign-ins, system jobs) carry no
    participant data and are shown to every auditor.
    """
    programs = user.programs_with_role(Role.AUDITOR)
    if not programs:
        return AuditEvent.objects.none()
    staff = get_user_model().objects.filter(roles__program_id__in=programs).values("pk")
    return AuditEvent.objects.filter(
        Q(participant__program_id__in=programs)
        | (Q(participant__isnull=True) & (Q(actor_id__in=staff) | Q(actor__isnull=True)))
    )


def audit_event_list(
    user,
    *,
    participant=None,
    actor: str = "",
    action: str = "",
    outcome: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[AuditEvent]:
    qs = audit_events_visible_to(user).select_related("participant").order_by("-seq")
    if participant:
        qs = qs.filter(participant_id=participant)
    if actor:
        qs = qs.filter(actor_label=actor)
    if action:
        qs = qs.filter(action=action)
    if outcome:
        qs = qs.filter(outcome=outcome)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(occurred_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(occurred_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    return qs
