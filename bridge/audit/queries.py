"""Reads of the audit log for auditors."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from bridge.audit.models import AuditEvent


def audit_event_list(
    *, participant=None, actor: str = "", action: str = "", outcome: str = "", date_from=None, date_to=None
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("participant").order_by("-seq")
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
