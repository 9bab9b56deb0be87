"""Every write of patient access: apps registered, participants' approvals and revocations, codes
taken and tokens issued. Each in one transaction with its audit event."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.accounts.models import Role
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.core.tokens import token_hash
from bridge.fhir import patient
from bridge.fhir import scopes as scope_rules
from bridge.fhir.models import ApiToken, PatientApp, PatientAuthCode, PatientGrant
from bridge.fhir.services import issued_token_clean

PARTICIPANT_LABEL = "participant app"  # the participant acting in their own app (portal.PortalActor)


def check_redirect_uri(uri: str) -> str:
    """A redirect URI Bridge accepts for a patient app; ValueError saying why not.

    HTTPS with a host, or http://localhost (127.0.0.1, [::1]) for an app in development (RFC 8252
    loopback); no fragment (RFC 6749 3.1.2); matched exactly at the authorization endpoint.
    """
    parts = urlsplit(uri)
    if not parts.scheme or not parts.hostname:
        raise ValueError(f"{uri!r} is not an absolute URL.")
    if parts.fragment:
        raise ValueError(f"{uri!r}: a redirect URI has no #fragment.")
    if parts.scheme == "https":
        return uri
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and not settings.PRODUCTION:
        return uri
    if settings.PRODUCTION:
        raise ValueError(f"{uri!r}: redirect URIs must use https://.")
    raise ValueError(f"{uri!r}: redirect URIs must use https:// (http:// only for localhost).")


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def origins_of(redirect_uris: list[str]) -> list[str]:
    """The browser origins of an app's redirect URIs: the origins CORS answers for (cors.py)."""
    out: list[str] = []
    for uri in redirect_uris:
        parts = urlsplit(uri)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        if origin not in out:
            out.append(origin)
    return out


def patient_app_register(
    *,
    actor,
    name: str,
    redirect_uris: list[str],
    scopes: str = "launch/patient patient/*.read",
    publisher: str = "",
    contact: str = "",
    program=None,
    client_id: str | None = None,
) -> PatientApp:
    """Register an app for patient access: a public client that must use PKCE (S256).

    A director registers it for their `program` (its participants may authorize it); `actor` None is
    the console (`bridge fhir register-app`), where `program` None offers it to every program.
    Redirect URIs are HTTPS (http only for localhost) and matched exactly; the app's browser origins
    (for CORS) are derived from them.
    """
    from oauth2_provider.models import Application

    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Give the app's name (the participant sees it)."]
    uris = [u.strip() for u in redirect_uris if u.strip()]
    if not uris:
        errors["redirect_uris"] = ["Give at least one redirect URI."]
    for uri in uris:
        try:
            check_redirect_uri(uri)
        except ValueError as exc:
            errors.setdefault("redirect_uris", []).append(str(exc))
    try:
        patient.parse_request(scopes.split())
    except scope_rules.ScopeError as exc:
        errors["scopes"] = [str(exc)]
    if actor is not None:
        directed = actor.programs_with_role(Role.DIRECTOR)
        if program is None and len(directed) == 1:
            from bridge.programs.models import Program

            program = Program.objects.get(pk=next(iter(directed)))
        if program is None:
            errors["program"] = ["Choose the program whose participants may use the app."]
        elif not actor.has_role(Role.DIRECTOR, program.pk):
            errors["program"] = ["Only the program's director registers apps for it."]
    if (
        name.strip()
        and "program" not in errors
        and PatientApp.objects.filter(
            name__iexact=name.strip(), program=program, revoked_at__isnull=True
        ).exists()
    ):
        # A second press of "Register" (or a second app of one name) would show participants two.
        errors["name"] = [
            "An active app of this name is already registered: disable it first, or use another name."
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        application = Application(
            name=name.strip()[:255],
            client_type=Application.CLIENT_PUBLIC,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(uris),
            allowed_origins=" ".join(origins_of(uris)),
            skip_authorization=False,
            # A public client has no secret (PKCE stands in for one): store none, hash none.
            client_secret="",
            hash_client_secret=False,
        )
        if client_id:
            application.client_id = client_id
        try:
            application.full_clean(exclude=["client_secret", "user"])
        except ValidationError as exc:
            raise ValidationError({"redirect_uris": exc.messages}) from exc
        application.save()
        app = PatientApp(
            application=application,
            name=name.strip(),
            publisher=publisher.strip(),
            contact=contact.strip(),
            program=program,
            scopes=" ".join(scopes.split()),
            created_by=actor,
        )
        app.full_clean()
        app.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            actor_label=None if actor else "console",
            object_type="patient_app",
            object_id=str(app.pk),
            detail={
                "client_id": application.client_id,
                "scopes": app.scopes,
                "redirect_uris": uris,
                "program": str(program.pk) if program else None,
            },
        )
    return app


def patient_app_disable(*, actor, app: PatientApp) -> PatientApp:
    """Disable an app (never deleted): participants can no longer authorize it, and every standing
    grant and token it holds stops at once. `actor` None is the console."""
    now = timezone.now()
    with transaction.atomic():
        app = PatientApp.objects.select_for_update().select_related("application").get(pk=app.pk)
        if app.revoked_at is not None:
            return app
        if actor is not None and (
            app.program_id is None or not actor.has_role(Role.DIRECTOR, app.program_id)
        ):
            raise ValidationError({"app": "Only the director of the app's program disables it."})
        app.revoked_at = now
        app.revoked_by = actor
        app.save(update_fields=["revoked_at", "revoked_by"])
        grants = list(app.grants.filter(revoked_at__isnull=True).values_list("pk", flat=True))
        PatientGrant.objects.filter(pk__in=grants).update(revoked_at=now)
        ApiToken.objects.filter(patient_grant__app=app, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor
        )
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            actor_label=None if actor else "console",
            object_type="patient_app",
            object_id=str(app.pk),
            detail={"disabled": True, "client_id": app.client_id, "grants_revoked": len(grants)},
        )
    return app


