"""CORS for browser-based patient apps: only registered app origins, only the SMART and FHIR paths,
never `*` and never with credentials."""

from __future__ import annotations

import pytest

from bridge.fhir import patient_services
from bridge.fhir.tests.test_patient_access import authorize_url, pkce, query, ticked
from bridge.portal.tests.conftest import sign_in

ORIGIN = "https://app.example"
REDIRECT = ORIGIN + "/callback"
PATHS = [
    "/oauth/token",
    "/.well-known/smart-configuration",
    "/fhir/.well-known/smart-configuration",
    "/fhir/metadata",
    "/fhir/Observation",
    "/fhir/Patient/abc",
]


@pytest.fixture
def browser_app(world):
    return patient_services.patient_app_register(
        actor=world.director, name="Browser journal", redirect_uris=[REDIRECT, "http://localhost:3000/cb"]
    )


def preflight(client, path: str, origin: str, method: str = "GET"):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )


def assert_no_cors(response) -> None:
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("path", PATHS)
def test_a_registered_app_origin_gets_its_preflight_answered(browser_app, client, path):
    response = preflight(client, path, ORIGIN, "POST" if path == "/oauth/token" else "GET")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "Authorization" in response["Access-Control-Allow-Headers"]
    expected = "POST" if path == "/oauth/token" else "GET"
    assert expected in response["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response
    assert "Origin" in response["Vary"]


def test_the_localhost_origin_of_a_development_redirect_uri_is_allowed(browser_app, client):
    response = client.get("/fhir/metadata", HTTP_ORIGIN="http://localhost:3000")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "http://localhost:3000"


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "https://app.exam",
        "https://app.example.evil.net",
        "http://app.example",
        "null",
    ],
)
def test_any_other_origin_gets_no_cors_headers(browser_app, client, origin):
    assert_no_cors(preflight(client, "/fhir/metadata", origin))
    response = client.get("/fhir/metadata", HTTP_ORIGIN=origin)
    assert response.status_code == 200
    assert_no_cors(response)


def test_discovery_and_metadata_answer_the_app_origin_never_star(browser_app, client):
    for path in ("/.well-known/smart-configuration", "/fhir/metadata"):
        response = client.get(path, HTTP_ORIGIN=ORIGIN)
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == ORIGIN != "*"
        assert "Access-Control-Allow-Credentials" not in response


def test_other_paths_of_the_site_send_no_cors_headers(browser_app, client):
    for path in ("/me/apps/", "/settings/patient-apps/", "/oauth/authorize", "/api/"):
        assert_no_cors(client.get(path, HTTP_ORIGIN=ORIGIN))
        assert_no_cors(preflight(client, path, ORIGIN))


def test_a_disabled_app_loses_its_origin(browser_app, world, client):
    patient_services.patient_app_disable(actor=world.director, app=browser_app)
    assert_no_cors(preflight(client, "/oauth/token", ORIGIN, "POST"))


def test_the_browser_app_exchanges_its_code_and_reads_with_cors(app_world, chart, browser_app, client):
    sign_in(client)
    verifier, challenge = pkce()
    url = authorize_url(browser_app, challenge, redirect_uri=REDIRECT)
    page = client.get(url)
    code = query(client.post(url, {"decision": "allow", "kinds": ticked(page)})["Location"])["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": browser_app.client_id,
        "code_verifier": verifier,
    }
    token = client.post("/oauth/token", form, HTTP_ORIGIN=ORIGIN)
    assert token.status_code == 200, token.content
    assert token["Access-Control-Allow-Origin"] == ORIGIN
    secret = token.json()["access_token"]
    read = client.get("/fhir/Observation", HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ORIGIN=ORIGIN)
    assert read.status_code == 200 and read["Access-Control-Allow-Origin"] == ORIGIN
    # An error answer is readable by the app too (it must see the 401 to start again).
    refused = client.get("/fhir/Observation", HTTP_AUTHORIZATION="Bearer nope", HTTP_ORIGIN=ORIGIN)
    assert refused.status_code == 401 and refused["Access-Control-Allow-Origin"] == ORIGIN
