"""`Patient/$everything`: a patient's records the caller may see, paged, every resource valid R4,
through the same access rule as a search (care team, consent, or the participant's own app)."""

from __future__ import annotations

import importlib
from datetime import timedelta
from urllib.parse import urlsplit

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from bridge.audit.models import AuditEvent
from bridge.privacy import services as privacy_services
from bridge.privacy.models import Disclosure
from bridge.privacy.vocab import ConsentType, DataClass, Purpose


def valid(resource: dict) -> None:
    name = resource["resourceType"]
    module = importlib.import_module(f"fhir.resources.R4B.{name.lower()}")
    getattr(module, name).model_validate(resource)


def everything(fhir, secret: str, patient_id, **params) -> list[dict]:
    """Every page, following next links; each Bundle validated. Returns the bundles."""
    bundles = []
    response = fhir(secret, f"Patient/{patient_id}/$everything", **params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        Bundle.model_validate(body)
        bundles.append(body)
        nxt = [link["url"] for link in body["link"] if link["relation"] == "next"]
        if not nxt:
            return bundles
        parts = urlsplit(nxt[0])
        response = fhir(secret, parts.path.removeprefix("/fhir/") + "?" + parts.query)


def test_staff_get_everything_they_may_see_of_one_patient_paged(world, chart, fhir, token_for):
    secret = token_for(user=world.therapist_a)
    bundles = everything(fhir, secret, world.alex.pk, _count="4")
    entries = [e for b in bundles for e in b["entry"]]
    total = bundles[0]["total"]
    assert len(bundles) == -(-total // 4) and len(entries) == total
    resources = [e["resource"] for e in entries]
    assert resources[0]["resourceType"] == "Patient" and resources[0]["id"] == str(world.alex.pk)
    for resource in resources:
        valid(resource)
    kinds = {r["resourceType"] for r in resources}
    assert {"Patient", "EpisodeOfCare", "Condition", "CarePlan", "Goal", "MedicationRequest"} <= kinds
    assert {"MedicationAdministration", "Observation", "DocumentReference", "QuestionnaireResponse"} <= kinds
    assert {"Appointment", "Encounter"} <= kinds and "Group" not in kinds
    refs = {r.get("subject", r.get("patient", {})).get("reference") for r in resources[1:]} - {None}
    assert refs == {f"Patient/{world.alex.pk}"}
    assert len({(r["resourceType"], r["id"]) for r in resources}) == total  # no repeats across pages
    assert AuditEvent.objects.filter(
        action="search", object_type="fhir:Patient/$everything", participant=world.alex
    ).count() == len(bundles)
    assert AuditEvent.objects.filter(
        action="read", object_type="fhir:Observation", participant=world.alex
    ).exists()


def test_a_patient_outside_the_callers_access_is_not_here(world, chart, fhir, token_for):
    for user in (world.therapist_b, world.outsider):
        assert fhir(token_for(user=user), f"Patient/{world.alex.pk}/$everything").status_code == 404
    assert fhir(token_for(user=world.director), "Patient/not-a-uuid/$everything").status_code == 404
    assert AuditEvent.objects.filter(action="access_denied", object_type="fhir:Patient/$everything").exists()


def test_a_system_client_gets_only_what_consent_releases_as_disclosures(
    world, chart, fhir, token_for, clinic, alex_tpo_consent
):
    secret = token_for(recipient=clinic)
    bundles = everything(fhir, secret, world.alex.pk, _count="50")
    entries = bundles[0]["entry"]
    assert entries[-1]["resource"]["resourceType"] == "OperationOutcome"  # the redisclosure notice
    for entry in entries:
        valid(entry["resource"])
    assert Disclosure.objects.filter(participant=world.alex, recipient=clinic).exists()
    assert fhir(secret, f"Patient/{world.blair.pk}/$everything").status_code == 404  # no consent


def test_scopes_narrow_the_types_and_bad_parameters_are_400(world, chart, fhir, token_for):
    secret = token_for(user=world.director, scopes="user/Patient.read user/Observation.read")
    bundles = everything(fhir, secret, world.alex.pk)
    assert {e["resource"]["resourceType"] for e in bundles[0]["entry"]} == {"Patient", "Observation"}
    bad = fhir(token_for(user=world.director), f"Patient/{world.alex.pk}/$everything", start="2026-01-01")
    assert bad.status_code == 400 and bad.json()["resourceType"] == "OperationOutcome"
    # No Patient scope: the parts it may read, without the Patient entry.
    no_patient = token_for(user=world.director, scopes="user/Observation.read")
    kinds = {e["resource"]["resourceType"] for e in everything(fhir, no_patient, world.alex.pk)[0]["entry"]}
    assert kinds == {"Observation"}
    groups_only = token_for(user=world.director, scopes="user/Group.read")
    assert fhir(groups_only, f"Patient/{world.alex.pk}/$everything").status_code == 403


def test_a_client_whose_consent_does_not_cover_demographics_gets_the_rest_without_the_patient(
    world, chart, fhir, token_for, clinic
):
    today = timezone.localdate(timezone=world.program.tz)
    privacy_services.consent_record(
        actor=world.director,
        participant=world.alex,
        consent_type=ConsentType.TPO,
        patient_name=world.alex.legal_name,
        discloser="Harbor",
        data_classes=[DataClass.DRUG_SCREENS],
        recipients=[],
        purposes=[Purpose.TREATMENT],
        expiry_event="when I revoke it in writing",
        signature_name=world.alex.legal_name,
        signed_on=today - timedelta(days=5),
    )
    secret = token_for(recipient=clinic)
    assert fhir(secret, f"Patient/{world.alex.pk}").status_code == 404  # demographics: not released
    bundles = everything(fhir, secret, world.alex.pk)
    entries = bundles[0]["entry"]
    resources = [e["resource"] for e in entries]
    for resource in resources:
        valid(resource)
    kinds = [r["resourceType"] for r in resources]
    assert "Patient" not in kinds and set(kinds) == {"Observation", "OperationOutcome"}
    assert kinds[-1] == "OperationOutcome"  # the redisclosure notice
    observations = [r for r in resources if r["resourceType"] == "Observation"]
    assert bundles[0]["total"] == len(observations) == 2  # alex's two drug-screen results, no PHQ-9
    assert all(r["subject"]["reference"] == f"Patient/{world.alex.pk}" for r in observations)
    disclosure = Disclosure.objects.get(participant=world.alex, recipient=clinic)
    assert disclosure.data_classes == [DataClass.DRUG_SCREENS]
    # Blair has no consent for this client: nothing to see, which reads as "not here".
    assert fhir(secret, f"Patient/{world.blair.pk}/$everything").status_code == 404
