"""The directory's public JSON API: the same search and program facts, errors naming the field."""

from __future__ import annotations

import pytest

SEARCH = "/api/v1/directory/search"


def test_search_answers_json_nearest_first(client, listed, make_facility):
    make_facility("Bay Recovery", "94103", codes=("SA", "IOP", "MD"))
    make_facility("No Medicaid", "94610", codes=("SA", "IOP"))
    response = client.get(SEARCH, {"where": "94607", "radius": 25, "setting": "iop", "payment": ["MD"]})
    assert response.status_code == 200
    body = response.json()
    assert (body["place"], body["total"]) == ("ZIP code 94607 (Oakland, CA)", 2)
    assert [(r["name"], r["kind"]) for r in body["results"]] == [
        ("Harbor", "live"),
        ("Bay Recovery", "imported"),
    ]
    assert body["results"][1]["source"].startswith("SAMHSA, FindTreatment.gov")
    assert "MD" in body["results"][1]["codes"] and body["results"][1]["distance_miles"] > 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"where": "00000"}, "where"),
        ({"where": "94607", "payment": "GOLD"}, "payment"),
        ({"where": "94607", "radius": 7}, "radius"),
        ({}, "where"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, db, params, field):
    response = client.get(SEARCH, params)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_a_listing_answers_its_facts_and_signals(client, listed):
    body = client.get(f"/api/v1/directory/listings/{listed.program.pk}").json()
    assert body["kind"] == "live"
    facts = {f["key"]: f for f in body["facts"]}
    assert facts["accreditation"]["values"][0].startswith("CARF")
    assert {s["key"] for s in body["signals"]} >= {"retention_30", "moud_180"}
    assert client.get("/api/v1/directory/listings/6d7f1f9e-0000-4000-8000-000000000000").status_code == 404


def test_the_directory_is_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/directory/search" in paths and "/api/v1/directory/listings/{listing_id}" in paths
