"""The public JSON API: no login, nothing stored, strict 400s that name the field, 404, rate limit."""

from __future__ import annotations

import json

import pytest

from bridge.audit.models import AuditEvent
from bridge.instruments.tests.test_bands import BOUNDARIES, criteria
from bridge.intake.tests.conftest import dsm

pytestmark = pytest.mark.django_db


def post(client, path, body, **extra):
    return client.post(f"/api/v1/{path}", json.dumps(body), content_type="application/json", **extra)


def error_field(response) -> str:
    return response.json()["error"]["field"]


def test_instrument_list_has_every_code_items_options_points_and_loinc(client):
    response = client.get("/api/v1/instruments")
    assert response.status_code == 200
    body = response.json()
    assert [i["code"] for i in body] == [
        "PHQ-9",
        "PHQ-2",
        "GAD-7",
        "GAD-2",
        "AUDIT",
        "AUDIT-C",
        "DAST-10",
        "CIWA-Ar",
        "COWS",
        "BAM",
        "PCL-5",
        "C-SSRS-Screener",
        "DSM-5-SUD",
    ]
    by_code = {i["code"]: i for i in body}
    phq9 = by_code["PHQ-9"]
    assert phq9["loinc"] == {"panel": "44249-1", "total": "44261-6"}
    assert phq9["items"][8]["loinc"] == "44260-8"
    assert [o["points"] for o in phq9["items"][0]["options"]] == [0, 1, 2, 3]
    assert [o["points"] for o in by_code["COWS"]["items"][0]["options"]] == [0, 1, 2, 4]
    dast3 = by_code["DAST-10"]["items"][2]
    assert dast3["reverse_scored"] and [(o["value"], o["points"]) for o in dast3["options"]] == [
        (0, 1),
        (1, 0),
    ]
    assert by_code["AUDIT-C"]["needs_sex"] and by_code["DSM-5-SUD"]["criteria"][
        "no_withdrawal_criterion"
    ] == [
        "phencyclidine",
        "other_hallucinogen",
        "inhalant",
    ]
    assert [b["min"] for b in by_code["GAD-7"]["bands"]] == [0, 5, 10, 15]


def test_one_instrument_and_an_unknown_one(client):
    assert client.get("/api/v1/instruments/COWS").json()["item_count"] == 11
    response = client.get("/api/v1/instruments/NOPE")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("code", "responses", "total", "band"), BOUNDARIES)
def test_scoring_through_the_api_at_every_boundary(client, code, responses, total, band):
    response = post(client, f"instruments/{code}/score", {"responses": responses})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"instrument", "total", "band", "alerts"}
    assert (body["instrument"], body["total"], body["band"]) == (code, total, band)
    assert isinstance(body["alerts"], list)


def test_score_shapes_for_audit_c_bam_cssrs_and_dsm5(client):
    assert (
        post(client, "instruments/AUDIT-C/score", {"responses": [1, 1, 1], "sex": "female"}).json()["band"]
        == "positive"
    )
    bam = post(client, "instruments/BAM/score", {"responses": [0] * 17}).json()
    assert bam["total"] == {"use": 0, "risk": 0, "protective": 0}
    assert bam["band"] == {"use": "no_use", "risk": "not_elevated", "protective": "low"}
    cssrs = post(client, "instruments/C-SSRS-Screener/score", {"responses": [1, 1, 1, 1, 0, 1, 1]}).json()
    assert cssrs["total"] is None and cssrs["band"] == "high"
    assert set(cssrs["alerts"]) == {"cssrs_q4_intent", "cssrs_q6_behavior_past_3_months"}
    body = criteria(["c4_craving", "c10_tolerance", "c11_withdrawal"], "opioid", supervised=True)
    result = post(client, "instruments/DSM-5-SUD/score", {"responses": body}).json()
    assert result == {
        "instrument": "DSM-5-SUD",
        "total": 1,
        "band": "none",
        "alerts": ["dsm5_tolerance_withdrawal_excluded_medical_supervision"],
    }


