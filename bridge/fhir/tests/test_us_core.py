"""US Core 6.1 where Bridge claims it: each resource that names a US Core profile in meta.profile
validates against R4 (fhir.resources R4B) and carries that profile's required and must-support
elements where the record has the data; standard codes where US Core asks for them."""

from __future__ import annotations

import pytest

from bridge.fhir.mapping import LOINC, RXNORM, SNOMED, US_CORE
from bridge.fhir.tests.test_fhir_api import entries, validate

# profile -> elements every instance must carry (required, or must-support that Bridge always has)
MUST = {
    "us-core-patient": ["identifier", "name", "gender", "birthDate"],
    "us-core-condition-problems-health-concerns": [
        "category",
        "code",
        "subject",
        "clinicalStatus",
        "verificationStatus",
        "recordedDate",
    ],
    "us-core-observation-lab": ["status", "category", "code", "subject", "effectiveDateTime", "issued"],
    "us-core-observation-screening-assessment": [
        "status",
        "category",
        "code",
        "subject",
        "effectiveDateTime",
    ],
    "us-core-medicationrequest": [
        "status",
        "intent",
        "medicationCodeableConcept",
        "subject",
        "authoredOn",
        "requester",
        "dosageInstruction",
        "reportedBoolean",
    ],
    "us-core-encounter": ["identifier", "status", "class", "type", "subject", "period", "serviceProvider"],
    "us-core-location": ["name", "status", "managingOrganization"],
    "us-core-organization": ["name", "active"],
    "us-core-practitioner": ["identifier", "name"],
    "us-core-documentreference": ["status", "type", "category", "subject", "date", "author", "content"],
}

TYPES_WITH_PROFILES = [
    "Patient",
    "Condition",
    "Observation",
    "MedicationRequest",
    "Encounter",
    "Location",
    "DocumentReference",
]


@pytest.fixture
def everything(world, chart, fhir, token_for):
    secret = token_for(user=world.director)
    out = {}
    for name in [*TYPES_WITH_PROFILES, "Organization", "Practitioner", "Appointment"]:
        response = fhir(secret, name, _count="500")
        assert response.status_code == 200, response.content
        out[name] = entries(response.json())
    return out


def test_every_claimed_profile_has_its_elements(everything):
    claimed = set()
    for name, resources in everything.items():
        for resource in resources:
            validate(resource)
            for profile in resource.get("meta", {}).get("profile", []):
                short = profile.removeprefix(US_CORE)
                assert short in MUST, profile
                claimed.add(short)
                missing = [e for e in MUST[short] if resource.get(e) in (None, [], {}, "")]
                assert not missing, (name, resource["id"], missing)
    assert claimed == set(MUST)


# Sub-elements US Core 6.1 marks must-support inside those elements, as paths (a list is "every item").
NESTED = {
    "us-core-patient": ["identifier.system", "identifier.value", "name.family", "name.given"],
    "us-core-condition-problems-health-concerns": ["category.coding.code", "code.coding.system"],
    "us-core-observation-lab": ["category.coding.code", "code.coding.system", "code.coding.code"],
    "us-core-observation-screening-assessment": ["category.coding.code", "code.coding"],
    "us-core-medicationrequest": ["medicationCodeableConcept.text", "requester.reference"],
    "us-core-encounter": ["identifier.system", "identifier.value", "class.code", "type.coding.code"],
    "us-core-location": ["managingOrganization.reference"],
    "us-core-organization": ["name"],
    "us-core-practitioner": ["identifier.system", "identifier.value", "name.family"],
    "us-core-documentreference": [
        "type.coding.code",
        "category.coding.code",
        "content.attachment.contentType",
        "content.attachment.data",
        "author.reference",
    ],
}


def _present(value, path: list[str]) -> bool:
    if isinstance(value, list):
        return bool(value) and all(_present(item, path) for item in value)
    if not path:
        return value not in (None, "", {}, [])
    return isinstance(value, dict) and _present(value.get(path[0]), path[1:])


