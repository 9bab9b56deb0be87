"""Patient access: SMART App Launch (standalone launch) with PKCE, for participants.

An app registered as a `PatientApp` (a public OAuth client: client_id and exact redirect URIs, no
secret) sends the participant to the authorization endpoint with `response_type=code`, its
`redirect_uri`, `scope` (patient/ scopes, and `launch/patient`), `state`, `aud` (the FHIR base URL)
and a PKCE `code_challenge` made with S256. The participant signs in with their app sign-in (a
one-time code), reads on the consent screen what the app will read, and approves or refuses.
Approval stores a `PatientGrant` and a one-minute authorization code (its hash); the app exchanges
the code and its `code_verifier` at the token endpoint for a one-hour access token whose response
names the `patient`. The token is a `patient` ApiToken: the FHIR API shows it only that participant's
own records (auth.Principal), while the grant stands.

oauthlib (through django-oauth-toolkit) runs the protocol and checks PKCE (S256) and the redirect
URI; `PatientAccessValidator` says which apps, scopes and codes are valid and where they are stored.
No crypto is written here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.oauth2 import WebApplicationServer

from bridge.core.tokens import token_hash
from bridge.fhir import scopes as scope_rules
from bridge.fhir.smart import BridgeOAuthLibCore, new_access_token

ACCESS_TOKEN_SECONDS = 3600
CODE_SECONDS = 60
LAUNCH_PATIENT = "launch/patient"
PKCE_METHOD = "S256"

# What each resource type an app may read means to the participant, in plain words (consent screen
# and /me/apps/). Types that say the same thing share words, listed once.
TYPE_WORDS: dict[str, Any] = {
    "Patient": _("Your name, date of birth and contact details"),
    "EpisodeOfCare": _("When you started and ended care, and your level of care"),
    "Condition": _("Your diagnoses"),
    "CarePlan": _("Your treatment plan and its goals"),
    "Goal": _("Your treatment plan and its goals"),
    "DocumentReference": _("Your signed progress notes"),
    "MedicationRequest": _("Your medications and the doses given at the program"),
    "MedicationAdministration": _("Your medications and the doses given at the program"),
    "Observation": _("Your drug-screen results and questionnaire scores"),
    "QuestionnaireResponse": _("Your answers to questionnaires"),
    "Appointment": _("Your sessions and attendance"),
    "Encounter": _("Your sessions and attendance"),
    "Consent": _("Your consents to share your records"),
}


def patient_types() -> list[str]:
    """The resource types an app may read for a participant: their own participant data, nothing
    about the program or anyone else (no Group, AuditEvent, Practitioner...). Counseling notes are not
    offered by the API at all."""
    from bridge.fhir.registry import TYPES

    return [name for name, rtype in TYPES.items() if rtype.is_participant_data]


def parse_request(scope_words: list[str]) -> list[scope_rules.Scope]:
    """The patient/ resource scopes of a request (`launch/patient` aside); ScopeError if any is not one."""
    words = [w for w in scope_words if w != LAUNCH_PATIENT]
    parsed = scope_rules.parse(" ".join(words), known_types=frozenset(patient_types()))
    if any(s.context != "patient" for s in parsed):
        raise scope_rules.ScopeError("An app for participants asks for patient/ scopes only.")
    return parsed


def scopes_within(requested: list[str], allowed_text: str) -> bool:
    """Are all `requested` scopes patient/ scopes (or launch/patient) within what the app may ask for?"""
    try:
        wanted = parse_request(requested)
        allowed = parse_request(allowed_text.split())
    except scope_rules.ScopeError:
        return False
    return all(
        any(
            a.resource in ("*", w.resource) and (a.read or not w.read) and (a.search or not w.search)
            for a in allowed
        )
        for w in wanted
    )


def plain_words(scope_text: str) -> list[str]:
    """What an app with these scopes reads, for the participant, one line a kind of record."""
    try:
        parsed = parse_request(scope_text.split())
    except scope_rules.ScopeError:
        return []
    names = patient_types() if any(s.resource == "*" for s in parsed) else [s.resource for s in parsed]
    out: list[str] = []
    for name in patient_types():
        if name in names:
            words = str(TYPE_WORDS.get(name, name))
            if words not in out:
                out.append(words)
    return out


def consent_choices(scope_text: str) -> list[tuple[str, str]]:
    """The kinds of record an app asks for, as (key, plain words) for the consent screen's checkboxes.

    Types that mean the same to a participant share one box (Appointment and Encounter: "Your sessions
    and attendance"); the key is the first such type.
    """
    try:
        parsed = parse_request(scope_text.split())
    except scope_rules.ScopeError:
        return []
    asked = patient_types() if any(s.resource == "*" for s in parsed) else [s.resource for s in parsed]
    out: dict[str, tuple[str, str]] = {}
    for name in patient_types():
        if name in asked:
            words = str(TYPE_WORDS.get(name, name))
            out.setdefault(words, (name, words))
    return list(out.values())


def _types_of_choice(key: str) -> set[str]:
    words = TYPE_WORDS.get(key)
    if words is None:
        return {key}
    return {name for name in patient_types() if TYPE_WORDS.get(name) == words}


def approved_scopes(scope_words: list[str], approved_keys: list[str]) -> list[str]:
    """The scopes the participant approved: what the app asked for, held to the kinds they ticked.

    All ticked: exactly the request (`patient/*.read` stays one scope). Otherwise each asked scope
    that covers a ticked type becomes that type's scope with the same permission (`patient/*.rs`
    with only Observation ticked is `patient/Observation.rs`). `launch/patient` is kept.
    """
    scope_text = " ".join(scope_words)
    offered = {key for key, _words in consent_choices(scope_text)}
    keys = [k for k in approved_keys if k in offered]
    if set(keys) == offered:
        return list(scope_words)
    allowed: set[str] = set()
    for key in keys:
        allowed |= _types_of_choice(key)
    out: list[str] = [LAUNCH_PATIENT] if LAUNCH_PATIENT in scope_words else []
    for word in scope_words:
        if word == LAUNCH_PATIENT:
            continue
        (scope,) = parse_request([word])
        permission = word.rsplit(".", 1)[1]  # as the app asked: v1 `read` or v2 `rs`, `r`, `s`
        names = patient_types() if scope.resource == "*" else [scope.resource]
        for name in names:
            text = f"{scope.context}/{name}.{permission}"
            if name in allowed and text not in out:
                out.append(text)
    return out


def has_resource_scope(scope_words: list[str]) -> bool:
    return any(w != LAUNCH_PATIENT for w in scope_words)


def _app(client_id: str):
    from bridge.fhir.models import PatientApp

    return (
        PatientApp.objects.select_related("application")
        .filter(application__client_id=client_id, revoked_at__isnull=True)
        .first()
    )


class PatientAccessValidator(OAuth2Validator):
    """Authorization code with PKCE (S256) for registered patient apps (public clients), and nothing else.

    django-oauth-toolkit's validator answers for the Application (redirect URIs, response type); the
    codes, grants and tokens are Bridge's own rows (a participant is not a staff User).
    """

    def validate_client_id(self, client_id, request, *args, **kwargs):
        app = _app(client_id)
        if app is None:
            return False
        request.client = app.application
        request.bridge_app = app
        return True

    def is_pkce_required(self, client_id, request):
        return True

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        app = getattr(request, "bridge_app", None)
        return app is not None and bool(scopes) and scopes_within(scopes, app.scopes)

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return []

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        from bridge.fhir.patient_services import patient_app_authorize

        patient_app_authorize(
            app=request.bridge_app,
            participant=request.bridge_participant,
            scopes=" ".join(request.scopes),
            code=code["code"],
            code_challenge=request.code_challenge,
            code_challenge_method=request.code_challenge_method,
            redirect_uri=request.redirect_uri,
        )

    # --- The token endpoint ---

    def client_authentication_required(self, request, *args, **kwargs):
        return False  # public clients: PKCE stands in for a secret

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        return self.validate_client_id(client_id, request)

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type == "authorization_code"

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        from bridge.fhir.patient_services import patient_code_take

        row = patient_code_take(client_id=client_id, code_hash=token_hash(code))
        if row is None:
            return False
        request.bridge_code = row
        request.scopes = row.scopes.split()
        request.user = None
        return True

    def get_code_challenge(self, code, request):
        return request.bridge_code.code_challenge

    def get_code_challenge_method(self, code, request):
        return request.bridge_code.code_challenge_method

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        return redirect_uri == request.bridge_code.redirect_uri

    def save_bearer_token(self, token, request, *args, **kwargs):
        from bridge.fhir.patient_services import patient_token_issue

        issued = patient_token_issue(
            code=request.bridge_code,
            secret=token["access_token"],
            seconds=int(token.get("expires_in", ACCESS_TOKEN_SECONDS)),
        )
        # SMART App Launch: the token response names the patient in context.
        token["patient"] = str(issued.participant_id)

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        pass  # taken (marked used) by validate_code, atomically, so a code works once even in a race


class PatientOAuth(OAuthLibMixin):
    """oauthlib's authorization-code server with the patient validator: one-hour tokens, no refresh."""

    oauthlib_backend_class = BridgeOAuthLibCore

    @classmethod
    def get_server(cls):
        server = WebApplicationServer(
            PatientAccessValidator(),
            token_expires_in=ACCESS_TOKEN_SECONDS,
            token_generator=new_access_token,
        )
        # No refresh tokens: when the hour is up the app asks the participant again.
        server.auth_grant.refresh_token = False
        return server


def error_redirect(redirect_uri: str, error, *, state: str | None) -> str:
    """The redirect back to the app with an OAuth error (oauthlib builds the query)."""
    from oauthlib.common import add_params_to_uri

    params = [("error", error.error)]
    if error.description:
        params.append(("error_description", error.description))
    if state:
        params.append(("state", state))
    return add_params_to_uri(redirect_uri, params)


def smart_additions(authorize_endpoint: str) -> dict[str, Any]:
    """What patient access adds to /.well-known/smart-configuration."""
    return {
        "authorization_endpoint": authorize_endpoint,
        "code_challenge_methods_supported": [PKCE_METHOD],
        "response_types_supported": ["code"],
        "scopes_supported": [LAUNCH_PATIENT, "patient/*.read", "patient/*.rs"]
        + [f"patient/{name}.rs" for name in patient_types()],
        "capabilities": [
            "launch-standalone",
            "client-public",
            "context-standalone-patient",
            "permission-patient",
        ],
    }
