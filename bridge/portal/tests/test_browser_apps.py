"""In Debian's Chromium, on a phone-sized screen: an app sends the participant to sign in, the consent
screen says in plain words what it will read (no axe violation), "Don't allow" sends it away with
access_denied, "Allow" hands it a code, and Account → Apps takes its access away."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from bridge.fhir import patient_services
from bridge.fhir.models import PatientGrant
from bridge.notify import sms
from bridge.portal.tests.conftest import ALEX_PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
REDIRECT = "https://app.example/callback"


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    # The app's own page (no network here): answer it locally so the redirect can be read.
    page.route(
        "https://app.example/**", lambda route: route.fulfill(body="the app", content_type="text/plain")
    )
    yield page
    context.close()


def test_a_participant_refuses_then_allows_an_app_and_takes_its_access_away(app_world, phone, live_server):
    app = patient_services.patient_app_register(
        actor=app_world.director,
        name="Journal",
        redirect_uris=[REDIRECT],
        scopes="launch/patient patient/*.read",
    )
    url = "/oauth/authorize?" + urlencode(
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": REDIRECT,
            "scope": "launch/patient patient/*.read",
            "state": "s1",
            "aud": f"{live_server.url}/fhir",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
    )
    phone.goto(url)
    phone.get_by_role("heading", name="Sign in to your Bridge").wait_for()
    phone.get_by_label("Your mobile phone number or email").fill(ALEX_PHONE)
    phone.get_by_role("button", name="Send me a code").click()
    phone.get_by_role("heading", name="Type your code").wait_for()
    found = re.search(r"\b(\d{6})\b", sms.outbox[-1][1])
    assert found is not None
    phone.get_by_label("Sign-in code").fill(found.group(1))
    phone.get_by_role("button", name="Sign in").click()

    phone.get_by_role("heading", name="Let Journal read your records?").wait_for()
    phone.get_by_text("Your drug-screen results and questionnaire scores").wait_for()
    results = AXE.run(phone)
    assert results.violations_count == 0, results.generate_report()
    phone.get_by_role("button", name="Don't allow").click()
    phone.wait_for_url(re.compile(r"^https://app\.example/callback"))
    assert parse_qs(urlsplit(phone.url).query)["error"] == ["access_denied"]
    assert not PatientGrant.objects.exists()

    phone.goto(url)
    phone.get_by_role("button", name="Allow", exact=True).click()
    phone.wait_for_url(re.compile(r"^https://app\.example/callback"))
    back = parse_qs(urlsplit(phone.url).query)
    assert back["state"] == ["s1"] and back["code"][0]
    assert PatientGrant.objects.get().revoked_at is None

    phone.goto("/me/account/")
    phone.get_by_role("link", name="Apps that read your records").click()
    phone.get_by_role("heading", name="Apps that read your records").wait_for()
    assert AXE.run(phone).violations_count == 0
    phone.get_by_role("button", name="Take away its access").click()
    phone.get_by_text("Journal can no longer read your records.").wait_for()
    assert PatientGrant.objects.get().revoked_at is not None
