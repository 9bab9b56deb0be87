"""The participant's privacy rights and aftercare in the app, on a phone-sized screen (390 x 844) in
Debian's Chromium: revoke a consent in writing, see who received their records, ask for a copy, reach
their recovery plan from "Help now", say they are coming to an alumni event, and read it in Spanish;
axe-core finds no violation on any of these pages."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest

from bridge.aftercare.models import AftercarePlan, AlumniEnrollment
from bridge.notify import sms
from bridge.portal.models import EventReply
from bridge.portal.tests.conftest import ALEX_PHONE
from bridge.portal.tests.test_browser import no_violations
from bridge.privacy import services
from bridge.privacy.models import AccessRequest, Consent
from bridge.privacy.vocab import Channel, DataClass, Purpose
from bridge.scheduling.models import Attendance, SessionKind
from bridge.scheduling.tests.conftest import session_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_participant_uses_their_privacy_rights_and_aftercare_on_a_phone(
    app_world, phone, make_consent, recipients, today
):
    w = app_world
    consent = make_consent(recipients=[recipients["employer"]])
    services.disclosure_prepare(
        actor=w.therapist_a,
        participant=w.alex,
        recipient=recipients["employer"],
        purpose=Purpose.EMPLOYMENT,
        data_classes=[DataClass.EPISODES],
        date_from=today - timedelta(days=30),
        date_to=today,
        channel=Channel.SECURE_EMAIL,
    )
    AftercarePlan.objects.create(
        participant=w.alex,
        coping="Walk around the block",
        contacts=[{"name": "Sam", "phone": "510-555-0100", "relationship": "sponsor"}],
        updated_by=w.therapist_a,
    )
    AlumniEnrollment.objects.create(participant=w.alex, enrolled_on=today, recorded_by=w.peer)
    event = session_at(
        w.program, today + timedelta(days=3), time(18), 90, w.peer, kind=SessionKind.ALUMNI, title="Potluck"
    )

    phone.goto("/me/account/")
    phone.get_by_label("Your mobile phone number or email").fill(ALEX_PHONE)
    phone.get_by_role("button", name="Send me a code").click()
    phone.get_by_role("heading", name="Type your code").wait_for()
    found = re.search(r"\b(\d{6})\b", sms.outbox[-1][1])
    assert found is not None
    phone.get_by_label("Sign-in code").fill(found.group(1))
    phone.get_by_role("button", name="Sign in").click()
    phone.get_by_role("heading", name="Your account").wait_for()

    # Their consents, and a written revocation signed with their typed name.
    phone.get_by_role("link", name="Your consents").click()
    phone.get_by_role("heading", name="Your consents").wait_for()
    no_violations(phone)
    phone.get_by_role("link", name="Revoke this consent").click()
    phone.get_by_role("heading", name="Revoke a consent").wait_for()
    no_violations(phone)
    phone.get_by_label("Type your full name to sign").fill("Alex Rivera")
    phone.get_by_role("button", name="Revoke it").click()
    phone.get_by_text("Your consent is revoked.").wait_for()
    consent.refresh_from_db()
    assert consent.status == Consent.Status.REVOKED and consent.revocation_received == "portal"

    # Who received their records.
    phone.get_by_role("link", name="Who received your records").click()
    phone.get_by_role("heading", name="Who received your records").wait_for()
    phone.get_by_text("Acme Freight HR").wait_for()
    no_violations(phone)

    # Ask for a copy.
    phone.get_by_role("link", name="Ask for a copy of your records").click()
    phone.get_by_role("heading", name="A copy of your records").wait_for()
    phone.get_by_label("What would you like a copy of?").fill("Everything, for my new doctor")
    phone.get_by_role("button", name="Send my request").click()
    phone.get_by_text("Sent. The program has 30 days").wait_for()
    no_violations(phone)
    assert AccessRequest.objects.get(participant=w.alex).requested_in_app

    # Help now: one tap, with their people to call from the recovery plan.
    phone.get_by_role("link", name="Help now").click()
    phone.get_by_role("heading", name="My recovery plan").wait_for()
    phone.get_by_role("link", name=re.compile("Sam")).wait_for()
    no_violations(phone)

    # Alumni: say they are coming.
    phone.get_by_role("link", name="This week").click()
    phone.get_by_role("link", name=re.compile("Alumni events")).click()
    phone.get_by_role("heading", name="Potluck").wait_for()
    phone.get_by_role("button", name="I'm coming").click()
    phone.get_by_text("You are on the list.").wait_for()
    no_violations(phone)
    assert Attendance.objects.filter(session=event, participant=w.alex).exists()
    assert EventReply.objects.get(session=event, participant=w.alex).coming

    # The same pages in Spanish.
    phone.get_by_role("button", name="Español").click()
    phone.get_by_role("heading", name="Eventos de exalumnos").wait_for()
    no_violations(phone)
    phone.goto("/me/consents/")
    phone.get_by_role("heading", name="Sus permisos").wait_for()
    no_violations(phone)
    phone.goto("/me/copy/")
    no_violations(phone)
