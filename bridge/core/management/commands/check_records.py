"""`bridge check-records`: list records whose state disagrees with their workflow, or that the pages
cannot show as they are, each with the fix.

Exits 1 when anything is found (so it can run in monitoring), 0 when every record agrees.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from bridge.core.records import all_findings


class Command(BaseCommand):
    help = "Find records in states no workflow allows or that pages cannot show, and say the fix."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="One JSON object a line")

    def handle(self, *args, **options):
        findings = all_findings()
        for f in findings:
            if options["json"]:
                self.stdout.write(json.dumps(f.__dict__))
            else:
                self.stdout.write(f"{f.app}.{f.model} {f.pk}: {f.problem}\n    Fix: {f.fix}")
        if findings:
            raise CommandError(f"{len(findings)} record(s) need attention.")
        self.stdout.write("No records need attention. Every record agrees with its workflow.")
