"""`bridge token create|revoke|list`: API tokens from the console (the secret is printed once)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bridge.core.refusal import as_command_error
from bridge.fhir import services
from bridge.fhir.models import ApiToken


class Command(BaseCommand):
    help = "Create, list or revoke API tokens for the FHIR API."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a token and print it once.")
        create.add_argument("--scopes", required=True, help='e.g. "user/*.read" or "system/*.read"')
        create.add_argument("--user", help="USERNAME the token acts as (user/ scopes)")
        create.add_argument("--recipient", help="Recipient id or exact name (system/ scopes)")
        create.add_argument(
            "--purpose", default="TREAT", help="Purpose of use for system/ scopes (TREAT, ...)"
        )
        create.add_argument("--name", default="", help="What the token is for")
        create.add_argument(
            "--expires-days",
            type=int,
            default=None,
            help="Stop working after this many days (default: never)",
        )
        create.add_argument(
            "--by", help="USERNAME of the director issuing a system token (its accounting names them)"
        )
        revoke = sub.add_parser("revoke", help="Revoke a token by id or prefix.")
        revoke.add_argument("token")
        sub.add_parser("list", help="List tokens (never their secrets).")

    def handle(self, *args, action: str, **options):
        if action == "create":
            self._create(**options)
        elif action == "revoke":
            self._revoke(options["token"])
        else:
            for t in ApiToken.objects.select_related("user", "recipient"):
                who = t.user.username if t.user else f"{t.recipient} ({t.purpose})"
                self.stdout.write(f"{t.pk}  {t.prefix}…  {t.status:8}  {who}  {t.scopes}  {t.name}")

    def _create(
        self,
        *,
        scopes: str,
        user: str | None,
        recipient: str | None,
        purpose: str,
        name: str,
        by: str | None,
        expires_days: int | None = None,
        **_,
    ):
        from bridge.accounts.models import User
        from bridge.privacy.models import Recipient

        account = None
        if user:
            account = User.objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"No user {user!r}.")
        client = None
        if recipient:
            client = (
                Recipient.objects.filter(pk=recipient).first()
                if len(recipient) == 36
                else Recipient.objects.filter(name=recipient).first()
            )
            if client is None:
                raise CommandError(f"No recipient {recipient!r}.")
        director = None
        if by:
            director = User.objects.filter(username=by).first()
            if director is None:
                raise CommandError(f"No user {by!r}.")
        label = name or (f"{user} (console)" if user else f"{recipient} (console)")
        if expires_days is not None and not 1 <= expires_days <= 3650:
            raise CommandError("--expires-days must be between 1 and 3650.")
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        with as_command_error():
            issued = services.token_create(
                actor=director,
                name=label,
                scopes=scopes,
                user=account,
                recipient=client,
                purpose=purpose,
                expires_at=expires_at,
            )
        self.stderr.write(f"Token {issued.token.pk} ({issued.token.scopes}). Shown once; store it now:")
        self.stdout.write(issued.secret)

    def _revoke(self, key: str):
        token = ApiToken.objects.filter(pk=key).first() if len(key) == 36 else None
        token = token or ApiToken.objects.filter(prefix=key).first()
        if token is None:
            raise CommandError(f"No token {key!r}.")
        services.token_revoke(actor=None, token=token)
        self.stdout.write(f"Revoked {token.pk}.")
