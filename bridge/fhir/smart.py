"""SMART Backend Services (SMART App Launch 2.x, "client credentials with a signed JWT assertion").

An outside system registered as a `BackendClient` (its public keys: a JWKS URL or a pasted JWKS)
posts to the token endpoint `grant_type=client_credentials`, a `scope` of `system/` scopes and a
`client_assertion`: a JWT it signed with its private key (RS384 or ES384) whose `iss` and `sub` are
its client_id, `aud` the token endpoint's URL, `exp` at most five minutes ahead and `jti` never used
before. django-oauth-toolkit (oauthlib) runs the OAuth 2.0 protocol; `BackendServicesValidator`
authenticates the client by its assertion (joserfc verifies the signature: no crypto here), checks
the scopes against what the client was registered for, and stores the access token as a 5-minute
system `ApiToken` (its hash only), so the FHIR API and its consent gate treat it exactly as a static
system token. Every issuance and every refusal is audited.
"""

from __future__ import annotations

import base64
import functools
import json
import time
import urllib.request
from datetime import UTC, datetime
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, KeySetSerialization
from joserfc.jwt import JWTClaimsRegistry
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.core.tokens import new_token
from bridge.fhir import scopes as scope_rules

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("RS384", "ES384")
ASSERTION_MAX_SECONDS = 300  # SMART: exp no more than five minutes in the future
CLOCK_LEEWAY = 30
ACCESS_TOKEN_SECONDS = 300
JWKS_CACHE_SECONDS = 300


class AssertionRefused(ValueError):
    """A client assertion Bridge refuses; the message says why (it goes back to the client)."""


def new_access_token(request=None) -> str:
    """The access token's value: shaped like Bridge's other API tokens, so the FHIR API finds it."""
    from bridge.fhir.services import TOKEN_PREFIX

    return TOKEN_PREFIX + new_token()


# --- Keys ----------------------------------------------------------------------------------------


def check_jwks(value: Any) -> KeySet:
    """A registered JWKS: public keys only, each with a `kid`, usable for RS384 or ES384."""
    if not isinstance(value, dict) or not isinstance(value.get("keys"), list) or not value["keys"]:
        raise ValueError('A JWKS is a JSON object {"keys": [...]} with at least one key.')
    for key in value["keys"]:
        if not isinstance(key, dict):
            raise ValueError("Each key of the JWKS is a JSON object.")
        if "d" in key or "p" in key:
            raise ValueError("This JWKS holds a private key: register only the public keys.")
        if not key.get("kid"):
            raise ValueError("Each key needs a kid (SMART Backend Services).")
        if key.get("kty") == "EC" and key.get("crv") != "P-384":
            raise ValueError(f"Key {key['kid']}: ES384 needs the P-384 curve.")
        if key.get("kty") not in ("RSA", "EC"):
            raise ValueError(
                f"Key {key.get('kid')}: only RSA (RS384) and EC P-384 (ES384) keys are accepted."
            )
    try:
        keyset = KeySet.import_key_set(cast(KeySetSerialization, value))  # checked above
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"The JWKS could not be read: {exc}") from exc
    for key in keyset.keys:
        if key.key_type == "RSA" and _modulus_bytes(cast(str, key.as_dict()["n"])) < 256:
            raise ValueError(f"Key {key.kid}: RSA keys must be at least 2048 bits.")
    return keyset


def _modulus_bytes(n: str) -> int:
    return len(base64.urlsafe_b64decode(n + "=" * (-len(n) % 4)))


def fetch_jwks(url: str) -> dict:
    """The client's published JWKS (HTTPS only, 5 s, 100 kB at most)."""
    if not url.startswith("https://") and not settings.DEBUG:
        raise AssertionRefused("The client's JWKS URL must use HTTPS.")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 (https checked)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return json.loads(response.read(100_000))
    except (OSError, ValueError) as exc:
        raise AssertionRefused(f"The client's JWKS could not be fetched from {url}.") from exc


@functools.lru_cache(maxsize=256)
def _parsed_keys(canonical: str) -> KeySet:
    """A JWKS checked and imported once per process (per distinct content), not on every assertion."""
    return check_jwks(json.loads(canonical))


def _keys_of(value: Any) -> KeySet:
    return _parsed_keys(json.dumps(value, sort_keys=True, separators=(",", ":")))


