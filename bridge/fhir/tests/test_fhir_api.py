"""The FHIR read/search API: shapes validated with fhir.resources R4B, labels, search, paging, errors."""

from __future__ import annotations

import importlib

import pytest

from bridge.audit.models import AuditEvent
from bridge.fhir.registry import TYPES
from bridge.privacy import labels


def validate(resource: dict) -> None:
    """Parse with the R4B model of the resource's type: structure, cardinality and datatypes."""
    name = resource["resourceType"]
    module = importlib.import_module(f"fhir.resources.R4B.{name.lower()}")
    getattr(module, name).model_validate(resource)


def entries(bundle: dict) -> list[dict]:
    return [e["resource"] for e in bundle.get("entry", []) if e.get("search", {}).get("mode") == "match"]


@pytest.fixture
def director_token(world, token_for):
    return token_for(user=world.director)


def test_metadata_lists_exactly_the_implemented_types(db, client):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    body = response.json()
    validate(body)
    listed = {r["type"] for r in body["rest"][0]["resource"]}
    assert listed == set(TYPES)


@pytest.mark.parametrize("name", sorted(TYPES))
def test_every_emitted_resource_type_validates_against_r4b(
    world, chart, alex_tpo_consent, fhir, director_token, token_for, name
):
    # The audit log is the auditor's; everything else the director sees.
    secret = token_for(user=world.auditor) if name == "AuditEvent" else director_token
    fhir(director_token, "Patient")  # something in the audit log
    response = fhir(secret, name)
    assert response.status_code == 200, response.content
    bundle = response.json()
    validate(bundle)
    found = entries(bundle)
    assert found, f"no {name} in the test data"
    for resource in found:
        validate(resource)
        assert resource["meta"]["lastUpdated"]
        if TYPES[name].is_participant_data:
            assert labels.carries_labels(resource), resource


def test_read_returns_the_resource_and_audits_it(world, chart, fhir, director_token):
    problem = chart["alex"]["problem"]
    before = AuditEvent.objects.count()
    response = fhir(director_token, f"Condition/{problem.pk}")
    assert response.status_code == 200
    body = response.json()
    validate(body)
    assert body["code"]["coding"][0]["code"] == "F11.20"
    assert body["subject"]["reference"] == f"Patient/{world.alex.pk}"
    event = AuditEvent.objects.filter(seq__gt=before, action="read").get()
    assert event.participant_id == world.alex.pk
    assert event.actor_id == world.director.pk
    assert event.object_type == "fhir:Condition"


def test_search_by_patient_code_status_and_date(world, chart, fhir, director_token):
    alex = world.alex.pk
    obs = entries(fhir(director_token, "Observation", patient=f"Patient/{alex}").json())
    assert {o["subject"]["reference"] for o in obs} == {f"Patient/{alex}"}
    positives = entries(fhir(director_token, "Observation", subject=str(alex), code="COC").json())
    assert [[c["code"] for c in o["code"]["coding"]] for o in positives] == [["19359-9", "COC"]]
    by_loinc = entries(
        fhir(director_token, "Observation", subject=str(alex), code="http://loinc.org|19359-9").json()
    )
    assert [o["id"] for o in by_loinc] == [o["id"] for o in positives]
    assert entries(fhir(director_token, "MedicationRequest", status="stopped").json()) == []
    assert len(entries(fhir(director_token, "MedicationRequest", status="active").json())) == 3
    day = chart["alex"]["screen"].collected_on
    since = entries(fhir(director_token, "Observation", date=f"ge{day}", patient=str(alex)).json())
    assert len(since) == 3  # the screen's two results and today's PHQ-9 total
    phq9 = entries(fhir(director_token, "Observation", code="http://loinc.org|44261-6").json())
    assert [(o["id"], o["valueInteger"]) for o in phq9] == [(str(chart["phq9"].pk), 9)]
    after = day.replace(year=day.year + 1)
    assert entries(fhir(director_token, "Observation", date=f"ge{after}").json()) == []
    recent = entries(fhir(director_token, "Observation", _lastUpdated="ge2000-01-01").json())
    assert len(recent) == 5  # four drug-screen results and alex's PHQ-9 total
    ids = entries(fhir(director_token, "Patient", _id=str(alex)).json())
    assert [p["id"] for p in ids] == [str(alex)]


def test_paging_follows_next_links_to_the_end(world, chart, fhir, director_token, client):
    first = fhir(director_token, "Observation", _count="2").json()
    assert first["total"] == 5
    seen = [r["id"] for r in entries(first)]
    nxt = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = client.get(nxt, HTTP_AUTHORIZATION=f"Bearer {director_token}").json()
    seen += [r["id"] for r in entries(second)]
    third_url = next(link["url"] for link in second["link"] if link["relation"] == "next")
    third = client.get(third_url, HTTP_AUTHORIZATION=f"Bearer {director_token}").json()
    seen += [r["id"] for r in entries(third)]
    assert len(seen) == len(set(seen)) == 5  # across both sources (drug screens, then instrument totals)
    assert not [link for link in third["link"] if link["relation"] == "next"]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("Patient", {"birthdate": "1990-05-17"}, 400),
        ("Observation", {"date": "yesterday"}, 400),
        ("Observation", {"_count": "0"}, 400),
        ("MedicationRequest", {"status": "on-hold"}, 400),
        ("Patient", {"_format": "xml"}, 400),
        ("Basic", {}, 404),
        ("Patient/not-a-uuid", {}, 404),
    ],
)
def test_bad_requests_get_an_operation_outcome(world, fhir, director_token, path, params, status):
    response = fhir(director_token, path, **params)
    assert response.status_code == status
    body = response.json()
    validate(body)
    assert body["resourceType"] == "OperationOutcome"
    if params:
        assert body["issue"][0]["expression"] == [next(iter(params))]


def test_unknown_parameter_is_named(world, fhir, director_token):
    body = fhir(director_token, "Patient", name="Alex").json()
    assert "name" in body["issue"][0]["diagnostics"]


def test_writes_are_not_supported(world, fhir, director_token):
    response = fhir(director_token, "Patient", method="post")
    assert response.status_code == 405
    assert response.json()["resourceType"] == "OperationOutcome"
