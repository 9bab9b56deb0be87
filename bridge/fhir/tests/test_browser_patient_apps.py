"""In the real browser: the director registers a patient app (a bad redirect URI is a field error),
then a participant, on a phone, unticks their progress notes on the consent screen (no axe violation)
and allows the rest; the grant and /me/apps/ show only what they ticked."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from bridge.fhir.models import PatientApp, PatientGrant
from bridge.notify import sms
from bridge.portal.tests.conftest import ALEX_PHONE
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
REDIRECT = "https://steps.example/cb"


def test_director_registers_an_app_and_a_participant_allows_only_part(app_world, page, chromium, live_server):
    browser_login(page, "director", PASSWORD)
    page.get_by_role("link", name="Patient apps").click()
    page.get_by_role("heading", name="Patient apps").wait_for()
    page.get_by_label("Name").fill("Sober Steps")
    page.get_by_label("Contact").fill("apps@steps.example")
    page.get_by_label("Redirect URIs").fill("http://steps.example/cb")
    page.get_by_role("button", name="Register app").click()
    page.get_by_text("redirect URIs must use https://").wait_for()
    page.get_by_label("Redirect URIs").fill(REDIRECT)
    page.get_by_role("button", name="Register app").click()
    page.get_by_role("heading", name="App registered").wait_for()
    app = PatientApp.objects.get()
    assert page.locator("#client-id").inner_text() == app.client_id

    context = chromium.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(30_000)
    phone = context.new_page()
    phone.route(
        "https://steps.example/**", lambda route: route.fulfill(body="app", content_type="text/plain")
    )
    phone.goto(
        "/oauth/authorize?"
        + urlencode(
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
    )
    phone.get_by_label("Your mobile phone number or email").fill(ALEX_PHONE)
    phone.get_by_role("button", name="Send me a code").click()
    phone.get_by_role("heading", name="Type your code").wait_for()
    found = re.search(r"\b(\d{6})\b", sms.outbox[-1][1])
    assert found is not None
    phone.get_by_label("Sign-in code").fill(found.group(1))
    phone.get_by_role("button", name="Sign in").click()
    phone.get_by_role("heading", name="Let Sober Steps read your records?").wait_for()
    results = AXE.run(phone)
    assert results.violations_count == 0, results.generate_report()
    phone.get_by_label("Your signed progress notes").uncheck()
    phone.get_by_role("button", name="Allow", exact=True).click()
    phone.wait_for_url(re.compile(r"^https://steps\.example/cb"))
    assert parse_qs(urlsplit(phone.url).query)["code"][0]
    granted = PatientGrant.objects.get().scopes.split()
    assert "patient/Observation.read" in granted and "patient/*.read" not in granted
    assert not any("DocumentReference" in s for s in granted)
    phone.goto("/me/apps/")
    phone.get_by_text("patient/Observation.read").first.wait_for()
    assert "Your signed progress notes" not in phone.content()
    context.close()