def patient_app_authorize(
    *,
    app: PatientApp,
    participant,
    scopes: str,
    code: str,
    code_challenge: str,
    code_challenge_method: str,
    redirect_uri: str,
) -> PatientAuthCode:
    """The participant approved the app on the consent screen: record (or renew) the grant and issue
    a one-minute authorization code (kept as its hash)."""
    now = timezone.now()
    with transaction.atomic():
        grant = (
            PatientGrant.objects.select_for_update()
            .filter(app=app, participant=participant, revoked_at__isnull=True)
            .first()
        )
        if grant is None:
            grant = PatientGrant.objects.create(
                app=app, participant=participant, scopes=scopes, granted_at=now
            )
        elif grant.scopes != scopes:
            grant.scopes = scopes
            grant.granted_at = now
            grant.save(update_fields=["scopes", "granted_at"])
        row = PatientAuthCode.objects.create(
            grant=grant,
            code_hash=token_hash(code),
            redirect_uri=redirect_uri,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            scopes=scopes,
            expires_at=now + timedelta(seconds=patient.CODE_SECONDS),
        )
        audit_record(
            action=Action.APP_AUTHORIZED,
            actor_label=PARTICIPANT_LABEL,
            participant=participant,
            object_type="patient_grant",
            object_id=str(grant.pk),
            detail={"app": app.client_id, "app_name": app.name, "scopes": scopes},
        )
    return row


def patient_app_refused(*, app: PatientApp, participant, scopes: str) -> None:
    """The participant said no on the consent screen."""
    audit_record(
        action=Action.APP_REFUSED,
        actor_label=PARTICIPANT_LABEL,
        participant=participant,
        object_type="patient_app",
        object_id=str(app.pk),
        outcome=Outcome.DENIED,
        detail={"app": app.client_id, "app_name": app.name, "scopes": scopes},
    )


def _refuse_code(reason: str, *, client_id: str, row: PatientAuthCode | None = None) -> None:
    audit_record(
        action=Action.ACCESS_DENIED,
        actor_label=f"patient app:{client_id}"[:100],
        participant=row.grant.participant if row else None,
        object_type="patient_auth_code",
        outcome=Outcome.DENIED,
        detail={"reason": reason, "app": client_id[:100]},
    )


def patient_code_take(*, client_id: str, code_hash: str) -> PatientAuthCode | None:
    """The code an app presents, marked used (atomically: it works once), or None saying why in the
    audit log. A code presented again revokes the token it was exchanged for (RFC 6749 4.1.2)."""
    now = timezone.now()
    row = (
        PatientAuthCode.objects.select_related("grant__app__application", "grant__participant", "token")
        .filter(code_hash=code_hash, grant__app__application__client_id=client_id)
        .first()
    )
    if row is None:
        _refuse_code("unknown code", client_id=client_id)
        return None
    if row.used_at is not None:
        with transaction.atomic():
            if row.token is not None and row.token.revoked_at is None:
                ApiToken.objects.filter(pk=row.token.pk).update(revoked_at=now)
            _refuse_code("code used twice: its token is revoked", client_id=client_id, row=row)
        return None
    if row.expires_at <= now:
        _refuse_code("code expired", client_id=client_id, row=row)
        return None
    if row.grant.revoked_at is not None or row.grant.app.revoked_at is not None:
        _refuse_code("grant revoked", client_id=client_id, row=row)
        return None
    if not PatientAuthCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        _refuse_code("code used twice", client_id=client_id, row=row)
        return None
    return row


def patient_token_issue(*, code: PatientAuthCode, secret: str, seconds: int) -> ApiToken:
    """Store the app's access token (its hash) for the participant's grant, and audit the issuance."""
    now = timezone.now()
    grant = code.grant
    resource_scopes = patient.parse_request(code.scopes.split())
    with transaction.atomic():
        token = ApiToken(
            name=grant.app.name,
            kind=ApiToken.Kind.PATIENT,
            participant=grant.participant,
            patient_grant=grant,
            scopes=" ".join(str(s) for s in resource_scopes),
            prefix=secret[:10],
            token_hash=token_hash(secret),
            created_at=now,
            expires_at=now + timedelta(seconds=seconds),
        )
        issued_token_clean(token)
        token.save()
        PatientAuthCode.objects.filter(pk=code.pk).update(token=token)
        PatientGrant.objects.filter(pk=grant.pk).update(last_used_at=now)
        audit_record(
            action=Action.TOKEN_CREATED,
            actor_label=f"patient app:{grant.app.client_id}"[:100],
            participant=grant.participant,
            object_type="api_token",
            object_id=str(token.pk),
            detail={
                "kind": "patient",
                "grant": "authorization_code",
                "app": grant.app.client_id,
                "patient_grant": str(grant.pk),
                "scopes": token.scopes,
                "expires_in": seconds,
            },
        )
    return token


def patient_grant_revoke(*, grant: PatientGrant, actor=None) -> None:
    """Take an app's access away (the participant, in their app): its tokens stop working at once."""
    now = timezone.now()
    with transaction.atomic():
        updated = PatientGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(revoked_at=now)
        if not updated:
            return
        ApiToken.objects.filter(patient_grant=grant, revoked_at__isnull=True).update(revoked_at=now)
        audit_record(
            action=Action.APP_REVOKED,
            actor=actor,
            actor_label=None if actor else PARTICIPANT_LABEL,
            participant=grant.participant,
            object_type="patient_grant",
            object_id=str(grant.pk),
            detail={"app": grant.app.client_id, "app_name": grant.app.name},
        )
    grant.revoked_at = now