@pytest.mark.parametrize(
    ("code", "body", "field"),
    [
        ("PHQ-9", {"responses": [0] * 8}, "responses"),  # wrong item count
        ("PHQ-9", {"responses": [0] * 10}, "responses"),
        ("PHQ-9", {"responses": [0, 0, 0, 0, 0, 0, 0, 0, 4]}, "responses[8]"),  # out of range
        ("COWS", {"responses": [3] + [0] * 10}, "responses[0]"),
        ("AUDIT", {"responses": [1, 1, 0, 0, 0, 0, 0, 0, 3, 0]}, "responses[8]"),
        ("GAD-7", {"responses": [0, 0, 1.5, 0, 0, 0, 0]}, "responses[2]"),  # non-integer
        ("GAD-7", {"responses": [0, 0, "1", 0, 0, 0, 0]}, "responses[2]"),
        ("GAD-7", {"responses": [0, 0, True, 0, 0, 0, 0]}, "responses[2]"),
        ("GAD-7", {}, "responses"),  # missing field
        ("GAD-7", {"responses": "0000000"}, "responses"),
        ("AUDIT-C", {"responses": [1, 1, 1]}, "sex"),
        ("AUDIT-C", {"responses": [1, 1, 1], "sex": "other"}, "sex"),
        (
            "DSM-5-SUD",
            {"responses": {**dsm(2, "inhalant"), "c11_withdrawal": True}},
            "responses.c11_withdrawal",
        ),
        (
            "DSM-5-SUD",
            {"responses": {k: v for k, v in dsm(2).items() if k != "c3_time_spent"}},
            "responses.c3_time_spent",
        ),
        ("C-SSRS-Screener", {"responses": [0, 0, 1, 0, 0, 0, 0]}, "responses[2]"),
    ],
)
def test_bad_responses_are_400_naming_the_field(client, code, body, field):
    response = post(client, f"instruments/{code}/score", body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == field and error["message"]


def test_unknown_code_is_404_and_broken_json_is_400(client):
    assert post(client, "instruments/PHQ-10/score", {"responses": [0]}).status_code == 404
    broken = client.post("/api/v1/instruments/PHQ-9/score", "{not json", content_type="application/json")
    assert broken.status_code == 400 and "error" in broken.json()


def test_placement_answers_with_level_dimensions_alerts_and_explanation(client):
    body = {
        "age": 29,
        "instruments": {
            "COWS": [4, 4, 5, 5, 4, 2, 3, 0, 0, 0, 0],
            "DSM-5-SUD": dsm(5, "opioid"),
            "AUDIT-C": {"responses": [1, 0, 0], "sex": "male"},
        },
        "context": {"home_active_substance_use": False, "domestic_violence": False, "stable_housing": True},
    }
    response = post(client, "placement", body)
    assert response.status_code == 200
    result = response.json()
    assert (result["edition"], result["level"], result["withdrawal_management"]) == ("3", "2.1", "2-WM")
    assert result["dimensions"]["1"]["rating"] == 2
    assert "buprenorphine induction offered now, alongside IOP" in result["dimensions"]["1"]["reasons"][0]
    assert list(result["dimensions"]) == ["1", "2", "3", "4", "5", "6"]
    assert any("supportive relationships" in line for line in result["explanation"])
    assert result["alerts"] == [
        {
            "code": "auditc_points_from_q1_only",
            "imminent": False,
            "urgency": "routine",
            "route": None,
            "message": result["alerts"][0]["message"],
        }
    ]


def test_placement_in_the_fourth_edition_names_it_and_integrates_withdrawal_management(client):
    body = {
        "age": 29,
        "edition": "4",
        "instruments": {"COWS": [4, 4, 5, 5, 4, 2, 3, 0, 0, 0, 0], "DSM-5-SUD": dsm(5, "opioid")},
    }
    result = post(client, "placement", body).json()
    assert (result["edition"], result["level"], result["withdrawal_management"]) == ("4", "2.7", None)


def test_severe_alcohol_withdrawal_with_seizures_is_an_imminent_alert_with_a_route(client):
    body = {
        "age": 52,
        "instruments": {"CIWA-Ar": [7, 7, 7, 7, 7, 7, 7, 4, 2, 0]},
        "context": {"withdrawal_history_severe": True, "medical_condition": "unstable"},
    }
    result = post(client, "placement", body).json()
    now = {a["code"]: a for a in result["alerts"] if a["urgency"] == "now"}
    assert set(now) == {"withdrawal_severe_complicated", "withdrawal_severe_medically_unstable"}
    assert all(a["imminent"] and "911" in a["route"] for a in now.values())
    assert result["withdrawal_management"] == "4-WM"


def test_phq9_item9_is_a_same_day_task_not_imminent(client):
    result = post(client, "placement", {"age": 30, "instruments": {"PHQ-9": [0] * 8 + [1]}}).json()
    assert [(a["code"], a["urgency"], a["imminent"]) for a in result["alerts"]] == [
        ("phq9_item9_positive", "same_day", False)
    ]


def test_placement_leads_with_imminent_risk_and_988(client):
    body = {
        "age": 19,
        "instruments": {"PHQ-9": [0, 0, 0, 0, 0, 0, 0, 0, 2], "C-SSRS-Screener": [1, 1, 0, 0, 1, 0, 0]},
    }
    result = post(client, "placement", body).json()
    assert result["alerts"][0]["imminent"] and "988" in result["alerts"][0]["message"]
    assert result["explanation"][0].startswith("Act now") and "988" in result["explanation"][0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "age"),
        ({"age": "40"}, "age"),
        ({"age": 40.5}, "age"),
        ({"age": 7}, "age"),
        ({"age": 40, "context": {"pregnant": "yes"}}, "context.pregnant"),
        ({"age": 40, "context": {"medical_condition": "fine"}}, "context.medical_condition"),
        ({"age": 40, "context": {"readiness": 3}}, "context.readiness"),
        ({"age": 40, "context": {"housed": True}}, "context.housed"),
        ({"age": 40, "instruments": {"PHQ-9": [0, 0]}}, "instruments.PHQ-9"),
        ({"age": 40, "instruments": {"COWS": [0] * 10 + [4]}}, "instruments.COWS[10]"),
        ({"age": 40, "instruments": {"AUDIT-C": [1, 1, 1]}}, "instruments.AUDIT-C.sex"),
        ({"age": 40, "instruments": {"XYZ": [1]}}, "instruments.XYZ"),
        ({"age": 40, "instruments": []}, "instruments"),
        ({"age": 40, "edition": "5"}, "edition"),
        ({"age": 40, "edition": 4}, "edition"),
    ],
)
def test_placement_400s_name_the_field(client, body, field):
    response = post(client, "placement", body)
    assert response.status_code == 400
    assert error_field(response) == field


def test_the_api_stores_nothing_and_needs_no_login(client, django_assert_max_num_queries):
    before = AuditEvent.objects.count()
    with django_assert_max_num_queries(0):
        assert post(client, "instruments/PHQ-9/score", {"responses": [0] * 9}).status_code == 200
        assert post(client, "placement", {"age": 30}).status_code == 200
        assert client.get("/api/v1/instruments").status_code == 200
    assert AuditEvent.objects.count() == before


def test_the_api_is_rate_limited_per_client_address(client, settings):
    settings.BRIDGE_PUBLIC_API_RATE = "3/min"
    codes = [post(client, "instruments/PHQ-2/score", {"responses": [0, 0]}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    throttled = post(client, "placement", {"age": 30})
    assert throttled.status_code == 429 and throttled.json()["error"]["code"] == "throttled"
    # A forged X-Forwarded-For is not trusted without a configured proxy, so it cannot dodge the limit.
    forged = post(client, "placement", {"age": 30}, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert forged.status_code == 429
    other = post(client, "placement", {"age": 30}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200


def test_openapi_describes_the_public_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/instruments", "/api/v1/instruments/{code}/score", "/api/v1/placement"} <= set(paths)
