"""Core's own table: the background workers' heartbeats (bridge/core/jobs.py)."""

from __future__ import annotations

from django.db import models
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
