"""`bridge worker`: run background tasks (reminders, exports) from the database queue."""

import contextlib
import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils.crypto import get_random_string

from bridge.core import jobs, registry
from bridge.core.views import database_reachable, is_database_down

logger = logging.getLogger(__name__)

# While the database cannot be reached, how often the worker asks again.
RETRY_SECONDS = 2.0


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks' database backend)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Process what is queued, then exit.")
        parser.add_argument("--queue-name", default="*", help="Queue(s) to work on (default: all).")

    def handle(self, *args, batch: bool, queue_name: str, **options):
        # The database going away (restarted, failed over, a network cut) does not end the worker: it
        # waits for the database and starts again under a new id. A task it was running when the
        # database went is failed or queued again after the lease, like a killed worker's (core/jobs.py).
        while True:
            try:
                self.work(batch=batch, queue_name=queue_name)
                return
            except (OperationalError, InterfaceError) as exc:
                if batch or not is_database_down(exc):
                    raise
                logger.warning("The worker lost its database (%s); waiting for it to come back", exc)
            self.wait_for_database()

    def work(self, *, batch: bool, queue_name: str) -> None:
        worker_id = get_random_string(32)
        # Jobs a killed worker left running: failed, or queued again where that is safe (core/jobs.py).
        jobs.jobs_recover()
        # Periodic tasks keep themselves going once one run is queued; make sure each has one.
        # Apps register them from their AppConfig.ready() (bridge/core/registry.py).
        for task in registry.PERIODIC_TASKS:
            task.ensure()
        jobs.beat(worker_id)
        heartbeat = jobs.Heartbeat(worker_id)
        heartbeat.start()
        try:
            call_command(
                "db_worker",
                batch=batch,
                queue_name=queue_name,
                interval=1,
                startup_delay=not batch,
                reload=False,
                worker_id=worker_id,
            )
        finally:
            # Without a database the heartbeat's row stays; it goes stale and is swept (jobs_recover).
            with contextlib.suppress(DatabaseError):
                heartbeat.stop()

    def wait_for_database(self) -> None:
        while True:
            connections.close_all()
            time.sleep(RETRY_SECONDS)
            if database_reachable():
                logger.warning("The database is back; the worker starts again")
                return