def test_every_claimed_profile_has_its_must_support_sub_elements(everything):
    checked = set()
    for name, resources in everything.items():
        for resource in resources:
            for profile in resource.get("meta", {}).get("profile", []):
                short = profile.removeprefix(US_CORE)
                missing = [p for p in NESTED[short] if not _present(resource, p.split("."))]
                assert not missing, (name, resource["id"], missing)
                checked.add(short)
    assert checked == set(NESTED)


def test_drug_screens_are_loinc_coded_lab_results(everything):
    labs = [o for o in everything["Observation"] if o["category"][0]["coding"][0]["code"] == "laboratory"]
    by_code = {o["code"]["coding"][0]["code"]: o for o in labs}
    opiates = by_code["19295-5"]  # urine opiates, negative in the chart
    assert opiates["code"]["coding"][0]["system"] == LOINC
    assert opiates["valueCodeableConcept"]["coding"][0] == {
        "system": SNOMED,
        "code": "260385009",
        "display": "Negative",
    }
    assert by_code["19359-9"]["valueCodeableConcept"]["coding"][0]["code"] == "10828004"  # cocaine positive


def test_instrument_totals_are_survey_observations_with_loinc(everything):
    surveys = [o for o in everything["Observation"] if o["category"][0]["coding"][0]["code"] == "survey"]
    phq9 = next(o for o in surveys if o["code"]["coding"][0]["system"] == LOINC)
    assert phq9["code"]["coding"][0]["code"] == "44261-6"
    assert phq9["valueInteger"] == 9


def test_medication_requests_carry_rxnorm_only_where_the_code_was_checked(everything):
    by_text = {
        m["medicationCodeableConcept"]["text"]: {
            c["code"] for c in m["medicationCodeableConcept"]["coding"] if c["system"] == RXNORM
        }
        for m in everything["MedicationRequest"]
    }
    codings = set().union(*by_text.values())
    assert "1819" in codings  # buprenorphine (ingredient), checked against a source in drugs.json
    assert "7243" in codings  # naltrexone (ingredient), checked against CPIC's drug table
    assert all(codes <= {"1819", "7243"} for codes in by_text.values())


def test_a_drug_whose_code_was_not_checked_is_sent_by_name_only():
    from bridge.clinical.medication import DRUGS
    from bridge.fhir.mapping import drug_concept

    unchecked = [d for d in DRUGS.values() if d.rxnorm is None]
    assert unchecked and any(d.code == "buprenorphine_naloxone" for d in unchecked)
    for drug in unchecked:
        concept = drug_concept(drug.code, drug.label)
        assert all(c["system"] != RXNORM for c in concept["coding"]), drug.code


def test_encounters_and_appointments_reference_their_room(everything, chart):
    room = f"Location/{chart['session'].room_id}"
    mine = [e for e in everything["Encounter"] if e.get("subject")]
    assert mine and all(e["location"][0]["location"]["reference"] == room for e in mine)
    assert all(e["type"][0]["coding"][0]["code"] == "90853" for e in mine)  # group psychotherapy (CPT)
    for appointment in everything["Appointment"]:
        assert room in {p["actor"]["reference"] for p in appointment["participant"]}
    assert {r["id"] for r in everything["Location"]} >= {str(chart["session"].room_id)}


def test_patient_search_uses_active_not_status(world, chart, fhir, token_for):
    secret = token_for(user=world.director)
    active = entries(fhir(secret, "Patient", active="true").json())
    assert active and all(p["active"] for p in active)
    assert all(not p["active"] for p in entries(fhir(secret, "Patient", active="false").json()))
    bad = fhir(secret, "Patient", active="maybe")
    assert bad.status_code == 400
    assert fhir(secret, "Patient", status="active").status_code == 400  # R4 Patient has no status


def test_signed_notes_are_clinical_note_documents(everything, chart, world, fhir, token_for):
    import base64

    [document] = everything["DocumentReference"]  # the draft is not offered
    assert document["id"] == str(chart["note"].pk)
    assert document["type"]["coding"][0] == {"system": LOINC, "code": "11506-3", "display": "Progress note"}
    text = base64.b64decode(document["content"][0]["attachment"]["data"]).decode()
    assert "three weeks without use" in text and "Unfinished" not in text
    outsider = token_for(user=world.outsider)
    assert fhir(outsider, f"DocumentReference/{document['id']}").status_code == 404


