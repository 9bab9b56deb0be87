"""Issue 21, finding 3: an export whose worker dies is recovered after its lease (failed, saying
why, partial files removed), and export files are private (0600 in a 0700 folder)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from bridge.fhir import export
from bridge.fhir.models import ExportJob
from bridge.fhir.tests.test_export import kickoff, poll, run_all


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    settings.BRIDGE_EXPORT_DIR = str(tmp_path / "exports")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_export_files_are_private(world, chart, fhir, client, token_for, settings):
    secret = token_for(user=world.director)
    kickoff(fhir, secret)
    run_all()
    job = ExportJob.objects.get()
    folder = export.export_dir(job)
    assert _mode(Path(settings.BRIDGE_EXPORT_DIR)) == 0o700 and _mode(folder) == 0o700
    files = list(folder.iterdir())
    assert files and all(_mode(f) == 0o600 for f in files)


def test_a_running_export_whose_worker_died_fails_after_its_lease_and_says_why(
    world, chart, fhir, client, token_for, settings
):
    secret = token_for(user=world.director)
    status_url = kickoff(fhir, secret)
    job = ExportJob.objects.get()
    folder = export.export_dir(job)
    folder.mkdir(parents=True)
    (folder / "Observation.ndjson").write_text('{"resourceType":"Observation"}\n')
    beat = timezone.now() - timedelta(seconds=settings.BRIDGE_JOB_LEASE_SECONDS - 30)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, heartbeat_at=beat)
    assert poll(client, secret, status_url).status_code == 202  # still within its lease
    assert export.exports_recover() == 0
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=beat - timedelta(seconds=60))
    answer = poll(client, secret, status_url)
    assert answer.status_code == 422
    assert "worker running this export stopped" in answer.json()["issue"][0]["diagnostics"]
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and job.finished_at is not None
    assert not folder.exists()


SLOW_EXPORT = """
import sys, time, django
django.setup()
from bridge.fhir import views
real = views.resource_of
def slow(*args, **kwargs):
    time.sleep(0.3)
    return real(*args, **kwargs)
views.resource_of = slow
from bridge.fhir import export
export.run(sys.argv[1])
"""


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_export_is_recovered(world, chart, fhir, client, token_for, settings):
    secret = token_for(user=world.director)
    status_url = kickoff(fhir, secret)
    job = ExportJob.objects.get()
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
        "BRIDGE_EXPORT_DIR": settings.BRIDGE_EXPORT_DIR,
        "DJANGO_SETTINGS_MODULE": "bridge.settings",
    }
    worker = subprocess.Popen([sys.executable, "-c", SLOW_EXPORT, str(job.pk)], env=env)
    folder = export.export_dir(job)
    try:
        for _ in range(300):  # until it is writing its first file
            if folder.exists() and any(folder.iterdir()):
                break
            time.sleep(0.1)
        assert any(folder.iterdir())
        assert all(_mode(f) == 0o600 for f in folder.iterdir())
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING  # what a killed worker leaves behind
    assert poll(client, secret, status_url).status_code == 202
    settings.BRIDGE_JOB_LEASE_SECONDS = 0  # the lease has run out
    time.sleep(0.01)
    assert poll(client, secret, status_url).status_code == 422
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not folder.exists()
