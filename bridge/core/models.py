"""Core's own table, the background workers' heartbeats (bridge/core/jobs.py), and the abstract
models the apps' records share (an addendum to a signed record)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class WorkerBeat(models.Model):
    """A running `bridge worker`, heard from at `beat_at` (it writes every few seconds). A job its
    worker claimed is lost when the worker has not been heard from for the lease
    (BRIDGE_JOB_LEASE_SECONDS): killed, crashed, or its machine gone."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Worker {self.worker_id}"


class AddendumBase(models.Model):
    """A later addition to a signed record (a progress note, a discharge summary): who added it, when,
    why, and what it says. The record itself stays as it was signed; an addendum is never changed
    and never deleted (each concrete table's triggers, in its app's migrations, refuse both).

    A concrete addendum adds the record it belongs to (a ForeignKey with `related_name="addenda"`),
    its `__str__`, and in its Meta the `addendum_complete` CHECK under its own name."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200)
    text = models.TextField()

    class Meta:
        abstract = True
        ordering = ["created_at"]


def addendum_complete(name: str) -> models.CheckConstraint:
    """The CHECK every addendum table has: a reason and a text, neither empty."""
    return models.CheckConstraint(condition=~Q(reason="") & ~Q(text=""), name=name)
