"""The daily aftercare sweep as a background task; it re-enqueues itself for the next day."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from bridge.aftercare.followup import checkins_sweep

SWEEP_EVERY = timedelta(days=1)


@task()
def sweep_checkins() -> dict:
    counts = checkins_sweep()
    ensure_sweep(delay=SWEEP_EVERY)
    return counts


def ensure_sweep(*, delay: timedelta = timedelta(0)) -> None:
    """Queue a sweep unless one is already waiting."""
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        waiting = DBTaskResult.objects.filter(task_path=sweep_checkins.module_path, status="READY").exists()
        if not waiting:
            sweep_checkins.using(run_after=timezone.now() + delay).enqueue()
