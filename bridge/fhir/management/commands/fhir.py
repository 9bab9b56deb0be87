"""`bridge fhir register-app|list-apps|disable-app`: apps participants may authorize, from the console.

`register-app` prints the new app's client_id on stdout (and nothing else there), so a script can
capture it: `CLIENT_ID=$(bridge fhir register-app --name "My app" --redirect-uri https://app/cb)`.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from bridge.core.refusal import as_command_error
from bridge.fhir import patient_services
from bridge.fhir.models import PatientApp


class Command(BaseCommand):
    help = "Register, list or disable apps participants may authorize (SMART App Launch with PKCE)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        register = sub.add_parser("register-app", help="Register an app and print its client_id.")
        register.add_argument("--name", required=True, help="Shown to the participant")
        register.add_argument(
            "--redirect-uri",
            action="append",
            required=True,
            dest="redirect_uris",
            help="Exact redirect URI (https://, or http://localhost); repeat for several",
        )
        register.add_argument(
            "--scopes", default="launch/patient patient/*.read", help="The most it may ask for"
        )
        register.add_argument("--publisher", default="", help="Who makes the app")
        register.add_argument("--contact", default="", help="An email address or web page about the app")
        register.add_argument(
            "--program", default=None, help="Program id or exact name (default: every program)"
        )
        sub.add_parser("list-apps", help="List registered apps.")
        disable = sub.add_parser("disable-app", help="Disable an app (by client_id): its tokens stop.")
        disable.add_argument("client_id")

    def handle(self, *args, action: str, **options):
        if action == "register-app":
            self._register(**options)
        elif action == "disable-app":
            app = PatientApp.objects.filter(application__client_id=options["client_id"]).first()
            if app is None:
                raise CommandError(f"No app with client_id {options['client_id']!r}.")
            patient_services.patient_app_disable(actor=None, app=app)
            self.stdout.write(f"Disabled {app.name}.")
        else:
            for app in PatientApp.objects.select_related("application", "program"):
                where = app.program.name if app.program else "every program"
                self.stdout.write(f"{app.client_id}  {app.status:8}  {app.name}  ({where})  {app.scopes}")

    def _register(self, *, name, redirect_uris, scopes, publisher, contact, program, **_):
        from bridge.programs.models import Program

        chosen = None
        if program:
            chosen = (
                Program.objects.filter(pk=program).first()
                if len(program) == 36
                else Program.objects.filter(name=program).first()
            )
            if chosen is None:
                raise CommandError(f"No program {program!r}.")
        with as_command_error():
            app = patient_services.patient_app_register(
                actor=None,
                name=name,
                redirect_uris=redirect_uris,
                scopes=scopes,
                publisher=publisher,
                contact=contact,
                program=chosen,
            )
        self.stderr.write(f"Registered {app.name} (public client, PKCE S256). client_id:")
        self.stdout.write(app.client_id)
