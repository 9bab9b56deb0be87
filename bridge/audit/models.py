"""The tamper-evident audit log."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils import timezone

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One append-only record of an access or change: who, to whose record, what, when, from where.

    Events form a hash chain: each stores the hash of the one before it (by `seq`), and its own
    hash covers every field below, so changing, removing or reordering a row breaks the chain.
    A trigger also rejects UPDATE and DELETE on this table (PostgreSQL and SQLite).
    """

    id = models.BigAutoField(primary_key=True)
    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="Username at the time, or 'system'")
    participant = models.ForeignKey(
        "participants.Participant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    outcome = models.CharField(max_length=10, default="success")
    request_id = models.CharField(max_length=64, blank=True)
    client_ip = models.CharField(max_length=45, blank=True)
    channel = models.CharField(max_length=10, default="system")
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["participant", "occurred_at"], name="audit_participant_time"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def canonical(self) -> bytes:
        """The exact bytes the hash covers. Changing this format breaks every existing chain."""
        occurred = self.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
        payload = [
            self.seq,
            occurred,
            str(self.actor_id) if self.actor_id else None,
            self.actor_label,
            str(self.participant_id) if self.participant_id else None,
            self.action,
            self.object_type,
            self.object_id,
            self.outcome,
            self.request_id,
            self.client_ip,
            self.channel,
            self.detail,
            self.prev_hash,
        ]
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()
