"""`bridge worker`: run background tasks (reminders, exports) from the database queue."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from bridge.core import registry


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks' database backend)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Process what is queued, then exit.")
        parser.add_argument("--queue-name", default="*", help="Queue(s) to work on (default: all).")

    def handle(self, *args, batch: bool, queue_name: str, **options):
        # Periodic tasks keep themselves going once one run is queued; make sure each has one.
        # Apps register them from their AppConfig.ready() (bridge/core/registry.py).
        for task in registry.PERIODIC_TASKS:
            task.ensure()
        call_command(
            "db_worker", batch=batch, queue_name=queue_name, interval=1, startup_delay=not batch, reload=False
        )
