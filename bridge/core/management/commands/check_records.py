"""`bridge check-records`: list records whose state disagrees with their workflow, with the fix.

Exits 1 when anything is found (so it can run in monitoring), 0 when every record agrees.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from bridge.core.records import all_findings


class Command(BaseCommand):
    help = "Find records in states no workflow allows (e.g. 'Active' with no open episode) and say the fix."

    def handle(self, *args, **options):
        findings = all_findings()
        if not findings:
            self.stdout.write("Every record agrees with its workflow.")
            return
        for f in findings:
            self.stdout.write(f"{f.app}.{f.model} {f.pk}: {f.problem}\n    Fix: {f.fix}")
        self.stdout.write(f"{len(findings)} record(s) need attention.")
        raise SystemExit(1)
