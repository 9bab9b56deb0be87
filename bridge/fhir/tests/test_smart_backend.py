"""SMART Backend Services end to end: keys generated here, a signed assertion, a 5-minute token, and
reads of consented data through the FHIR API; replay, audience, algorithm, scope and expiry refusals;
the director's client page and the policy that retires static system tokens."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from bridge.audit.models import AuditEvent
from bridge.fhir import services, smart
from bridge.fhir.models import ApiToken, AssertionUse, BackendClient
from bridge.privacy.models import Disclosure
from bridge.privacy.vocab import Purpose

TOKEN_URL = "http://testserver/oauth/token"


@pytest.fixture(scope="module")
def rsa_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})


@pytest.fixture(scope="module")
def ec_key() -> ECKey:
    return ECKey.generate_key("P-384", parameters={"kid": "ec-1"})


def public_jwks(*keys) -> str:
    return json.dumps({"keys": [k.as_dict(private=False) for k in keys]})


def assertion(client_id: str, key, alg: str = "RS384", *, aud: str = TOKEN_URL, exp_in: int = 240, **extra):
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": aud, "exp": now + exp_in, "jti": str(uuid.uuid4())}
    claims.update(extra)
    return jwt.encode({"alg": alg, "kid": key.kid, "typ": "JWT"}, claims, key, algorithms=[alg])


@pytest.fixture
def backend_client(world, clinic, rsa_key, ec_key) -> BackendClient:
    return services.backend_client_register(
        actor=world.director,
        name="Lakeside EHR",
        recipient=clinic,
        purpose=Purpose.TREATMENT,
        scopes="system/*.read",
        jwks_text=public_jwks(rsa_key, ec_key),
    )


def token_request(client, signed: str, scope: str = "system/*.read", **extra):
    data = {
        "grant_type": "client_credentials",
        "scope": scope,
        "client_assertion_type": smart.JWT_BEARER,
        "client_assertion": signed,
        **extra,
    }
    return client.post("/oauth/token", data)


def test_smart_configuration_describes_backend_services_and_patient_access(db, client):
    for url in ("/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration"):
        body = client.get(url).json()
        assert body["token_endpoint"] == TOKEN_URL
        assert body["token_endpoint_auth_methods_supported"] == ["private_key_jwt", "none"]
        assert set(body["token_endpoint_auth_signing_alg_values_supported"]) == {"RS384", "ES384"}
        assert body["grant_types_supported"] == ["authorization_code", "client_credentials"]
        assert "client-confidential-asymmetric" in body["capabilities"]
        # Patient access is standalone launch only (test_patient_access.py): no EHR launch, no OIDC.
        assert body["authorization_endpoint"] == "http://testserver/oauth/authorize"
        assert "launch-standalone" in body["capabilities"] and "launch-ehr" not in body["capabilities"]
        assert "sso-openid-connect" not in body["capabilities"]


@pytest.mark.parametrize("alg", ["RS384", "ES384"])
def test_a_client_with_only_its_private_key_reads_consented_data(
    world, chart, alex_tpo_consent, backend_client, rsa_key, ec_key, client, alg
):
    key = rsa_key if alg == "RS384" else ec_key
    response = token_request(client, assertion(backend_client.client_id, key, alg))
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["scope"] == "system/*.read"
    assert "refresh_token" not in body
    secret = body["access_token"]

    stored = ApiToken.objects.get(backend_client=backend_client)
    assert stored.kind == "system" and stored.recipient == backend_client.recipient
    assert stored.token_hash != secret and secret not in json.dumps(
        list(ApiToken.objects.values()), default=str
    )
    assert stored.expires_at is not None
    assert timedelta(seconds=295) < stored.expires_at - stored.created_at <= timedelta(seconds=300)
    issued = AuditEvent.objects.get(action="token_created", object_id=str(stored.pk))
    assert issued.actor_label == f"client:{backend_client.client_id}"
    assert issued.detail["grant"] == "client_credentials" and issued.detail["jti"]

    # The consent gate: alex's TPO consent covers the clinic; blair has none.
    patients = client.get("/fhir/Patient", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    ids = {e["resource"]["id"] for e in patients.get("entry", []) if e["search"]["mode"] == "match"}
    assert ids == {str(world.alex.pk)}
    blair = client.get(f"/fhir/Patient/{world.blair.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert blair.status_code == 404
    # Each release is a disclosure accounted to the director who registered the client.
    disclosure = Disclosure.objects.filter(participant=world.alex, recipient=backend_client.recipient).latest(
        "pk"
    )
    assert disclosure.requested_by == world.director
    assert "Lakeside EHR" in disclosure.description


def test_the_same_assertion_works_once(world, backend_client, rsa_key, client):
    signed = assertion(backend_client.client_id, rsa_key)
    assert token_request(client, signed).status_code == 200
    again = token_request(client, signed)
    assert again.status_code == 401
    assert again.json()["error"] == "invalid_client"
    assert "jti" in again.json()["error_description"]
    assert AssertionUse.objects.filter(client=backend_client).count() == 1
    assert AuditEvent.objects.filter(action="access_denied", object_type="smart_token").exists()


@pytest.mark.parametrize(
    "case",
    ["wrong_aud", "too_long", "expired", "rs256", "other_key", "wrong_sub", "unknown_client", "no_jti"],
)
def test_bad_assertions_are_refused(world, backend_client, rsa_key, client, case):
    cid = backend_client.client_id
    if case == "wrong_aud":
        signed = assertion(cid, rsa_key, aud="https://elsewhere.example/token")
    elif case == "too_long":
        signed = assertion(cid, rsa_key, exp_in=3600)
    elif case == "expired":
        signed = assertion(cid, rsa_key, exp_in=-120)
    elif case == "rs256":
        signed = assertion(cid, rsa_key, "RS256")
    elif case == "other_key":
        stranger = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
        signed = assertion(cid, stranger)
    elif case == "wrong_sub":
        signed = assertion(cid, rsa_key, sub="someone-else")
    elif case == "unknown_client":
        signed = assertion("no-such-client", rsa_key)
    else:
        now = int(time.time())
        signed = jwt.encode(
            {"alg": "RS384", "kid": "rsa-1"},
            {"iss": cid, "sub": cid, "aud": TOKEN_URL, "exp": now + 60},
            rsa_key,
            algorithms=["RS384"],
        )
    response = token_request(client, signed)
    assert response.status_code == 401, response.content
    assert response.json()["error"] == "invalid_client"
    assert not ApiToken.objects.filter(backend_client=backend_client).exists()


def test_scopes_beyond_the_registration_or_not_system_are_refused(world, clinic, rsa_key, client):
    narrow = services.backend_client_register(
        actor=world.director,
        name="Lab feed",
        recipient=clinic,
        purpose=Purpose.TREATMENT,
        scopes="system/Observation.rs",
        jwks_text=public_jwks(rsa_key),
    )
    for scope in ("system/*.read", "system/Patient.read", "user/*.read", "system/Observation.write", ""):
        response = token_request(client, assertion(narrow.client_id, rsa_key), scope=scope)
        assert response.status_code in (400, 401), (scope, response.content)
        assert response.json()["error"] == "invalid_scope", scope
    ok = token_request(client, assertion(narrow.client_id, rsa_key), scope="system/Observation.rs")
    assert ok.status_code == 200
    secret = ok.json()["access_token"]
    assert client.get("/fhir/Patient", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 403


def test_only_client_credentials_with_an_assertion(world, backend_client, rsa_key, client):
    no_assertion = client.post(
        "/oauth/token",
        {"grant_type": "client_credentials", "scope": "system/*.read", "client_id": backend_client.client_id},
    )
    assert no_assertion.status_code == 401
    wrong_grant = token_request(client, assertion(backend_client.client_id, rsa_key), grant_type="password")
    assert wrong_grant.status_code == 400
    assert wrong_grant.json()["error"] == "unsupported_grant_type"  # client_credentials only
    assert client.get("/oauth/token").status_code == 405


def test_the_access_token_lasts_five_minutes(world, chart, alex_tpo_consent, backend_client, rsa_key, client):
    secret = token_request(client, assertion(backend_client.client_id, rsa_key)).json()["access_token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/fhir/Patient", **auth).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        assert client.get("/fhir/Patient", **auth).status_code == 401


def test_revoking_the_client_ends_its_tokens_and_assertions(world, backend_client, rsa_key, client):
    secret = token_request(client, assertion(backend_client.client_id, rsa_key)).json()["access_token"]
    services.backend_client_revoke(actor=world.director, client=backend_client)
    assert client.get("/fhir/Patient", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert token_request(client, assertion(backend_client.client_id, rsa_key)).status_code == 401


def test_keys_from_a_jwks_url(world, clinic, ec_key, client, monkeypatch):
    url = "https://ehr.lakeside.example/.well-known/jwks.json"
    fetched = []

    def fake_fetch(u):
        fetched.append(u)
        return json.loads(public_jwks(ec_key))

    monkeypatch.setattr(smart, "fetch_jwks", fake_fetch)
    registered = services.backend_client_register(
        actor=world.director,
        name="Lakeside EHR",
        recipient=clinic,
        purpose=Purpose.TREATMENT,
        scopes="system/*.read",
        jwks_url=url,
    )
    response = token_request(client, assertion(registered.client_id, ec_key, "ES384", jku=None))
    assert response.status_code == 200, response.content
    assert fetched == [url]


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("jwks", {"jwks_text": "not json"}),
        ("jwks", {"jwks_text": '{"keys": []}'}),
        ("jwks_url", {"jwks_url": "http://plain.example/jwks"}),
        ("jwks_url", {}),
        ("scopes", {"jwks_text": "PUB", "scopes": "user/*.read"}),
        ("jwks", {"jwks_text": "PRIVATE"}),
    ],
)
def test_registration_refuses_bad_keys_and_scopes(world, clinic, rsa_key, field, kwargs):
    kwargs = dict(kwargs)
    if kwargs.get("jwks_text") == "PUB":
        kwargs["jwks_text"] = public_jwks(rsa_key)
    elif kwargs.get("jwks_text") == "PRIVATE":
        kwargs["jwks_text"] = json.dumps({"keys": [rsa_key.as_dict(private=True)]})
    args = {"scopes": "system/*.read", **kwargs}
    with pytest.raises(ValidationError) as caught:
        services.backend_client_register(
            actor=world.director, name="x", recipient=clinic, purpose=Purpose.TREATMENT, **args
        )
    assert field in caught.value.message_dict


def test_the_director_registers_a_client_on_the_page(world, clinic, rsa_key, login):
    page = login(world.director)
    assert page.get(reverse("fhir:client_list")).status_code == 200
    response = page.post(
        reverse("fhir:client_list"),
        {
            "name": "Lakeside EHR",
            "recipient": clinic.pk,
            "purpose": Purpose.TREATMENT,
            "scopes": "system/*.read",
            "jwks": public_jwks(rsa_key),
        },
    )
    assert response.status_code == 201
    registered = BackendClient.objects.get()
    assert registered.client_id in response.content.decode()
    bad = page.post(
        reverse("fhir:client_list"), {"name": "x", "recipient": clinic.pk, "purpose": "treatment"}
    )
    assert bad.status_code == 400


@pytest.mark.parametrize("persona", ["therapist_a", "nurse", "auditor"])
def test_only_directors_see_the_client_page(world, login, persona):
    assert login(getattr(world, persona)).get(reverse("fhir:client_list")).status_code == 403


def test_the_director_can_require_backend_services_for_new_system_clients(world, clinic, login, token_for):
    old = token_for(recipient=clinic)
    page = login(world.director)
    page.post(reverse("fhir:policy_set", args=[world.program.pk]), {"backend_services_required": "on"})
    with pytest.raises(ValidationError) as caught:
        token_for(recipient=clinic)
    assert "Backend Services" in caught.value.message_dict["scopes"][0]
    token_for(user=world.therapist_a)  # staff user/ tokens stay
    assert ApiToken.objects.filter(token_hash__isnull=False, kind="system").count() == 1  # the old one works
    assert old
    assert AuditEvent.objects.filter(object_type="api_policy").exists()
    page.post(reverse("fhir:policy_set", args=[world.program.pk]), {})
    token_for(recipient=clinic)


def test_a_later_token_of_the_same_client_follows_its_export(
    world, clinic, backend_client, rsa_key, ec_key, client
):
    first = token_request(client, assertion(backend_client.client_id, rsa_key)).json()["access_token"]
    kickoff = client.get(
        "/fhir/Patient/$export", HTTP_AUTHORIZATION=f"Bearer {first}", HTTP_PREFER="respond-async"
    )
    assert kickoff.status_code == 202, kickoff.content
    status_url = kickoff["Content-Location"]
    later = token_request(client, assertion(backend_client.client_id, rsa_key)).json()["access_token"]
    assert client.get(status_url, HTTP_AUTHORIZATION=f"Bearer {later}").status_code in (200, 202)
    other = services.backend_client_register(
        actor=world.director,
        name="Another system",
        recipient=clinic,
        purpose=Purpose.TREATMENT,
        scopes="system/*.read",
        jwks_text=public_jwks(ec_key),
    )
    stranger = token_request(client, assertion(other.client_id, ec_key, "ES384")).json()["access_token"]
    assert client.get(status_url, HTTP_AUTHORIZATION=f"Bearer {stranger}").status_code == 404


# Token issuance cost (bench/smart_token.py measures the CPU): one transaction, no re-validation of
# the rows the endpoint has just loaded, registered keys imported once per process.
# Transaction control is not work; the portal's session row is the test client's sign-in, not the app's.
NOT_WORK = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT")


def work(ctx) -> list[str]:
    return [
        q["sql"][:140]
        for q in ctx.captured_queries
        if not q["sql"].startswith(NOT_WORK)
        and "django_session" not in q["sql"]
        and "portal_participantaccount" not in q["sql"]
    ]


def test_a_backend_services_token_costs_a_bounded_number_of_queries(world, backend_client, rsa_key, client):
    token_request(client, assertion(backend_client.client_id, rsa_key))  # warm: keys imported once
    smart._parsed_keys.cache_clear()
    with CaptureQueriesContext(connection) as ctx:
        response = token_request(client, assertion(backend_client.client_id, rsa_key))
    assert response.status_code == 200, response.content
    # client; jti purge and insert; token insert; client's last use; the audit chain's head and event.
    # On PostgreSQL the audit event also takes the chain's advisory lock (one more statement).
    assert len(work(ctx)) <= 7 + (connection.vendor == "postgresql"), work(ctx)
    assert smart._parsed_keys.cache_info().currsize == 1
    token_request(client, assertion(backend_client.client_id, rsa_key))
    assert smart._parsed_keys.cache_info().hits >= 1  # the registered keys were not imported again
