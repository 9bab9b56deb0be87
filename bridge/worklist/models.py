"""Follow-up work that the software raises for a person: absences, unexpected screens, outreach."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bridge.core.dates import dates_in_range, in_db_range


class WorkItem(models.Model):
    """One piece of follow-up work for a staff member about a participant, open until resolved.

    `kind` says what raised it (e.g. "absence_followup", "uds_review", "outreach"); `source_type`
    and `source_id` point at the record that did, so the same cause never raises two open items.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "No longer needed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="work_items")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="work_items"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="work_items"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    due_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    # Safety escalations that cannot wait: listed first, with a red flag.
    urgent = models.BooleanField(default=False)
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "created_at"]
        indexes = [models.Index(fields=["assigned_to", "status"], name="workitem_assignee_status")]
        constraints = [
            dates_in_range("worklist_workitem_dates_in_range", dates=["due_on"]),
            models.UniqueConstraint(
                fields=["kind", "source_type", "source_id"],
                condition=Q(status="open") & ~Q(source_id=""),
                name="one_open_work_item_per_cause",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(resolved_at__isnull=False), name="resolved_work_item_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.OPEN and self.due_on is not None and self.due_on < timezone.localdate()
        )
