"""`bridge demo [--scale N]`: load the demo program once; re-running keeps existing data.

It refuses, writing nothing, in the production profile and on a database that already holds
records that are not the demo: the demo's logins share a published password and its API tokens
have published secrets.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bridge.demo import builder
from bridge.participants.models import Participant


class Command(BaseCommand):
    help = (
        "Load the demo program (only if it is not loaded yet). --scale N multiplies participants and history."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=1, help="Multiply participants and history (benchmarks)."
        )

    def handle(self, *args, scale: int, **options):
        if scale < 1 or scale > 500:
            raise CommandError("--scale must be between 1 and 500.")
        if settings.PRODUCTION:
            raise CommandError(
                "The production profile is on (BRIDGE_PROFILE=production): the demo is never loaded "
                "there. Its logins share a published password and its API tokens have published "
                "secrets. Nothing was written."
            )
        if builder.demo_loaded():
            self.stdout.write("The demo program is already loaded; keeping your data.")
        elif found := builder.other_data():
            listed = ", ".join(f"{n} {what}" for what, n in found.items())
            raise CommandError(
                f"This database already holds data that is not the demo ({listed}): the demo loads "
                "only into an empty database, so its published logins and tokens never join real "
                "records. Point DATABASE_URL at a new database to try the demo. Nothing was written."
            )
        else:
            self.stdout.write(f"Loading the demo program (scale {scale}) …")
            ctx = builder.build(scale=scale, stdout=self.stdout)
            loaded = Participant.objects.count()
            self.stdout.write(
                self.style.SUCCESS(f"Demo loaded: {loaded} participants, {len(ctx.staff)} staff accounts.")
            )
        self.stdout.write(
            "Logins: director, intake, therapist1, therapist2, prescriber, nurse, frontdesk, peer, auditor, "
            "billing\n"
            f"Password: {settings.BRIDGE_DEMO_PASSWORD}"
        )
