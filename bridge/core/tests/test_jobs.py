"""Issue 21, finding 3 beyond exports: a background task whose worker died is failed after the lease,
saying so, and queued again where that is safe; a live worker's tasks are left alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from bridge.core import jobs, registry
from bridge.core.models import WorkerBeat
from bridge.notify.tasks import send_reminder, sweep_reminders


@task()
def slow_once(marker: str) -> str:
    """The first run stalls (a worker to kill mid-run); a second run finds the marker and is done."""
    path = Path(marker)
    if not path.exists():
        path.write_text("started")
        time.sleep(120)
    return "done"


def _running(t, *args, worker: str, started_ago: timedelta) -> DBTaskResult:
    result = DBTaskResult.objects.get(pk=t.enqueue(*args).id)
    DBTaskResult.objects.filter(pk=result.pk).update(
        status=TaskResultStatus.RUNNING, worker_ids=[worker], started_at=timezone.now() - started_ago
    )
    return result


def test_a_task_whose_worker_died_is_failed_saying_so_and_a_safe_one_is_queued_again(db, settings):
    settings.BRIDGE_JOB_LEASE_SECONDS = 60
    now = timezone.now()
    jobs.beat("dead", now=now - timedelta(seconds=61))
    jobs.beat("alive", now=now - timedelta(seconds=10))
    lost = _running(send_reminder, "r-1", worker="dead", started_ago=timedelta(minutes=5))
    busy = _running(send_reminder, "r-2", worker="alive", started_ago=timedelta(minutes=5))
    assert jobs.jobs_recover(now=now) == 1
    lost.refresh_from_db()
    busy.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED and lost.finished_at == now
    assert lost.exception_class_path == "bridge.core.jobs.WorkerLost"
    assert "stopped (killed or crashed)" in lost.traceback and "Queued again" in lost.traceback
    assert busy.status == TaskResultStatus.RUNNING
    again = DBTaskResult.objects.get(task_path=send_reminder.module_path, status=TaskResultStatus.READY)
    assert again.args_kwargs == lost.args_kwargs
    assert jobs.jobs_recover(now=now) == 0  # nothing twice


def test_a_task_that_is_not_safe_to_repeat_is_failed_and_not_queued_again(db, settings):
    settings.BRIDGE_JOB_LEASE_SECONDS = 60
    assert sweep_reminders.module_path not in set(registry.RETRYABLE_TASKS)
    lost = _running(sweep_reminders, worker="gone", started_ago=timedelta(minutes=5))
    assert jobs.jobs_recover() == 1
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED and "Not repeated" in lost.traceback
    # ... but the periodic sweep it would have queued at its end is queued again.
    waiting = DBTaskResult.objects.filter(
        task_path=sweep_reminders.module_path, status=TaskResultStatus.READY
    )
    assert waiting.count() == 1


def test_without_a_heartbeat_the_lease_runs_from_the_start(db, settings):
    settings.BRIDGE_JOB_LEASE_SECONDS = 60
    fresh = _running(send_reminder, "r-3", worker="bare", started_ago=timedelta(seconds=30))
    old = _running(send_reminder, "r-4", worker="bare", started_ago=timedelta(seconds=90))
    assert jobs.jobs_recover() == 1
    assert DBTaskResult.objects.get(pk=fresh.pk).status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.get(pk=old.pk).status == TaskResultStatus.FAILED


def test_a_task_that_keeps_losing_its_worker_is_retried_at_most_a_few_times(db, settings):
    settings.BRIDGE_JOB_LEASE_SECONDS = 60
    for _ in range(jobs.MAX_RETRIES + 2):
        DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=send_reminder.module_path
        ).delete()
        _running(send_reminder, "r-5", worker="gone", started_ago=timedelta(minutes=5))
        jobs.jobs_recover()
    failed = DBTaskResult.objects.filter(task_path=send_reminder.module_path, status=TaskResultStatus.FAILED)
    assert failed.count() == jobs.MAX_RETRIES + 2
    assert sum("Queued again" in f.traceback for f in failed) == jobs.MAX_RETRIES


def test_the_heartbeat_is_written_and_removed_when_the_worker_stops(db):
    jobs.beat("w1")
    first = WorkerBeat.objects.get(worker_id="w1").beat_at
    jobs.beat("w1", now=first + timedelta(seconds=5))
    assert WorkerBeat.objects.get(worker_id="w1").beat_at == first + timedelta(seconds=5)
    heartbeat = jobs.Heartbeat("w1")
    heartbeat.stop()  # never started: stopping only forgets the worker
    assert not WorkerBeat.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_task_is_recovered_and_the_task_runs_again(settings, tmp_path):
    marker = tmp_path / "started"
    result = DBTaskResult.objects.get(pk=slow_once.enqueue(str(marker)).id)
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
        "DJANGO_SETTINGS_MODULE": "bridge.settings",
        "BRIDGE_JOB_LEASE_SECONDS": "2",
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[3]), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-c", "from bridge.cli import main; main()", "worker"]
    worker = subprocess.Popen(command, env=env)
    try:
        for _ in range(600):  # until the task is running
            if marker.exists():
                break
            time.sleep(0.1)
        assert marker.exists()
        result.refresh_from_db()
        assert result.status == TaskResultStatus.RUNNING
        assert WorkerBeat.objects.filter(worker_id=result.worker_ids[-1]).exists()
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    result.refresh_from_db()
    assert result.status == TaskResultStatus.RUNNING  # what a killed worker leaves behind
    settings.BRIDGE_JOB_LEASE_SECONDS = 2
    time.sleep(2.5)
    registry.RETRYABLE_TASKS.register(slow_once.module_path, app="core")  # this test task may repeat
    try:
        assert jobs.jobs_recover() == 1
    finally:
        registry.RETRYABLE_TASKS._entries = [
            e for e in registry.RETRYABLE_TASKS._entries if e.item != slow_once.module_path
        ]
    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    assert result.exception_class_path == "bridge.core.jobs.WorkerLost"
    # A new worker runs the task again; this time it completes.
    subprocess.run([*command, "--batch"], env=env, check=True, timeout=300)
    again = DBTaskResult.objects.exclude(pk=result.pk).get(task_path=slow_once.module_path)
    assert again.status == TaskResultStatus.SUCCESSFUL and again.return_value == "done"


def test_the_worker_waits_for_a_lost_database_and_starts_again_under_a_new_id(db, monkeypatch):
    """bench/faults.py found `bridge worker` exited (1) when the database went away for 15 s; it now
    waits for the database and carries on (its interrupted task is recovered after the lease)."""
    from django.db import OperationalError, connections

    from bridge.core.management.commands import worker

    ids: list[str] = []

    def db_worker(name, **options):
        ids.append(options["worker_id"])
        if len(ids) == 1:
            raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    asked: list[int] = []

    def reachable() -> bool:
        asked.append(1)
        return len(asked) > 1  # down at the first ask, back at the second

    monkeypatch.setattr(worker, "call_command", db_worker)
    monkeypatch.setattr(worker, "RETRY_SECONDS", 0)
    monkeypatch.setattr(worker, "database_reachable", reachable)
    # Closing every connection would close the test's own (inside its transaction, on PostgreSQL).
    monkeypatch.setattr(connections, "close_all", lambda: None)
    worker.Command().handle(batch=False, queue_name="*")
    assert len(ids) == 2 and ids[0] != ids[1]
    assert len(asked) == 2  # it asked until the database answered
    assert not WorkerBeat.objects.exists()  # the second run stopped cleanly


def test_a_bug_in_the_worker_is_not_mistaken_for_a_lost_database(db, monkeypatch):
    from django.db import OperationalError

    from bridge.core.management.commands import worker

    def db_worker(name, **options):
        raise OperationalError("no such table: django_tasks_database_dbtaskresult")

    monkeypatch.setattr(worker, "call_command", db_worker)
    with pytest.raises(OperationalError):
        worker.Command().handle(batch=False, queue_name="*")
