"""`bridge audit verify`: walk the hash chain and fail on the first altered, removed or moved event."""

from django.core.management.base import BaseCommand, CommandError

from bridge.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. `verify` checks the hash chain end to end."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="Check every event's hash and its link to the one before.")

    def handle(self, *args, subcommand: str, **options):
        if subcommand == "verify":
            report = audit_verify()
            if not report.ok:
                raise CommandError(
                    f"Audit chain broken after checking {report.checked} events: {report.problem}"
                )
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))
