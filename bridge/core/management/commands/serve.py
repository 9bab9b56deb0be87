"""`bridge serve [ADDR:PORT]`: serve Bridge for local use (production runs gunicorn; see README)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Bridge on http://127.0.0.1:8000 (or ADDR:PORT) for local use and the demo."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        host, _, port = addrport.rpartition(":")
        shown = "127.0.0.1" if host in ("", "0.0.0.0") else host  # noqa: S104 - only formatting the URL
        self.stdout.write(f"\nBridge is serving at http://{shown}:{port}/")
        if settings.BRIDGE_DEMO:
            self.stdout.write(
                "Demo logins: director, intake, therapist1, therapist2, prescriber, nurse,"
                " frontdesk, billing, peer, auditor\n"
                f"Password for all of them: {settings.BRIDGE_DEMO_PASSWORD}\n"
            )
        call_command("runserver", addrport, use_reloader=False, use_threading=True)