def client_keys(client, *, fresh: bool = False) -> KeySet:
    if client.jwks is not None:
        return _keys_of(client.jwks)
    key = f"smart:jwks:{client.pk}"
    value = None if fresh else cache.get(key)
    if value is None:
        value = fetch_jwks(client.jwks_url)
        cache.set(key, value, JWKS_CACHE_SECONDS)
    try:
        return _keys_of(value)
    except ValueError as exc:
        raise AssertionRefused(f"The client's JWKS is not usable: {exc}") from exc


# --- Assertions ----------------------------------------------------------------------------------


def verify_assertion(assertion: str, *, audience: str):
    """The BackendClient whose valid, unused assertion this is; raise AssertionRefused saying why not.

    The `jti` is recorded (unique per client) before returning, so the same assertion works once.
    """
    from bridge.fhir.models import AssertionUse, BackendClient

    try:
        unverified = jws.extract_compact(assertion.encode())
        header = unverified.headers()
        claims = json.loads(unverified.payload)
    except (JoseError, ValueError, TypeError, AttributeError) as exc:
        raise AssertionRefused("client_assertion is not a signed JWT.") from exc
    if not isinstance(claims, dict) or not isinstance(claims.get("iss"), str):
        raise AssertionRefused("The assertion names no issuer (iss, the client_id).")
    client = (
        BackendClient.objects.select_related("application", "program", "recipient", "created_by")
        .filter(application__client_id=claims["iss"])
        .first()
    )
    if client is None or client.revoked_at is not None:
        raise AssertionRefused("Unknown or revoked client.")
    if header.get("alg") not in ALGORITHMS:
        raise AssertionRefused("The assertion must be signed with RS384 or ES384.")
    if not header.get("kid"):
        raise AssertionRefused("The assertion's header needs the kid of the signing key.")
    if header.get("jku") and header["jku"] != client.jwks_url:
        raise AssertionRefused("The assertion's jku is not the client's registered JWKS URL.")
    token = _decode(assertion, client)
    now = int(time.time())
    registry = JWTClaimsRegistry(
        now=now,
        leeway=CLOCK_LEEWAY,
        iss={"essential": True, "value": client.client_id},
        sub={"essential": True, "value": client.client_id},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
        jti={"essential": True},
    )
    try:
        registry.validate(token.claims)
    except JoseError as exc:
        raise AssertionRefused(
            f"The assertion's claims are not valid: {exc.description or exc.error}."
        ) from exc
    exp = token.claims["exp"]
    if not isinstance(exp, int) or exp > now + ASSERTION_MAX_SECONDS + CLOCK_LEEWAY:
        raise AssertionRefused("The assertion's exp must be no more than five minutes ahead.")
    jti = str(token.claims["jti"])[:255]
    AssertionUse.objects.filter(client=client, expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            AssertionUse.objects.create(
                client=client,
                jti=jti,
                expires_at=datetime.fromtimestamp(exp + CLOCK_LEEWAY, tz=UTC),
            )
    except IntegrityError as exc:
        raise AssertionRefused("This assertion's jti was already used: sign a new assertion.") from exc
    return client, jti


def _decode(assertion: str, client):
    for fresh in (False, True):
        keys = client_keys(client, fresh=fresh)
        try:
            return jwt.decode(assertion, keys, algorithms=list(ALGORITHMS))
        except JoseError as exc:
            if fresh or client.jwks is not None or exc.error not in ("invalid_key_id",):
                raise AssertionRefused(
                    f"The assertion's signature does not verify with the client's keys ({exc.error})."
                ) from exc
    raise AssertionRefused("The assertion's signature does not verify.")  # pragma: no cover


# --- django-oauth-toolkit hooks ------------------------------------------------------------------


def _covered(wanted: scope_rules.Scope, allowed: list[scope_rules.Scope]) -> bool:
    return any(
        a.resource in ("*", wanted.resource)
        and (a.read or not wanted.read)
        and (a.search or not wanted.search)
        for a in allowed
    )


def scopes_within(requested: list[str], allowed_text: str) -> bool:
    from bridge.fhir.registry import TYPES

    try:
        wanted = scope_rules.parse(" ".join(requested), known_types=frozenset(TYPES))
    except scope_rules.ScopeError:
        return False
    allowed = scope_rules.parse(allowed_text)
    return all(w.context == "system" and _covered(w, allowed) for w in wanted)


class SystemScopes(BaseScopes):
    """Scopes are per client (what it was registered for); none is granted by default."""

    def get_all_scopes(self):
        return {"system/*.read": "Read what consent releases", "system/*.rs": "Read and search (v2)"}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return []

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return []


TOKEN_ENDPOINT_HEADER = "BRIDGE_TOKEN_ENDPOINT"  # noqa: S105 (a header name; no HTTP_ prefix: clients cannot send it)


class BridgeOAuthLibCore(OAuthLibCore):
    """Hands the validator the token endpoint's absolute URL: the `aud` every assertion must name."""

    def extract_headers(self, request):
        from django.urls import reverse

        headers = super().extract_headers(request)
        headers[TOKEN_ENDPOINT_HEADER] = request.build_absolute_uri(reverse("fhir:smart_token"))
        return headers


def _token_url(request) -> str:
    return request.headers[TOKEN_ENDPOINT_HEADER]


def _refuse(reason: str, *, label: str) -> None:
    audit_record(
        action=Action.ACCESS_DENIED,
        actor=None,
        actor_label=label,
        object_type="smart_token",
        outcome=Outcome.DENIED,
        detail={"reason": reason},
    )


class BackendServicesValidator(OAuth2Validator):
    """Client credentials with a signed JWT assertion, and nothing else (no secrets, no users)."""

    def authenticate_client(self, request, *args, **kwargs):
        if getattr(request, "client_assertion_type", None) != JWT_BEARER or not getattr(
            request, "client_assertion", None
        ):
            _refuse("no client assertion", label="anonymous")
            raise oauth_errors.InvalidClientError(
                description=f"Authenticate with client_assertion_type={JWT_BEARER} and a client_assertion.",
                request=request,
            )
        try:
            client, jti = verify_assertion(request.client_assertion, audience=_token_url(request))
        except AssertionRefused as exc:
            _refuse(str(exc), label="client:unverified")
            raise oauth_errors.InvalidClientError(description=str(exc), request=request) from exc
        request.client = client.application
        request.client_id = client.client_id
        request.bridge_client = client
        request.bridge_jti = jti
        return True

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        return False  # every client is confidential: it authenticates with its assertion

    def client_authentication_required(self, request, *args, **kwargs):
        return True

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type == "client_credentials"

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        bridge_client = getattr(request, "bridge_client", None)
        ok = bridge_client is not None and bool(scopes) and scopes_within(scopes, bridge_client.scopes)
        if not ok:
            _refuse(f"scopes {' '.join(scopes or [])!r}", label=f"client:{client_id}")
        return ok

    def save_bearer_token(self, token, request, *args, **kwargs):
        from bridge.fhir.services import backend_token_issue

        backend_token_issue(
            client=request.bridge_client,
            secret=token["access_token"],
            scopes=token.get("scope", " ".join(request.scopes)),
            seconds=int(token.get("expires_in", ACCESS_TOKEN_SECONDS)),
            jti=request.bridge_jti,
        )


# --- Discovery -----------------------------------------------------------------------------------


def smart_configuration(token_endpoint: str, authorize_endpoint: str) -> dict[str, Any]:
    """/.well-known/smart-configuration: what Bridge implements, no more: Backend Services for system
    clients, and standalone launch with PKCE for apps participants authorize (patient.py). No EHR
    launch, no OpenID Connect (no `openid fhirUser`), no refresh tokens, no user/ scopes by OAuth."""
    from bridge.fhir import patient

    additions = patient.smart_additions(authorize_endpoint)
    return {
        "authorization_endpoint": additions["authorization_endpoint"],
        "token_endpoint": token_endpoint,
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": list(ALGORITHMS),
        "response_types_supported": additions["response_types_supported"],
        "code_challenge_methods_supported": additions["code_challenge_methods_supported"],
        "scopes_supported": [
            "system/*.read",
            "system/*.rs",
            "system/Patient.read",
            "system/Patient.rs",
            *additions["scopes_supported"],
        ],
        "capabilities": [
            "client-confidential-asymmetric",
            *additions["capabilities"],
            "permission-v1",
            "permission-v2",
        ],
    }
