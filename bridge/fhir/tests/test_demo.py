"""The demo's tokens work as the README says: the director's, the clinic's (TPO) and the employer's."""

from __future__ import annotations

from bridge.fhir import demo as fhir_demo
from bridge.participants.models import Participant


def matches(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return [e["resource"] for e in response.json()["entry"] if e["search"]["mode"] == "match"]


def test_demo_tokens_see_what_their_rules_allow(demo, client):
    def get(secret, path, **params):
        return client.get(f"/fhir/{path}", {"_count": "500", **params}, HTTP_AUTHORIZATION=f"Bearer {secret}")

    everyone = matches(get(fhir_demo.DIRECTOR_TOKEN, "Patient"))
    assert len(everyone) == Participant.objects.count()
    clinic = matches(get(fhir_demo.CLINIC_TOKEN, "Patient"))
    in_care = Participant.objects.filter(status__in=["active", "step_down", "on_hold"]).count()
    assert 0 < len(clinic) <= in_care < len(everyone)
    assert matches(get(fhir_demo.CLINIC_TOKEN, "Observation"))
    assert matches(get(fhir_demo.EMPLOYER_TOKEN, "Patient")) == []  # its consent releases no demographics
    episodes = matches(get(fhir_demo.EMPLOYER_TOKEN, "EpisodeOfCare"))
    assert len({e["patient"]["reference"] for e in episodes}) == 1
    assert get(fhir_demo.EMPLOYER_TOKEN, "Observation").status_code == 403  # outside its scopes


def test_the_demo_backend_client_gets_a_token_with_its_demo_key(demo, client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("smart_assertion", "--demo", "--aud", "http://testserver/oauth/token", stdout=out)
    response = client.post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "scope": "system/*.read",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": out.getvalue().strip(),
        },
    )
    assert response.status_code == 200, response.content
    secret = response.json()["access_token"]
    clinic = matches(client.get("/fhir/Patient", {"_count": "500"}, HTTP_AUTHORIZATION=f"Bearer {secret}"))
    static = matches(
        client.get("/fhir/Patient", {"_count": "500"}, HTTP_AUTHORIZATION=f"Bearer {fhir_demo.CLINIC_TOKEN}")
    )
    assert {p["id"] for p in clinic} == {p["id"] for p in static}  # the same consent gate
