"""Patient access end to end over HTTP with SMART on FHIR's own Python client (fhirclient): it finds
the endpoints in the CapabilityStatement, builds the authorize URL with its PKCE challenge, the
participant signs in and allows it, and fhirclient exchanges the code and reads as the patient."""

from __future__ import annotations

import re

import pytest
import requests
from fhirclient import client as fhir_client
from fhirclient.models.observation import Observation
from fhirclient.server import FHIRUnauthorizedException

from bridge.fhir import patient_services
from bridge.fhir.models import PatientGrant
from bridge.portal.tests.conftest import ALEX_PHONE, last_code

pytestmark = pytest.mark.django_db(transaction=True)
REDIRECT = "https://app.example/callback"


def _form(session: requests.Session, url: str, data: dict) -> requests.Response:
    page = session.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None, page.text[:500]
    return session.post(url, data={"csrfmiddlewaretoken": token.group(1), **data}, allow_redirects=False)


def test_fhirclient_authorizes_as_a_participant_and_reads_only_their_records(live_server, app_world, chart):
    world = app_world
    app = patient_services.patient_app_register(
        actor=world.director, name="Journal", redirect_uris=[REDIRECT], scopes="launch/patient patient/*.read"
    )
    smart = fhir_client.FHIRClient(
        settings={
            "app_id": app.client_id,
            "api_base": f"{live_server.url}/fhir/",
            "redirect_uri": REDIRECT,
            "scope": "patient/*.read",
        }
    )
    browser = requests.Session()
    try:
        authorize = smart.authorize_url
        assert authorize.startswith(f"{live_server.url}/oauth/authorize?") and "code_challenge=" in authorize
        to_sign_in = browser.get(authorize, allow_redirects=False)
        assert to_sign_in.status_code == 302
        sign_in_url = live_server.url + to_sign_in.headers["Location"]
        assert _form(browser, sign_in_url, {"contact": ALEX_PHONE}).status_code == 302
        back = _form(browser, f"{live_server.url}/me/sign-in/code/", {"code": last_code()})
        assert back.status_code == 302 and back.headers["Location"].startswith("/oauth/authorize?")
        consent = browser.get(authorize)
        assert "Let Journal read your records?" in consent.text
        kinds = re.findall(r'name="kinds" value="([^"]+)" checked', consent.text)
        allowed = _form(browser, authorize, {"decision": "allow", "kinds": kinds})
        assert allowed.status_code == 302 and allowed.headers["Location"].startswith(REDIRECT)

        smart.handle_callback(allowed.headers["Location"])
        assert smart.patient_id == str(world.alex.pk)
        assert smart.patient is not None and smart.patient.name[0].given[0] == world.alex.first_name
        found = list(Observation.where(struct={}).perform_resources_iter(smart.server))
        assert len(found) == 3 and {o.subject.reference for o in found} == {f"Patient/{world.alex.pk}"}
        other = Observation.where(struct={"patient": str(world.blair.pk)}).perform_resources(smart.server)
        assert other == []

        patient_services.patient_grant_revoke(grant=PatientGrant.objects.get())
        with pytest.raises(FHIRUnauthorizedException):
            Observation.where(struct={}).perform_resources(smart.server)
    finally:
        browser.close()
        smart.server.session.close()
