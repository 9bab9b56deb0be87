"""The CapabilityStatement tells the truth: its security section matches the SMART discovery document
and the endpoints that exist (token; authorize for patient access), and it claims no EHR launch,
OpenID Connect or writes."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from bridge.fhir.registry import TYPES


def test_security_section_matches_what_is_implemented(db, client):
    body = client.get("/fhir/metadata").json()
    CapabilityStatement.model_validate(body)
    rest = body["rest"][0]
    security = rest["security"]
    assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
    oauth = {e["url"]: e["valueUri"] for e in security["extension"][0]["extension"]}
    smart = client.get("/fhir/.well-known/smart-configuration").json()
    assert oauth == {"token": smart["token_endpoint"], "authorize": smart["authorization_endpoint"]}
    assert client.post(smart["token_endpoint"], {}).status_code in (400, 401)  # it exists
    # The authorize endpoint exists: without a client it says so on a page, never redirecting.
    assert client.get(smart["authorization_endpoint"]).status_code == 400
    # CORS headers, for the origins of registered patient apps only (test_cors.py).
    assert security["cors"] is True


def test_only_read_interactions_and_real_search_parameters(db, client):
    body = client.get("/fhir/metadata").json()
    for resource in body["rest"][0]["resource"]:
        assert {i["code"] for i in resource["interaction"]} == {"read", "search-type"}
        names = {p["name"] for p in resource["searchParam"]}
        assert "_count" not in names
        assert names == {"_id", "_lastUpdated", *TYPES[resource["type"]].params}
    description = body["rest"][0]["security"]["description"]
    assert (
        "No write scopes, no EHR launch, no OpenID Connect (openid, fhirUser), no refresh tokens."
        in description
    )
    operations = {r["type"]: [o["name"] for o in r.get("operation", [])] for r in body["rest"][0]["resource"]}
    assert operations["Patient"] == ["export", "everything"] and operations["Group"] == ["export"]


def test_includes_are_declared_where_offered(db, client):
    body = client.get("/fhir/metadata").json()
    declared = {r["type"]: r.get("searchInclude", []) for r in body["rest"][0]["resource"]}
    assert declared["Observation"] == ["Observation:patient", "Observation:subject"]
    assert declared["Encounter"] == ["Encounter:patient", "Encounter:subject"]
    assert declared["Patient"] == []


# --- What it advertises answers; what answers is advertised -----------------------------------------

# Names a client might try: every parameter offered anywhere, and common R4/US Core ones Bridge does
# not offer. Any that a type accepts must be in its searchParam list (or be a result parameter).
CANDIDATES = {
    "_id", "_lastUpdated", "patient", "subject", "date", "code", "status", "active", "identifier",
    "name", "family", "given", "birthdate", "gender", "category", "clinical-status", "intent",
    "authoredon", "authored", "lifecycle-status", "encounter", "location", "type", "_sort",
    "_elements", "_summary", "_text", "_content", "_has", "_revinclude", "_profile", "_tag",
    "_security", "_include", "onset-date", "recorded-date", "effective-time",
}  # fmt: skip
RESULT_PARAMS = {"_count", "_offset", "_format"}  # paging and format, not search parameters


def _sample(name: str, rtype, ids: list[str], patient_id: str) -> str:
    from bridge.fhir.search import rtype_statuses

    return {
        "_id": ids[0] if ids else "00000000-0000-0000-0000-000000000000",
        "_lastUpdated": "ge2000-01-01",
        "patient": patient_id,
        "subject": f"Patient/{patient_id}",
        "date": "ge2000-01-01",
        "code": "x",
        "status": sorted(rtype_statuses(rtype))[0] if rtype_statuses(rtype) else "active",
        "active": "true",
        "_include": f"{rtype.name}:patient",
    }.get(name, "x")


@pytest.fixture
def advertised(client, db):
    body = client.get("/fhir/metadata").json()
    return {r["type"]: r for r in body["rest"][0]["resource"]}


def _secret_for(world, token_for, name: str) -> str:
    # The audit log is the auditor's; everything else the director reads.
    return token_for(user=world.auditor if name == "AuditEvent" else world.director)


def test_every_advertised_interaction_and_search_parameter_answers(
    world, chart, alex_tpo_consent, fhir, token_for, advertised
):
    from bridge.fhir.registry import TYPES

    unread = []
    for name, resource in advertised.items():
        secret = _secret_for(world, token_for, name)
        rtype = TYPES[name]
        found = fhir(secret, name, _count="5")
        assert found.status_code == 200, (name, found.content)
        ids = [e["resource"]["id"] for e in found.json()["entry"] if e["search"]["mode"] == "match"]
        interactions = {i["code"] for i in resource["interaction"]}
        if "read" in interactions:
            if ids:
                read = fhir(secret, f"{name}/{ids[0]}")
                assert read.status_code == 200 and read.json()["id"] == ids[0], (name, read.content)
            else:
                unread.append(name)
        for param in resource["searchParam"]:
            value = _sample(param["name"], rtype, ids, str(world.alex.pk))
            response = fhir(secret, name, **{param["name"]: value})
            assert response.status_code == 200, (name, param["name"], response.content)
            if param["name"] == "_id" and ids:
                assert [e["resource"]["id"] for e in response.json()["entry"]] == [ids[0]]
            # A definition names an R4 SearchParameter; otherwise the documentation says what it is.
            assert ("definition" in param) != ("documentation" in param), (name, param)
        for include in resource.get("searchInclude", []):
            response = fhir(secret, name, _include=include)
            assert response.status_code == 200, (name, include, response.content)
    # The chart fixture has rows of nearly every type; those it lacks are read elsewhere.
    assert set(unread) <= {"HealthcareService", "PractitionerRole", "Location"}, unread
    # The operations: $everything on a patient, $export at each level.
    director = token_for(user=world.director)
    assert fhir(director, f"Patient/{world.alex.pk}/$everything").status_code == 200
    group_id = fhir(director, "Group").json()["entry"][0]["resource"]["id"]
    for path in ("$export", "Patient/$export", f"Group/{group_id}/$export"):
        assert fhir(director, path).status_code == 202, path


def test_every_search_parameter_a_type_accepts_is_advertised(world, chart, fhir, token_for, advertised):
    from bridge.fhir.registry import TYPES

    for name, resource in advertised.items():
        secret = _secret_for(world, token_for, name)
        offered = {p["name"] for p in resource["searchParam"]}
        if resource.get("searchInclude"):
            offered.add("_include")
        for candidate in sorted(CANDIDATES | RESULT_PARAMS):
            value = _sample(candidate, TYPES[name], [], str(world.alex.pk))
            if candidate in RESULT_PARAMS:
                value = {"_count": "5", "_offset": "0", "_format": "json"}[candidate]
            response = fhir(secret, name, **{candidate: value})
            accepted = response.status_code != 400
            assert accepted == (candidate in offered | RESULT_PARAMS), (name, candidate, response.status_code)
