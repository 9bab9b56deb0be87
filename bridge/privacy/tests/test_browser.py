"""In the real browser: record a consent (the form first says what is missing), disclose under it,
download the package; and ask for emergency access from the not-found page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bridge.privacy.models import Consent, Disclosure, EmergencyAccess, Recipient
from bridge.privacy.notice import REDISCLOSURE_NOTICE
from bridge.privacy.vocab import RecipientKind
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_consent_form_then_a_disclosure_in_the_browser(world, page):
    Recipient.objects.create(
        program=world.program, name="Acme Freight HR", kind=RecipientKind.EMPLOYER, address="hr@acme.example"
    )
    browser_login(page, "therapist_a", PASSWORD)
    page.goto(f"/participants/{world.alex.pk}/")
    page.get_by_role("navigation", name="Participant").get_by_role("link", name="Consents").click()
    page.get_by_role("link", name="Named recipient").click()
    page.get_by_role("heading", name="Named recipient consent for Alex Sample").wait_for()

    page.get_by_label("Attendance at sessions").check()
    page.get_by_label("Acme Freight HR (Employer)").check()
    page.get_by_label("Signature (typed full name of the signer)").fill("Alex Sample")
    page.get_by_role("button", name="Save consent").click()
    # Purpose and expiry are missing: the form says so, at the top and at each field.
    alert = page.get_by_role("alert").first.inner_text()
    assert "the purpose of the disclosure" in alert and "when the consent expires" in alert
    assert not Consent.objects.exists()

    page.get_by_label("Employment (return to work, fitness for duty)").check()
    expires = timezone.localdate() + timedelta(days=365)  # always in the future, whenever this runs
    page.get_by_label("Expires on (date)").fill(expires.isoformat())
    page.get_by_role("button", name="Save consent").click()
    page.get_by_role("heading", name="Named recipient consent").wait_for()
    assert page.get_by_text("Active", exact=True).first.is_visible()
    consent = Consent.objects.get()
    assert consent.purposes == ["employment"] and consent.data_classes == ["attendance"]
    assert consent.expires_on == expires

    page.goto(f"/participants/{world.alex.pk}/disclosures/")
    page.get_by_role("link", name="Prepare a disclosure").click()
    page.get_by_label("Recipient").select_option(label="Acme Freight HR (Employer)")
    page.get_by_label("Purpose").select_option(label="Employment (return to work, fitness for duty)")
    page.get_by_label("Attendance at sessions").check()
    page.get_by_role("button", name="Check and prepare").click()
    page.get_by_role("heading", name="Disclosure to Acme Freight HR").wait_for()
    assert REDISCLOSURE_NOTICE in page.locator("blockquote.notice").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Disclosure.objects.get().outcome == Disclosure.Outcome.RELEASED

    # Without a consent for the court, the same form refuses and says why.
    Recipient.objects.create(
        program=world.program, name="County Drug Court", kind=RecipientKind.COURT, address="1225 Fallon St"
    )
    page.goto(f"/participants/{world.alex.pk}/disclosures/new/")
    page.get_by_label("Recipient").select_option(label="County Drug Court (Court, probation or parole)")
    page.get_by_label("Purpose").select_option(label="Court, probation or other legal requirement")
    page.get_by_label("Attendance at sessions").check()
    page.get_by_role("button", name="Check and prepare").click()
    page.get_by_role("heading", name="Refused — nothing was released").wait_for()
    assert "does not name County Drug Court" in page.content()


def test_emergency_access_from_the_not_found_page(world, page):
    browser_login(page, "therapist_b", PASSWORD)
    page.goto(f"/participants/{world.alex.pk}/")
    page.get_by_role("heading", name="We could not find that page").wait_for()
    page.get_by_role("link", name="request emergency access").click()
    page.get_by_label("What is the emergency?").fill("Alex called the crisis line; I need the care team.")
    page.get_by_role("button", name="Open the chart in an emergency").click()
    page.get_by_role("heading", name="Alex Sample").wait_for()
    assert "Emergency access" in page.get_by_role("alert").first.inner_text()
    assert EmergencyAccess.objects.filter(user=world.therapist_b, participant=world.alex).exists()


def test_consent_form_works_at_phone_width(world, page):
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, "therapist_a", PASSWORD)
    page.goto(f"/participants/{world.alex.pk}/consents/new/tpo/")
    page.get_by_role(
        "heading", name="Treatment, payment and health care operations consent for Alex Sample"
    ).wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"page scrolls sideways at phone width ({width}px)"
