"""`bridge check-records`: list stored records that need attention (exit 1 when there are any)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from bridge.core.records import all_findings


class Command(BaseCommand):
    help = "Report stored records the pages cannot show as they are, and what to do about each."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="One JSON object a line")

    def handle(self, *args, **options):
        findings = list(all_findings())
        for f in findings:
            if options["json"]:
                self.stdout.write(json.dumps(f.__dict__))
            else:
                self.stdout.write(f"{f.app}.{f.model} {f.pk}: {f.problem}\n    fix: {f.fix}")
        if findings:
            raise CommandError(f"{len(findings)} record(s) need attention.")
        self.stdout.write("No records need attention.")
