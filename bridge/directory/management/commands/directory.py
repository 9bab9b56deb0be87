"""`bridge directory import PATH`: read SAMHSA FindTreatment.gov facility data into the public directory."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bridge.core.dates import Span
from bridge.directory import importer, services


def _as_of(value: str) -> date:
    try:
        day = date.fromisoformat(value)
        Span.RECORD.check(day)
    except (ValueError, ValidationError):
        raise CommandError(
            f"--as-of must be a date like 2025-08-27, not in the future, not {value!r}"
        ) from None
    return day


class Command(BaseCommand):
    help = "Public directory tools. `import PATH` reads a FindTreatment.gov CSV or locator JSON file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser(
            "import",
            help="Add or update facilities from a FindTreatment directory CSV, locator API JSON or "
            "National Directory code CSV. Re-importing the same file changes nothing.",
        )
        imp.add_argument("path", type=Path)
        imp.add_argument("--as-of", dest="as_of", help="When SAMHSA published this data (YYYY-MM-DD)")
        imp.add_argument("--dry-run", action="store_true", help="Report what would change; keep nothing")
        imp.add_argument("--show", type=int, default=20, help="How many rejected rows to list (default 20)")

    def handle(self, *args, subcommand: str, **options):
        if subcommand == "import":
            self._import(options["path"], options.get("as_of"), options["dry_run"], options["show"])

    def _import(self, path: Path, as_of: str | None, dry_run: bool, show: int) -> None:
        if not path.is_file():
            raise CommandError(f"No file at {path}")
        try:
            report = services.facility_import(
                path=path, as_of=_as_of(as_of) if as_of else None, dry_run=dry_run
            )
        except importer.FileError as exc:
            raise CommandError(str(exc)) from None
        run = report.run
        self.stdout.write(f"{path.name}: {importer.Format.LABELS[run.source_format]}, {run.rows} rows")
        summary = (
            f"added {run.added}, updated {run.updated}, unchanged {run.unchanged}, rejected {run.rejected}"
        )
        if dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run, nothing kept: would have {summary}"))
        else:
            self.stdout.write(self.style.SUCCESS(summary.capitalize()))
        for rejection in report.rejections[:show]:
            who = f" ({rejection.name})" if rejection.name else ""
            self.stdout.write(f"  line {rejection.line}{who}: {rejection.reason}")
        if len(report.rejections) > show:
            self.stdout.write(f"  … and {len(report.rejections) - show} more rejected rows")
        if run.unmapped_labels:
            top = ", ".join(f"“{label}” ({n} rows)" for label, n in list(run.unmapped_labels.items())[:5])
            self.stdout.write(f"Service labels kept as written but not mapped to a code: {top}")
