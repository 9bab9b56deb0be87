"""Raising and resolving work items; both audited."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.worklist.models import WorkItem


def work_item_open(
    *,
    participant,
    assigned_to,
    kind: str,
    title: str,
    detail: str = "",
    due_on: date | None = None,
    source_type: str = "",
    source_id: str = "",
    actor=None,
    urgent: bool = False,
) -> WorkItem:
    """Raise a work item; if one is already open for the same cause, return it instead of a twin."""
    with transaction.atomic():
        if source_id:
            existing = WorkItem.objects.filter(
                kind=kind, source_type=source_type, source_id=str(source_id), status=WorkItem.Status.OPEN
            ).first()
            if existing is not None:
                return existing
        item = WorkItem(
            program=participant.program,
            participant=participant,
            assigned_to=assigned_to,
            kind=kind,
            title=title,
            detail=detail,
            due_on=due_on,
            urgent=urgent,
            source_type=source_type,
            source_id=str(source_id),
        )
        item.full_clean()
        item.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="work_item",
            object_id=str(item.pk),
            detail={"kind": kind},
        )
    return item


def work_item_resolve(
    *, actor, item: WorkItem, resolution: str, status: str = WorkItem.Status.DONE
) -> WorkItem:
    if status not in (WorkItem.Status.DONE, WorkItem.Status.CANCELLED):
        raise ValidationError({"status": "Resolve as done or no longer needed."})
    if not resolution.strip():
        raise ValidationError({"resolution": "Say what was done."})
    if item.status != WorkItem.Status.OPEN:
        raise ValidationError({"status": "This item is already resolved."})
    with transaction.atomic():
        item.status = status
        item.resolution = resolution.strip()
        item.resolved_at = timezone.now()
        # A participant acting in their own app (bridge/portal) is no staff user: nobody is named.
        item.resolved_by = actor if getattr(actor, "is_authenticated", False) else None
        item.save(update_fields=["status", "resolution", "resolved_at", "resolved_by"])
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=item.participant,
            object_type="work_item",
            object_id=str(item.pk),
            detail={"status": status},
        )
    return item
