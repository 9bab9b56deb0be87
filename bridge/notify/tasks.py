"""Background tasks (django-tasks, database queue; `bridge worker` runs them).

`sweep_reminders` queues what is due and re-enqueues itself a few minutes later, so a running
worker keeps reminders flowing with no separate scheduler; `bridge worker` starts the first one.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from bridge.notify import reminders

SWEEP_EVERY = timedelta(minutes=5)


@task()
def send_reminder(reminder_id: str) -> str:
    return reminders.send(reminder_id)


@task()
def sweep_reminders() -> int:
    created = reminders.queue_due()
    for reminder in created:
        send_reminder.enqueue(str(reminder.pk))
    ensure_sweep(delay=SWEEP_EVERY)
    return len(created)


def ensure_sweep(*, delay: timedelta = timedelta(0)) -> None:
    """Queue a sweep unless one is already waiting."""
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        waiting = DBTaskResult.objects.filter(task_path=sweep_reminders.module_path, status="READY").exists()
        if not waiting:
            sweep_reminders.using(run_after=timezone.now() + delay).enqueue()
