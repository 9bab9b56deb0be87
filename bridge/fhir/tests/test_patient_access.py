"""Patient access (SMART App Launch, standalone, PKCE): a participant lets a test app read their own
records; it reads nothing else, stops at once when they revoke it, and every refusal says why."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient

from bridge.audit.models import AuditEvent
from bridge.fhir import patient_services
from bridge.fhir.models import ApiToken, PatientApp, PatientGrant
from bridge.fhir.tests.test_smart_backend import work as smart_backend_work
from bridge.portal.tests.conftest import sign_in
from bridge.privacy.models import Disclosure

REDIRECT = "https://app.example/callback"
AUD = "http://testserver/fhir"


@pytest.fixture
def test_app(world) -> PatientApp:
    return patient_services.patient_app_register(
        actor=world.director,
        name="My Recovery Journal",
        publisher="Journal Labs",
        redirect_uris=[REDIRECT],
        scopes="launch/patient patient/*.read",
    )


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def authorize_url(app: PatientApp, challenge: str | None, **overrides) -> str:
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": "launch/patient patient/*.read",
        "state": "st-123",
        "aud": AUD,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return "/oauth/authorize?" + urlencode({k: v for k, v in params.items() if v is not None})


def ticked(page) -> list[str]:
    """The kinds of record the consent screen offers, ticked (as a browser submits them untouched)."""
    return re.findall(r'name="kinds" value="([^"]+)" checked', page.content.decode())


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def approve(client, app: PatientApp, challenge: str, **overrides) -> str:
    """The signed-in participant allows the app; returns the authorization code."""
    url = authorize_url(app, challenge, **overrides)
    page = client.get(url)
    assert page.status_code == 200, page.content
    response = client.post(url, {"decision": "allow", "kinds": ticked(page)})
    assert response.status_code == 302
    assert response["Location"].startswith(REDIRECT + "?")
    back = query(response["Location"])
    assert back["state"] == "st-123" and back["iss"] == "http://testserver"
    return back["code"]


def exchange(client, app: PatientApp, code: str, verifier: str | None, **extra):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": app.client_id,
        **extra,
    }
    if verifier is not None:
        data["code_verifier"] = verifier
    return client.post("/oauth/token", data)


def token_for_alex(client, app: PatientApp) -> str:
    verifier, challenge = pkce()
    code = approve(client, app, challenge)
    response = exchange(client, app, code, verifier)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def fhir_get(client, secret: str, path: str, **params):
    return client.get(f"/fhir/{path}", params or None, HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_participant_authorizes_an_app_which_reads_only_their_own_records(
    app_world, chart, test_app, client
):
    world = app_world
    verifier, challenge = pkce()
    url = authorize_url(test_app, challenge)
    # Not signed in: the app sign-in first, then back to the consent screen.
    first = client.get(url)
    assert first.status_code == 302 and first["Location"].startswith(reverse("portal:sign_in"))
    sign_in(client, next_url=urlencode({"x": url})[2:])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Let My Recovery Journal read your records?" in text
    assert "Your drug-screen results and questionnaire scores" in text
    assert "Your diagnoses" in text and "never counseling notes" in text and "app.example" in text
    code = approve(client, test_app, challenge)
    grant = PatientGrant.objects.get(participant=world.alex)
    assert grant.scopes == "launch/patient patient/*.read" and grant.revoked_at is None
    assert AuditEvent.objects.filter(
        action="app_authorized", participant=world.alex, detail__app=test_app.client_id
    ).exists()

    response = exchange(client, test_app, code, verifier)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["patient"] == str(world.alex.pk)
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == {"launch/patient", "patient/*.read"}
    assert "refresh_token" not in body
    secret = body["access_token"]
    stored = ApiToken.objects.get(patient_grant=grant)
    assert stored.kind == "patient" and stored.participant == world.alex and stored.token_hash != secret

    alex = fhir_get(client, secret, f"Patient/{world.alex.pk}")
    assert alex.status_code == 200
    Patient.model_validate(alex.json())
    observations = fhir_get(client, secret, "Observation").json()
    bundle = Bundle.model_validate(observations)
    assert bundle.total == 3  # alex's two drug-screen results and his PHQ-9 total
    for entry in observations["entry"]:
        Observation.model_validate(entry["resource"])
        assert entry["resource"]["subject"]["reference"] == f"Patient/{world.alex.pk}"
    assert not any(e["resource"]["resourceType"] == "OperationOutcome" for e in observations["entry"])
    # Another patient: not here (404), and a search naming them finds nothing (the compartment holds).
    assert fhir_get(client, secret, f"Patient/{world.blair.pk}").status_code == 404
    blair_obs = fhir_get(client, secret, "Observation", patient=str(world.blair.pk)).json()
    assert blair_obs["total"] == 0
    assert [e["resource"]["id"] for e in fhir_get(client, secret, "Patient").json()["entry"]] == [
        str(world.alex.pk)
    ]
    # Not participant data of theirs: the program's groups, staff, audit log.
    for other in ("Group", "Practitioner", "AuditEvent"):
        assert fhir_get(client, secret, other).status_code == 403
    # The session encounter (the program's) is not offered; alex's own attendance encounter is.
    encounters = fhir_get(client, secret, "Encounter").json()
    assert {e["resource"]["subject"]["reference"] for e in encounters["entry"]} == {
        f"Patient/{world.alex.pk}"
    }
    assert fhir_get(client, secret, "Patient/$export").status_code == 403

    # Each read names the app; it is the participant's own access, not a disclosure under Part 2.
    reads = AuditEvent.objects.filter(participant=world.alex, action="read", object_type="fhir:Observation")
    assert reads.exists() and all(
        e.actor_label == f"patient app:{test_app.client_id}" and e.detail["app"] == test_app.client_id
        for e in reads
    )
    assert not Disclosure.objects.filter(participant=world.alex).exists()
    assert AuditEvent.objects.filter(
        action="access_denied", object_type="fhir:Patient", object_id=str(world.blair.pk)
    ).exists()


def test_the_participant_revokes_the_app_and_its_token_is_refused_at_once(app_world, chart, test_app, client):
    sign_in(client)
    secret = token_for_alex(client, test_app)
    assert fhir_get(client, secret, "Patient").status_code == 200
    page = client.get(reverse("portal:apps"))
    assert page.status_code == 200 and "My Recovery Journal" in page.content.decode()
    grant = PatientGrant.objects.get()
    response = client.post(reverse("portal:app_revoke", args=[grant.pk]))
    assert response.status_code == 302
    assert fhir_get(client, secret, "Patient").status_code == 401
    assert PatientGrant.objects.get().revoked_at is not None
    assert ApiToken.objects.get(patient_grant=grant).revoked_at is not None
    assert AuditEvent.objects.filter(action="app_revoked", participant=app_world.alex).exists()
    assert AuditEvent.objects.filter(action="access_denied", detail__reason="revoked").exists()
    assert "Access taken away" in client.get(reverse("portal:apps")).content.decode()


def test_another_participant_cannot_revoke_or_see_alexs_app(app_world, chart, test_app, client):
    sign_in(client)
    token_for_alex(client, test_app)
    grant = PatientGrant.objects.get()
    client.post(reverse("portal:sign_out"))
    sign_in(client, contact="510-555-0199")  # blair
    assert "My Recovery Journal" not in client.get(reverse("portal:apps")).content.decode()
    assert client.post(reverse("portal:app_revoke", args=[grant.pk])).status_code == 404
    assert PatientGrant.objects.get().revoked_at is None


def test_staff_signed_in_cannot_authorize_for_a_participant(world, test_app, client):
    client.force_login(world.therapist_a)
    _verifier, challenge = pkce()
    assert client.get(authorize_url(test_app, challenge)).status_code == 403


def test_refusing_on_the_consent_screen_sends_the_app_away_with_access_denied(app_world, test_app, client):
    sign_in(client)
    _verifier, challenge = pkce()
    response = client.post(authorize_url(test_app, challenge), {"decision": "deny"})
    assert response.status_code == 302
    back = query(response["Location"])
    assert back["error"] == "access_denied" and back["state"] == "st-123" and "code" not in back
    assert not PatientGrant.objects.exists()
    assert AuditEvent.objects.filter(action="app_refused", participant=app_world.alex).exists()


def test_pkce_is_required_with_s256(app_world, test_app, client):
    sign_in(client)
    _verifier, challenge = pkce()
    for bad in (
        authorize_url(test_app, None),
        authorize_url(test_app, challenge, code_challenge_method="plain"),
    ):
        response = client.get(bad)
        assert response.status_code == 302
        assert query(response["Location"])["error"] == "invalid_request"
    # Without the method oauthlib would assume "plain": Bridge refuses that too.
    response = client.get(authorize_url(test_app, challenge, code_challenge_method=None))
    assert query(response["Location"])["error"] == "invalid_request"


def test_a_missing_or_wrong_verifier_is_refused_and_the_code_is_spent(app_world, test_app, client):
    sign_in(client)
    verifier, challenge = pkce()
    code = approve(client, test_app, challenge)
    missing = exchange(client, test_app, code, None)
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    code = approve(client, test_app, challenge)
    wrong = exchange(client, test_app, code, pkce()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    # The code was taken by that try: the right verifier no longer helps (one try per code).
    assert exchange(client, test_app, code, verifier).status_code == 400
    assert not ApiToken.objects.filter(kind="patient").exists()


def test_a_code_works_once_and_a_replay_revokes_its_token(app_world, test_app, client):
    sign_in(client)
    verifier, challenge = pkce()
    code = approve(client, test_app, challenge)
    first = exchange(client, test_app, code, verifier)
    assert first.status_code == 200
    again = exchange(client, test_app, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert fhir_get(client, first.json()["access_token"], "Patient").status_code == 401


def test_an_expired_code_is_refused(app_world, test_app, client):
    sign_in(client)
    verifier, challenge = pkce()
    code = approve(client, test_app, challenge)
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        response = exchange(client, test_app, code, verifier)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert AuditEvent.objects.filter(action="access_denied", detail__reason="code expired").exists()


def test_the_redirect_uri_must_be_registered_and_match_at_the_exchange(app_world, test_app, client):
    sign_in(client)
    _verifier, challenge = pkce()
    unknown = client.get(authorize_url(test_app, challenge, redirect_uri="https://evil.example/cb"))
    assert unknown.status_code == 400  # never redirected to an address the app did not register
    assert "This app link does not work" in unknown.content.decode()
    assert client.get(authorize_url(test_app, challenge, client_id="nobody")).status_code == 400
    verifier, challenge = pkce()
    code = approve(client, test_app, challenge)
    response = exchange(client, test_app, code, verifier, redirect_uri="https://app.example/other")
    assert response.status_code == 400


def test_scopes_beyond_the_apps_and_a_wrong_audience_are_refused(app_world, world, client):
    narrow = patient_services.patient_app_register(
        actor=world.director,
        name="Screens only",
        redirect_uris=[REDIRECT],
        scopes="launch/patient patient/Observation.rs",
    )
    sign_in(client)
    _verifier, challenge = pkce()
    too_much = client.get(authorize_url(narrow, challenge))  # asks patient/*.read
    assert query(too_much["Location"])["error"] == "invalid_scope"
    for scope in ("user/*.read", "system/*.read", "patient/*.write", "openid fhirUser"):
        response = client.get(authorize_url(narrow, challenge, scope=scope))
        assert query(response["Location"])["error"] == "invalid_scope", scope
    wrong_aud = client.get(
        authorize_url(narrow, challenge, scope="patient/Observation.rs", aud="https://other/fhir")
    )
    assert query(wrong_aud["Location"])["error"] == "invalid_request"


def test_granular_scopes_read_only_what_was_granted(app_world, chart, world, client):
    narrow = patient_services.patient_app_register(
        actor=world.director,
        name="Screens only",
        redirect_uris=[REDIRECT],
        scopes="launch/patient patient/Observation.rs",
    )
    sign_in(client)
    verifier, challenge = pkce()
    url = authorize_url(narrow, challenge, scope="launch/patient patient/Observation.rs")
    shown = client.get(url)
    page = shown.content.decode()
    assert "Your drug-screen results and questionnaire scores" in page and "Your diagnoses" not in page
    code = query(client.post(url, {"decision": "allow", "kinds": ticked(shown)})["Location"])["code"]
    secret = exchange(client, narrow, code, verifier).json()["access_token"]
    assert fhir_get(client, secret, "Observation").status_code == 200
    assert fhir_get(client, secret, "Condition").status_code == 403


def test_a_closed_app_account_stops_the_apps_too(app_world, test_app, client):
    sign_in(client)
    secret = token_for_alex(client, test_app)
    app_world.alex.portal_account.closed_at = timezone.now()
    app_world.alex.portal_account.closed_by = app_world.frontdesk
    app_world.alex.portal_account.save()
    assert fhir_get(client, secret, "Patient").status_code == 401


def test_directors_cannot_issue_patient_tokens(world):
    from bridge.fhir import services

    with pytest.raises(ValidationError) as raised:
        services.token_create(actor=world.director, name="x", scopes="patient/*.read", user=world.director)
    assert "scopes" in raised.value.message_dict


def test_smart_configuration_and_capability_state_patient_access(db, client):
    config = client.get("/.well-known/smart-configuration").json()
    assert config["authorization_endpoint"] == "http://testserver/oauth/authorize"
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert set(config["grant_types_supported"]) == {"authorization_code", "client_credentials"}
    assert {"launch-standalone", "client-public", "context-standalone-patient", "permission-patient"} <= set(
        config["capabilities"]
    )
    assert "patient/*.read" in config["scopes_supported"] and "launch/patient" in config["scopes_supported"]
    # Only what exists: no OpenID Connect, no EHR launch, no refresh tokens.
    for absent in ("openid", "fhirUser", "offline_access", "online_access", "launch"):
        assert absent not in config["scopes_supported"]
    assert not {"launch-ehr", "sso-openid-connect", "context-ehr-patient"} & set(config["capabilities"])
    security = client.get("/fhir/metadata").json()["rest"][0]["security"]
    uris = {e["url"]: e["valueUri"] for e in security["extension"][0]["extension"]}
    assert uris == {"authorize": config["authorization_endpoint"], "token": config["token_endpoint"]}


def test_the_app_gets_everything_of_its_patient_and_nothing_of_another(app_world, chart, test_app, client):
    sign_in(client)
    secret = token_for_alex(client, test_app)
    response = fhir_get(client, secret, f"Patient/{app_world.alex.pk}/$everything")
    assert response.status_code == 200
    body = response.json()
    Bundle.model_validate(body)
    resources = [e["resource"] for e in body["entry"]]
    assert resources[0]["id"] == str(app_world.alex.pk) and body["total"] == len(resources)
    assert not any(r["resourceType"] in ("OperationOutcome", "Group") for r in resources)
    assert fhir_get(client, secret, f"Patient/{app_world.blair.pk}/$everything").status_code == 404


def test_a_patient_token_costs_a_bounded_number_of_queries(app_world, test_app, client):
    sign_in(client)
    verifier, challenge = pkce()
    code = approve(client, test_app, challenge)
    with CaptureQueriesContext(connection) as ctx:
        response = exchange(client, test_app, code, verifier)
    assert response.status_code == 200, response.content
    # app; code found and taken; token insert; code and grant updated; the audit chain's head and event.
    # On PostgreSQL the audit event also takes the chain's advisory lock (one more statement).
    assert len(smart_backend_work(ctx)) <= 8 + (connection.vendor == "postgresql"), smart_backend_work(ctx)
