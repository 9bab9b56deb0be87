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
    in_care = Participant.objects.filter(status__in=["active", "step_down"]).count()
    assert 0 < len(clinic) <= in_care < len(everyone)
    assert matches(get(fhir_demo.CLINIC_TOKEN, "Observation"))
    assert matches(get(fhir_demo.EMPLOYER_TOKEN, "Patient")) == []  # its consent releases no demographics
    episodes = matches(get(fhir_demo.EMPLOYER_TOKEN, "EpisodeOfCare"))
    assert len({e["patient"]["reference"] for e in episodes}) == 1
    assert get(fhir_demo.EMPLOYER_TOKEN, "Observation").status_code == 403  # outside its scopes
