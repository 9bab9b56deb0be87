"""Background tasks of the FHIR app (django-tasks, database queue; `bridge worker` runs them)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from bridge.fhir import export

EXPIRE_EVERY = timedelta(hours=1)


@task()
def run_export(job_id: str) -> str:
    return str(export.run(job_id))


@task()
def expire_exports() -> int:
    """Delete finished exports' files past the retention period; runs hourly, re-enqueuing itself."""
    export.exports_recover()  # a job whose worker died: failed, partial files removed
    expired = export.exports_expire()
    ensure_expiry(delay=EXPIRE_EVERY)
    return expired


def recover_and_ensure_expiry() -> None:
    """At the worker's start: fail the exports a killed worker left running (their partial files go),
    then make sure an expiry run is queued."""
    from bridge.fhir.export import exports_recover

    exports_recover()
    ensure_expiry()


def ensure_expiry(*, delay: timedelta = timedelta(0)) -> None:
    """Queue an expiry run unless one is already waiting."""
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        waiting = DBTaskResult.objects.filter(task_path=expire_exports.module_path, status="READY").exists()
        if not waiting:
            expire_exports.using(run_after=timezone.now() + delay).enqueue()
