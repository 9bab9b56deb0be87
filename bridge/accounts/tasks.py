"""The daily purge of abandoned form drafts as a background task; it re-enqueues itself for the next day."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from bridge.accounts.drafts import drafts_purge

PURGE_EVERY = timedelta(days=1)


@task()
def purge_drafts() -> int:
    deleted = drafts_purge()
    ensure_purge(delay=PURGE_EVERY)
    return deleted


def ensure_purge(*, delay: timedelta = timedelta(0)) -> None:
    """Queue a purge unless one is already waiting."""
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        waiting = DBTaskResult.objects.filter(task_path=purge_drafts.module_path, status="READY").exists()
        if not waiting:
            purge_drafts.using(run_after=timezone.now() + delay).enqueue()
