"""On a phone-sized screen (390 x 844), in Debian's Chromium: a participant signs a consent waiting in
their app and reads their signed copy; they add a passkey (Chromium's virtual authenticator, through
the DevTools protocol) and next time sign in with it. Axe-core finds no violation on the pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe

from bridge.notify import sms
from bridge.portal.passkey_models import ParticipantPasskey
from bridge.portal.tests.conftest import ALEX_PHONE
from bridge.privacy import signing
from bridge.privacy.models import Consent, SignatureRequest
from bridge.privacy.vocab import ConsentType, DataClass, Purpose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


@pytest.fixture
def phone_context(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)
    yield context
    context.close()


def no_violations(page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def sign_in_by_code(page) -> None:
    page.goto("/me/sign-in/")
    page.get_by_label("Your mobile phone number or email").fill(ALEX_PHONE)
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_role("heading", name="Type your code").wait_for()
    found = re.search(r"\b(\d{6})\b", sms.outbox[-1][1])
    assert found is not None
    page.get_by_label("Sign-in code").fill(found.group(1))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Hi, Alex").wait_for()


def test_a_participant_signs_a_consent_in_their_app_on_a_phone(app_world, recipients, today, phone_context):
    w = app_world
    waiting, _token = signing.consent_signature_request(
        actor=w.therapist_a,
        participant=w.alex,
        channel="phone",
        consent={
            "consent_type": ConsentType.NAMED,
            "patient_name": w.alex.legal_name,
            "discloser": "Harbor",
            "data_classes": [DataClass.ATTENDANCE],
            "recipients": [recipients["employer"]],
            "purposes": [Purpose.EMPLOYMENT],
            "expires_on": today + timedelta(days=90),
            "expiry_event": "",
        },
    )
    page = phone_context.new_page()
    sign_in_by_code(page)
    page.goto("/me/documents/")
    page.get_by_role("heading", name="Waiting for your signature").wait_for()
    no_violations(page)
    page.get_by_role("link", name="Read and sign").click()
    page.get_by_text("Acme Freight HR").first.wait_for()
    no_violations(page)
    page.get_by_label("Type your full name to sign").fill("Alex Rivera")
    page.get_by_role("button", name="Sign").click()
    page.get_by_text("Tick the box to say you agree and sign.").wait_for()  # nothing signed yet
    assert not Consent.objects.filter(participant=w.alex).exists()
    page.get_by_label(re.compile("I have read this document")).check()
    page.get_by_role("button", name="Sign").click()
    page.get_by_text("Signed. A copy is kept with your documents.").wait_for()
    page.get_by_role("heading", name="Your signature").wait_for()
    no_violations(page)
    waiting.refresh_from_db()
    assert waiting.status == SignatureRequest.Status.SIGNED
    assert Consent.objects.get(signature=waiting).signature_name == "Alex Rivera"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download it (PDF)").click()
    assert download.value.suggested_filename == f"signed-{waiting.pk}.pdf"
    page.get_by_role("link", name="Back to your documents").click()
    page.get_by_role("heading", name="What you signed").wait_for()
    page.get_by_text("Nothing to sign right now.").wait_for()
    no_violations(page)


def test_a_participant_adds_a_passkey_and_signs_in_with_it_next_time(
    app_world, phone_context, live_server, settings
):
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    page = phone_context.new_page()
    # Chromium's virtual authenticator: a phone's built-in passkey store that says yes by itself.
    cdp = phone_context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_in_by_code(page)
    page.goto("/me/account/")
    page.get_by_role("button", name="Add a passkey").click()
    page.get_by_text("Registration successful!").wait_for()
    passkey = ParticipantPasskey.objects.get()
    assert passkey.account.participant_id == app_world.alex.pk and passkey.discoverable is True
    page.reload()
    page.get_by_text(re.compile("Passkey added on")).wait_for()
    no_violations(page)

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.get_by_role("heading", name="Sign in to your Bridge").wait_for()
    no_violations(page)
    codes_sent = len(sms.outbox)
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.get_by_role("heading", name="Hi, Alex").wait_for()
    assert len(sms.outbox) == codes_sent  # no code needed
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
