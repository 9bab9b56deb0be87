"""In the real browser, on a phone-sized screen: the participant opens the private link, confirms their
date of birth, reads the consent, types their name, ticks and signs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bridge.privacy import signing
from bridge.privacy.models import Consent, Recipient, SignatureMethod
from bridge.privacy.vocab import ConsentType, DataClass, Purpose, RecipientKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_participant_signs_a_consent_on_a_phone(world, chromium, live_server):
    employer = Recipient.objects.create(
        program=world.program, name="Acme Freight HR", kind=RecipientKind.EMPLOYER, address="hr@acme.example"
    )
    _, token = signing.consent_signature_request(
        actor=world.therapist_a,
        participant=world.alex,
        channel="phone",
        consent={
            "consent_type": ConsentType.NAMED,
            "patient_name": world.alex.legal_name,
            "discloser": "Harbor",
            "data_classes": [DataClass.ATTENDANCE],
            "recipients": [employer],
            "purposes": [Purpose.EMPLOYMENT],
            "expires_on": timezone.localdate() + timedelta(days=90),
        },
    )
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"/sign/{token}/")
        page.get_by_role("heading", name="Named recipient consent").wait_for()
        assert page.get_by_text("Acme Freight HR").first.is_visible()
        # Nothing overflows sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        page.get_by_label("Your date of birth").fill("1990-05-17")
        page.get_by_label("Type your full name to sign").fill("Alex Sample")
        page.get_by_label("I have read this consent").check()
        page.get_by_role("button", name="Sign").click()
        page.get_by_role("heading", name="Thank you — you signed").wait_for()
    finally:
        context.close()
    consent = Consent.objects.get()
    assert consent.signature_method == SignatureMethod.ELECTRONIC
    assert consent.signature_name == "Alex Sample" and consent.recipients.get() == employer
