"""Every write of the FHIR app: tokens made and revoked, exports started, cancelled and finished."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.accounts.models import Role
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core.tokens import new_token, token_hash
from bridge.fhir import scopes as scope_rules
from bridge.fhir.models import ApiPolicy, ApiToken, BackendClient, ExportJob
from bridge.privacy.vocab import Purpose

TOKEN_PREFIX = "brg_"  # noqa: S105 (a marker that makes leaked tokens recognisable, not a secret)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def token_create(
    *,
    actor,
    name: str,
    scopes: str,
    user=None,
    program=None,
    recipient=None,
    purpose: str = "",
    expires_at: datetime | None = None,
) -> IssuedToken:
    """Issue a token. `user` for a user token; `program` + `recipient` + `purpose` for a system token.

    `actor` None means the console (`bridge token create`), which the operator runs with server access.
    """
    from bridge.fhir.registry import TYPES

    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Say what the token is for."
    try:
        parsed = scope_rules.parse(scopes, known_types=frozenset(TYPES))
    except scope_rules.ScopeError as exc:
        errors["scopes"] = str(exc)
        parsed = []
    kind = parsed[0].context if parsed else ""
    if kind == ApiToken.Kind.PATIENT:
        # Only the participant grants patient/ access, to an app, on the consent screen.
        errors["scopes"] = "patient/ scopes are granted by the participant to an app, not issued here."
    if kind == ApiToken.Kind.USER:
        if user is None:
            errors["user"] = "A user/ token needs the staff member it acts for."
        elif not user.is_active:
            errors["user"] = "That account is deactivated."
        recipient = None
        program = None
    elif kind == ApiToken.Kind.SYSTEM:
        if recipient is None:
            errors["recipient"] = "A system/ token is issued to a recipient (the client organization)."
        elif program is not None and recipient.program_id != program.pk:
            errors["recipient"] = "The recipient belongs to another program."
        if purpose not in Purpose.values:
            errors["purpose"] = "Choose the purpose the client receives records for."
        if recipient is not None:
            program = recipient.program
        if program is not None and backend_services_required(program):
            errors["scopes"] = (
                "This program requires SMART Backend Services for system clients: register the client "
                "with its public key instead of issuing a static token."
            )
        if actor is None:
            # Releases through a system token are disclosures; their accounting names who authorized them.
            errors["program"] = "A system token is issued by a director of the recipient's program."
        user = None
    if actor is not None and program is not None and not actor.has_role(Role.DIRECTOR, program.pk):
        errors["program"] = "Only the program's director issues tokens for it."
    if actor is not None and user is not None and user != actor:
        # A token acts with all of its staff member's access: a director may issue one only for
        # someone whose every program they direct, and never an auditor's (the audit log).
        if user.program_ids() - actor.programs_with_role(Role.DIRECTOR):
            errors["user"] = (
                "This staff member works in a program you do not direct; they can issue their own "
                "token, or an operator can at the console."
            )
        elif user.has_role(Role.AUDITOR):
            errors["user"] = "An auditor's token is issued by the auditor or by an operator at the console."
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + new_token()
    with transaction.atomic():
        token = ApiToken(
            name=name.strip(),
            kind=kind,
            user=user,
            program=program,
            recipient=recipient,
            purpose=purpose if kind == ApiToken.Kind.SYSTEM else "",
            scopes=" ".join(str(s) for s in parsed),
            prefix=secret[:10],
            token_hash=token_hash(secret),
            created_by=actor,
            expires_at=expires_at,
        )
        token.full_clean()
        token.save()
        audit_record(
            action=Action.TOKEN_CREATED,
            actor=actor,
            object_type="api_token",
            object_id=str(token.pk),
            detail={"kind": kind, "scopes": token.scopes, "user": str(user.pk) if user else None},
        )
    return IssuedToken(token, secret)


# The fields an issued access token takes from rows the token endpoint has just loaded and checked
# (the client, its program and recipient; the participant's grant): validating them again costs one
# query each. The token hash's uniqueness and the table's CHECK constraints are the database's own
# (a violation fails the insert); validating them first cost nine more queries, half of the endpoint.
ISSUED_TOKEN_TRUSTED = [
    "user",
    "program",
    "recipient",
    "created_by",
    "revoked_by",
    "backend_client",
    "participant",
    "patient_grant",
    "token_hash",
]


def issued_token_clean(token: ApiToken) -> None:
    """full_clean for a token the endpoint issues: every field's own validation (lengths, dates in
    range), not the lookups the rows it came from already answer (see ISSUED_TOKEN_TRUSTED)."""
    token.full_clean(exclude=ISSUED_TOKEN_TRUSTED, validate_unique=False, validate_constraints=False)


def backend_services_required(program) -> bool:
    return ApiPolicy.objects.filter(program=program, backend_services_required=True).exists()


def api_policy_set(*, actor, program, backend_services_required: bool) -> ApiPolicy:
    """The director requires (or stops requiring) SMART Backend Services for new system clients."""
    if not actor.has_role(Role.DIRECTOR, program.pk):
        raise ValidationError({"backend_services_required": "Only the program's director sets this."})
    with transaction.atomic(durable=True):
        policy, _ = ApiPolicy.objects.select_for_update().get_or_create(program=program)
        policy.backend_services_required = backend_services_required
        policy.updated_by = actor
        policy.updated_at = timezone.now()
        policy.save()
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            object_type="api_policy",
            object_id=str(policy.pk),
            detail={"backend_services_required": backend_services_required, "program": str(program.pk)},
        )
    return policy


def backend_client_register(
    *, actor, name: str, recipient, purpose: str, scopes: str, jwks_url: str = "", jwks_text: str = ""
) -> BackendClient:
    """Register a SMART Backend Services client: its OAuth client_id and its public keys.

    The director of the recipient's program registers it; it acts as `recipient` for `purpose` and may
    ask for tokens with at most `scopes` (system/ scopes, read-only).
    """
    import json

    from oauth2_provider.models import Application

    from bridge.fhir.registry import TYPES
    from bridge.fhir.smart import check_jwks

    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Say which system this is."
    try:
        parsed = scope_rules.parse(scopes, known_types=frozenset(TYPES))
        if parsed[0].context != "system":
            errors["scopes"] = "A backend client gets system/ scopes (staff use user/ tokens)."
    except scope_rules.ScopeError as exc:
        errors["scopes"] = str(exc)
        parsed = []
    if recipient is None:
        errors["recipient"] = "Choose the organization this client belongs to."
    elif not actor.has_role(Role.DIRECTOR, recipient.program_id):
        errors["recipient"] = "Only the director of the recipient's program registers its clients."
    if purpose not in Purpose.values:
        errors["purpose"] = "Choose the purpose the client receives records for."
    jwks = None
    jwks_url = jwks_url.strip()
    if bool(jwks_url) == bool(jwks_text.strip()):
        errors["jwks_url"] = "Give either the client's JWKS URL or its JWKS (public keys), not both."
    elif jwks_url:
        if not jwks_url.startswith("https://"):
            errors["jwks_url"] = "The JWKS URL must use HTTPS."
    else:
        try:
            jwks = json.loads(jwks_text)
            check_jwks(jwks)
        except ValueError as exc:
            errors["jwks"] = str(exc) if not isinstance(exc, json.JSONDecodeError) else "This is not JSON."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        application = Application.objects.create(
            name=name.strip()[:255],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            # It authenticates with its key only: no secret to generate, hash (a password hasher's
            # deliberate cost) or leak.
            client_secret="",
            hash_client_secret=False,
        )
        client = BackendClient(
            application=application,
            name=name.strip(),
            program=recipient.program,
            recipient=recipient,
            purpose=purpose,
            scopes=" ".join(str(s) for s in parsed),
            jwks_url=jwks_url,
            jwks=jwks,
            created_by=actor,
        )
        client.full_clean()
        client.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            object_type="smart_client",
            object_id=str(client.pk),
            detail={
                "client_id": application.client_id,
                "recipient": str(recipient.pk),
                "purpose": purpose,
                "scopes": client.scopes,
                "keys": "jwks_url" if jwks_url else "jwks",
            },
        )
    return client


def backend_client_revoke(*, actor, client: BackendClient) -> BackendClient:
    """Revoke a client and every access token it still holds."""
    with transaction.atomic(durable=True):
        client = BackendClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is None:
            now = timezone.now()
            client.revoked_at = now
            client.revoked_by = actor
            client.save(update_fields=["revoked_at", "revoked_by"])
            client.access_tokens.filter(revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor)
            audit_record(
                action=Action.TOKEN_REVOKED,
                actor=actor,
                object_type="smart_client",
                object_id=str(client.pk),
                detail={"client_id": client.client_id},
            )
    return client


def backend_token_issue(
    *, client: BackendClient, secret: str, scopes: str, seconds: int, jti: str
) -> ApiToken:
    """Store a Backend Services access token as a short-lived system token (its hash), and audit it.

    `created_by` is the director who registered the client: the person who authorized the releases
    (the disclosures' `requested_by`), as for a static system token.
    """
    now = timezone.now()
    parsed = scope_rules.parse(scopes)
    with transaction.atomic():
        token = ApiToken(
            name=client.name,
            kind=ApiToken.Kind.SYSTEM,
            program=client.program,
            recipient=client.recipient,
            purpose=client.purpose,
            scopes=" ".join(str(s) for s in parsed),
            prefix=secret[:10],
            token_hash=token_hash(secret),
            created_by=client.created_by,
            created_at=now,
            expires_at=now + timedelta(seconds=seconds),
            backend_client=client,
        )
        issued_token_clean(token)
        token.save()
        BackendClient.objects.filter(pk=client.pk).update(last_token_at=now)
        audit_record(
            action=Action.TOKEN_CREATED,
            actor=None,
            actor_label=f"client:{client.client_id}",
            object_type="api_token",
            object_id=str(token.pk),
            detail={
                "kind": "system",
                "grant": "client_credentials",
                "smart_client": str(client.pk),
                "scopes": token.scopes,
                "expires_in": seconds,
                "jti": jti,
            },
        )
    return token


def disclosure_record(
    *, token: ApiToken, participant_id: str, consent_id: str, data_class: str, refs: list[dict[str, str]]
):
    """Account for a release to a system client (42 CFR 2.25): one Disclosure row, as a disclosure made
    from the screens writes, with the consent it relied on, the notice it carried and what left.

    `requested_by` is the director who issued the token: the person who authorized the client.
    """
    from bridge.privacy import packages
    from bridge.privacy.models import Consent, Disclosure
    from bridge.privacy.notice import NOTICE_VERSION, REDISCLOSURE_NOTICE
    from bridge.privacy.vocab import Accountable, Channel, DataClass

    consent = Consent.objects.prefetch_related("recipients").get(pk=consent_id)
    program, recipient = token.program, token.recipient
    # A system token has both (the api_token_kind_fields constraint).
    assert program is not None and recipient is not None
    today = timezone.localdate(timezone=program.tz)
    label = DataClass(data_class).label
    disclosure = Disclosure(
        participant_id=participant_id,
        program=program,
        outcome=Disclosure.Outcome.RELEASED,
        recipient=recipient,
        recipient_name=recipient.name,
        recipient_address=recipient.address,
        purpose=token.purpose,
        data_classes=[data_class],
        date_from=today,
        date_to=today,
        description=f"{label}: {len(refs)} record(s) through the FHIR API ({token.name})",
        channel=Channel.ELECTRONIC,
        consent=consent,
        accountable=Accountable.PART2,  # made with consent: the 42 CFR 2.25 accounting
        consent_summary=packages.consent_summary(consent),
        notice_text=REDISCLOSURE_NOTICE,
        notice_version=NOTICE_VERSION,
        records=refs[:500],
        requested_by=token.created_by,
    )
    disclosure.full_clean()
    disclosure.save()
    return disclosure


def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.revoked_by = actor
            token.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(
                action=Action.TOKEN_REVOKED, actor=actor, object_type="api_token", object_id=str(token.pk)
            )
    return token


def token_find(secret: str) -> tuple[ApiToken | None, str]:
    """The token a caller sent, and why it may not be used ("" when it may): unknown, revoked or
    expired, or its staff member deactivated. The one check for the FHIR API and the JSON API."""
    token = (
        ApiToken.objects.select_related(
            "user", "program", "recipient", "participant", "patient_grant__app__application"
        )
        .filter(token_hash=token_hash(secret.strip()))
        .first()
    )
    if token is None:
        return None, "unknown token"
    if not token.is_usable_at(timezone.now()):
        return token, token.status
    if token.user is not None and not token.user.is_active:
        return token, "user deactivated"
    if token.kind == ApiToken.Kind.PATIENT:
        grant = token.patient_grant
        if grant is None or grant.revoked_at is not None:
            return token, "the participant revoked the app's access"
        if grant.app.revoked_at is not None:
            return token, "app revoked"
        account = getattr(token.participant, "portal_account", None)
        if account is None or account.closed_at is not None:
            return token, "the participant's app account is closed"
    return token, ""


def token_touch(*, token: ApiToken) -> None:
    """Record a use (the request's own audit events say what it read)."""
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())


def export_start(
    *, token: ApiToken, actor, level: str, group_id: str, types: list[str], since, request_url: str
) -> ExportJob:
    from bridge.fhir.tasks import run_export

    with transaction.atomic(durable=True):
        job = ExportJob.objects.create(
            token=token,
            level=level,
            group_id=group_id,
            types=types,
            since=since,
            request_url=request_url[:1000],
        )
        audit_record(
            action=Action.EXPORT,
            actor=actor,
            actor_label=None if actor else f"token:{token.prefix}",
            object_type="fhir_export",
            object_id=str(job.pk),
            detail={"token": str(token.pk), "level": level, "types": types, "group": group_id},
        )
        transaction.on_commit(lambda: run_export.enqueue(str(job.pk)))
    return job


def export_cancel(*, job: ExportJob, actor) -> ExportJob:
    with transaction.atomic(durable=True):
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        if job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
            job.status = ExportJob.Status.CANCELLED
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "finished_at"])
        audit_record(
            action=Action.EXPORT_CANCELLED,
            actor=actor,
            actor_label=None if actor else f"token:{job.token.prefix}",
            object_type="fhir_export",
            object_id=str(job.pk),
            detail={"token": str(job.token_id)},
        )
    return job
