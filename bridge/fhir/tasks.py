"""Background tasks of the FHIR app (django-tasks, database queue; `bridge worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from bridge.fhir import export


@task()
def run_export(job_id: str) -> str:
    return str(export.run(job_id))
