"""Background jobs outlive their worker: a lease with a heartbeat, then a retry or a plain failure.

`bridge worker` writes a heartbeat (`WorkerBeat`) every few seconds from a thread beside django-tasks'
`db_worker` loop. A task the queue shows RUNNING whose worker has not been heard from for the lease
(BRIDGE_JOB_LEASE_SECONDS) lost it: `kill -9`, a crash, the machine gone. `jobs_recover` marks it
FAILED, saying so (exception `WorkerLost`), and queues it again when its app registered it as safe
to repeat (`registry.RETRYABLE_TASKS`: a run that checks what is already done, like sending one
reminder), at most MAX_RETRIES times. A task claimed by a worker that never wrote a heartbeat (a bare
`db_worker`) has the lease counted from its start.

Recovery runs when a worker starts and, from each running worker's heartbeat thread, every
RECOVER_EVERY beats, so one live worker recovers the jobs of another that died. Work a job owns
beyond its queue row keeps its own lease (a FHIR export's files: bridge/fhir/export.py).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from bridge.core import registry
from bridge.core.models import WorkerBeat

logger = logging.getLogger(__name__)

MAX_RETRIES = 3
RECOVER_EVERY = 6  # beats


class WorkerLost(Exception):
    """The worker running this task stopped (killed or crashed) before it finished."""


LOST = (
    "bridge.core.jobs.WorkerLost: the worker running this task stopped (killed or crashed) before it "
    "finished; it was not heard from for the lease ({seconds} s). {then}"
)


def lease() -> timedelta:
    return timedelta(seconds=settings.BRIDGE_JOB_LEASE_SECONDS)


def beat_every() -> float:
    """Seconds between heartbeats: a quarter of the lease, so a slow beat or two is not a death."""
    return max(0.5, settings.BRIDGE_JOB_LEASE_SECONDS / 4)


def beat(worker_id: str, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if not WorkerBeat.objects.filter(worker_id=worker_id).update(beat_at=now):
        WorkerBeat.objects.create(worker_id=worker_id, started_at=now, beat_at=now)


def _earlier_losses(result: DBTaskResult[Any, Any]) -> int:
    lost = DBTaskResult.objects.filter(
        task_path=result.task_path,
        status=TaskResultStatus.FAILED,
        exception_class_path=f"{__name__}.WorkerLost",
    ).exclude(pk=result.pk)
    return sum(1 for other in lost.only("args_kwargs") if other.args_kwargs == result.args_kwargs)


def jobs_recover(*, now: datetime | None = None) -> int:
    """Fail (and, where safe, queue again) the running tasks whose worker's lease ran out. Returns
    how many were recovered."""
    now = now or timezone.now()
    stale = now - lease()
    beats = dict(WorkerBeat.objects.values_list("worker_id", "beat_at"))
    retryable = set(registry.RETRYABLE_TASKS)
    recovered = 0
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        worker = result.worker_ids[-1] if result.worker_ids else None
        heard = beats.get(worker) if worker else None
        if heard is None:
            heard = result.started_at  # no heartbeat: the lease runs from the task's start
        if heard is not None and heard >= stale:
            continue
        retry = result.task_path in retryable and _earlier_losses(result) < MAX_RETRIES
        then = "Queued again." if retry else "Not repeated: start it again if it is still needed."
        with transaction.atomic():
            if not DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{__name__}.WorkerLost",
                traceback=LOST.format(seconds=settings.BRIDGE_JOB_LEASE_SECONDS, then=then),
            ):
                continue  # finished (or recovered by another worker) meanwhile
            if retry:
                args = result.args_kwargs
                result.task.enqueue(*args.get("args", []), **args.get("kwargs", {}))
        logger.warning("Recovered task %s (%s) from lost worker %s", result.pk, result.task_path, worker)
        recovered += 1
    if recovered:
        # A periodic task re-queues itself at the end of its run; one that died did not.
        for periodic in registry.PERIODIC_TASKS:
            periodic.ensure()
    # Workers not heard from for a day are gone for good; their rows only grow the table.
    WorkerBeat.objects.filter(beat_at__lt=now - timedelta(days=1)).delete()
    return recovered


class Heartbeat(threading.Thread):
    """Beside the worker loop: write the worker's heartbeat, and now and then recover lost jobs."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        beats = 0
        try:
            while not self.stopped.wait(beat_every()):
                close_old_connections()
                try:
                    beat(self.worker_id)
                    beats += 1
                    if beats % RECOVER_EVERY == 0:
                        jobs_recover()
                except Exception:  # a database hiccup: try again at the next beat
                    logger.exception("Worker heartbeat failed")
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive():
            self.join(timeout=5)
        WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