def test_a_system_client_gets_notes_only_under_consent(
    world, chart, clinic, alex_tpo_consent, fhir, token_for
):
    secret = token_for(recipient=clinic)
    found = entries(fhir(secret, "DocumentReference").json())
    assert [d["subject"]["reference"] for d in found] == [f"Patient/{world.alex.pk}"]
    assert any(e["url"].endswith("extension-must-display") for e in found[0]["meta"]["extension"])


def _included(bundle: dict) -> set[str]:
    return {e["resource"]["id"] for e in bundle["entry"] if e["search"]["mode"] == "include"}


def test_include_the_patient_of_observations_and_encounters(
    world, chart, clinic, alex_tpo_consent, fhir, token_for
):
    secret = token_for(user=world.director)
    both = {str(world.alex.pk), str(world.blair.pk)}
    assert _included(fhir(secret, "Observation", _include="Observation:patient").json()) == both
    alex_only = fhir(secret, "Encounter", _include="Encounter:subject", patient=str(world.alex.pk)).json()
    assert _included(alex_only) == {str(world.alex.pk)}
    assert fhir(secret, "Observation", _include="Observation:performer").status_code == 400
    assert fhir(secret, "Patient", _include="Patient:organization").status_code == 400
    # A client gets only the patients whose consent releases their demographics to it.
    client_secret = token_for(recipient=clinic)
    bundle = fhir(client_secret, "Observation", _include="Observation:patient").json()
    assert _included(bundle) == {str(world.alex.pk)}
    # Included resources carry the labels like every other, and the search is audited.
    patient = next(e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "include")
    assert patient["meta"]["security"]


def test_questionnaire_responses_answer_with_the_declared_codings(world, chart, fhir, token_for):
    secret = token_for(user=world.director)
    [response] = entries(fhir(secret, "QuestionnaireResponse").json())
    questionnaire = fhir(secret, "Questionnaire/PHQ-9").json()
    declared = {
        item["linkId"]: [o["valueCoding"] for o in item.get("answerOption", [])]
        for item in questionnaire["item"]
    }
    for item in response["item"]:
        answer = item["answer"][0]
        if declared[item["linkId"]]:
            assert answer["valueCoding"] in declared[item["linkId"]], item
    first = response["item"][0]["answer"][0]["valueCoding"]
    assert first == {"system": LOINC, "code": "LA6569-3", "display": first["display"]}  # "Several days" = 1


def test_race_ethnicity_and_birth_sex_when_recorded(world, fhir, token_for):
    from bridge.participants import services as participant_services

    participant_services.participant_update(
        actor=world.director,
        participant=world.alex,
        gender="male",
        sex_at_birth="M",
        race=["2054-5", "2106-3"],
        ethnicity="2186-5",
    )
    participant_services.participant_update(
        actor=world.director, participant=world.blair, race=["ASKU"], sex_at_birth="ASKU"
    )
    secret = token_for(user=world.director)
    alex = fhir(secret, f"Patient/{world.alex.pk}").json()
    validate(alex)
    assert alex["gender"] == "male"
    ext = {e["url"].rsplit("/", 1)[-1]: e for e in alex["extension"]}
    race = [x["valueCoding"]["code"] for x in ext["us-core-race"]["extension"] if x["url"] == "ombCategory"]
    assert race == ["2054-5", "2106-3"]
    assert ext["us-core-ethnicity"]["extension"][0]["valueCoding"]["code"] == "2186-5"
    assert ext["us-core-birthsex"]["valueCode"] == "M"
    blair = fhir(secret, f"Patient/{world.blair.pk}").json()
    validate(blair)
    assert blair["gender"] == "unknown"  # not asked
    ext = {e["url"].rsplit("/", 1)[-1]: e for e in blair["extension"]}
    assert ext["us-core-race"]["extension"][0]["valueCoding"]["code"] == "ASKU"
    assert "us-core-ethnicity" not in ext  # not asked: nothing claimed


def test_the_form_refuses_declined_with_a_category(world):
    from bridge.participants.forms import ParticipantForm

    form = ParticipantForm({"race": ["ASKU", "2106-3"]}, instance=world.alex)
    form.is_valid()
    assert "race" in form.errors
