"""The CapabilityStatement tells the truth: its security section matches the SMART discovery document
and the endpoints that exist (token; authorize for patient access), and it claims no EHR launch,
OpenID Connect or writes."""

from __future__ import annotations

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
    assert "cors" not in security


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
