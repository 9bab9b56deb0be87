"""`bridge worker`: run background tasks (reminders, exports) from the database queue."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string

from bridge.core import jobs, registry


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks' database backend)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Process what is queued, then exit.")
        parser.add_argument("--queue-name", default="*", help="Queue(s) to work on (default: all).")

    def handle(self, *args, batch: bool, queue_name: str, **options):
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
            heartbeat.stop()
