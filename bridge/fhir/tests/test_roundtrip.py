"""A standard FHIR client library (fhirclient, SMART on FHIR's Python client) against the live server."""

from __future__ import annotations

import pytest
from fhirclient import client as fhir_client
from fhirclient.models.condition import Condition
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient

# The live server runs in its own thread: give it committed data, as the browser tests do.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smart(live_server, world, token_for):
    secret = token_for(user=world.director)
    smart = fhir_client.FHIRClient(settings={"app_id": "bridge-test", "api_base": f"{live_server.url}/fhir/"})
    smart.server.session.headers["Authorization"] = f"Bearer {secret}"
    yield smart
    # Close the kept-alive connection now: a live-server request thread still waiting on it when the
    # server stops at the end of the session would close a database connection it no longer shares.
    smart.server.session.close()


def test_fhirclient_reads_the_capability_statement(smart):
    smart.server.get_capability()
    resources = {r.type for r in smart.server.capabilityStatement.rest[0].resource}
    assert {"Patient", "Condition", "Observation"} <= resources


def test_fhirclient_reads_and_searches(smart, world, chart):
    alex = Patient.read(str(world.alex.pk), smart.server)
    assert alex.name[0].family == "Sample"
    assert alex.birthDate.isostring == "1990-05-17"
    assert {c.code for c in alex.meta.security} >= {"R", "42CFRPart2", "SUD"}
    search = Condition.where(struct={"patient": str(world.alex.pk)})
    conditions = list(search.perform_resources_iter(smart.server))
    assert [c.code.coding[0].code for c in conditions] == ["F11.20"]


def test_fhirclient_follows_next_links(smart, world, chart):
    search = Observation.where(struct={"_count": "1"})
    seen = [o.id for o in search.perform_resources_iter(smart.server)]
    assert len(seen) == len(set(seen)) == 5


def test_fhirclient_reads_with_a_backend_services_token(live_server, world, chart, clinic, alex_tpo_consent):
    """SMART Backend Services end to end over HTTP: a key made here, an assertion, a token, fhirclient."""
    import json
    import time
    import uuid

    from joserfc import jwt
    from joserfc.jwk import ECKey

    from bridge.fhir import services
    from bridge.privacy.vocab import Purpose

    key = ECKey.generate_key("P-384", parameters={"kid": "k1"})
    registered = services.backend_client_register(
        actor=world.director,
        name="Lakeside EHR",
        recipient=clinic,
        purpose=Purpose.TREATMENT,
        scopes="system/*.read",
        jwks_text=json.dumps({"keys": [key.as_dict(private=False)]}),
    )
    smart = fhir_client.FHIRClient(settings={"app_id": "bridge-test", "api_base": f"{live_server.url}/fhir/"})
    session = smart.server.session
    try:
        config = session.get(f"{live_server.url}/fhir/.well-known/smart-configuration").json()
        token_url = config["token_endpoint"]
        claims = {
            "iss": registered.client_id,
            "sub": registered.client_id,
            "aud": token_url,
            "exp": int(time.time()) + 240,
            "jti": str(uuid.uuid4()),
        }
        assertion = jwt.encode({"alg": "ES384", "kid": "k1", "typ": "JWT"}, claims, key, algorithms=["ES384"])
        issued = session.post(
            token_url,
            data={
                "grant_type": "client_credentials",
                "scope": "system/Patient.rs system/Condition.rs",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion,
            },
        )
        assert issued.status_code == 200, issued.text
        session.headers["Authorization"] = f"Bearer {issued.json()['access_token']}"
        # The Bundle also carries the redisclosure notice (an OperationOutcome): keep the matches.
        found = Patient.where(struct={}).perform_resources_iter(smart.server)
        patients = [p for p in found if p.resource_type == "Patient"]
        assert [p.id for p in patients] == [str(world.alex.pk)]  # blair has no consent
        found = Condition.where(struct={}).perform_resources_iter(smart.server)
        conditions = [c for c in found if c.resource_type == "Condition"]
        assert {c.subject.reference for c in conditions} == {f"Patient/{world.alex.pk}"}
    finally:
        session.close()
