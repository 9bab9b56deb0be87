"""`bridge aftercare_sweep`: the daily aftercare job (also queued by `bridge worker`, see tasks.py)."""

from django.core.management.base import BaseCommand

from bridge.aftercare.followup import checkins_sweep


class Command(BaseCommand):
    help = "Send check-in links that fall due; turn missed check-ins into outreach work items."

    def handle(self, *args, **options):
        counts = checkins_sweep()
        self.stdout.write(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()))
