"""`bridge worker`: run background tasks (reminders, exports) from the database queue."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks' database backend)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Process what is queued, then exit.")
        parser.add_argument("--queue-name", default="*", help="Queue(s) to work on (default: all).")

    def handle(self, *args, batch: bool, queue_name: str, **options):
        # Reminders keep themselves going once one sweep is queued; make sure there is one.
        from bridge.aftercare.tasks import ensure_sweep as ensure_aftercare_sweep
        from bridge.fhir.tasks import ensure_expiry
        from bridge.notify.tasks import ensure_sweep

        ensure_sweep()
        ensure_aftercare_sweep()  # the daily check-in sweep (bridge/aftercare/tasks.py)
        ensure_expiry()  # hourly: delete FHIR export files past BRIDGE_EXPORT_KEEP_HOURS
        from bridge.fhir.export import exports_recover

        exports_recover()  # exports a killed worker left running: failed, partial files removed
        call_command(
            "db_worker", batch=batch, queue_name=queue_name, interval=1, startup_delay=not batch, reload=False
        )
