"""`bridge bootstrap`: the first organization, program and director of a new installation."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bridge.accounts.models import Role, User
from bridge.accounts.services import staff_create
from bridge.core.refusal import as_command_error
from bridge.programs.models import Organization, Program


class Command(BaseCommand):
    help = "Create an organization, a program and its first director (prints a one-time password)."

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True)
        parser.add_argument("--program", required=True)
        parser.add_argument("--time-zone", default="America/Los_Angeles")
        parser.add_argument("--director", required=True, help="username of the first director")
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--email", required=True)

    def handle(self, *args, **o):
        if User.objects.filter(username=o["director"]).exists():
            raise CommandError(f"A user named {o['director']!r} already exists.")
        with as_command_error(), transaction.atomic():
            org, _ = Organization.objects.get_or_create(name=o["organization"])
            program = Program.objects.filter(organization=org, name=o["program"]).first()
            if program is None:
                program = Program(organization=org, name=o["program"], time_zone=o["time_zone"])
                program.full_clean()
                program.save()
            user, password = staff_create(
                actor=None,
                program=program,
                username=o["director"],
                first_name=o["first_name"],
                last_name=o["last_name"],
                email=o["email"],
                roles=[Role.DIRECTOR],
            )
        self.stdout.write(self.style.SUCCESS(f"{program} is ready; director {user.username} created."))
        self.stdout.write(f"One-time password (shown once; the first sign-in replaces it): {password}")
