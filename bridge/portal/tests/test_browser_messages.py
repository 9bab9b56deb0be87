"""Messages on a phone (390 x 844): a participant writes to their care team outside office hours and
gets the automatic answer at once; their therapist answers from the staff side; the answer is in the
app. Then "let my peer know" from the help page, and the progress page. Axe finds no violation, in
English and in Spanish."""

from __future__ import annotations

import re

import pytest

from bridge.notify import sms
from bridge.portal.models import Message, ParticipantAppSettings
from bridge.portal.tests.conftest import ALEX_PHONE
from bridge.portal.tests.test_browser import no_violations
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD
from bridge.worklist.models import WorkItem

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


@pytest.fixture
def desk(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def _sign_in(phone) -> None:
    phone.goto("/me/")
    phone.get_by_label("Your mobile phone number or email").fill(ALEX_PHONE)
    phone.get_by_role("button", name="Send me a code").click()
    phone.get_by_role("heading", name="Type your code").wait_for()
    found = re.search(r"\b(\d{6})\b", sms.outbox[-1][1])
    assert found is not None
    phone.get_by_label("Sign-in code").fill(found.group(1))
    phone.get_by_role("button", name="Sign in").click()
    phone.get_by_role("heading", name="Hi, Alex").wait_for()


def test_a_message_to_the_therapist_and_the_answer_back_on_a_phone(app_world, phone, desk):
    w = app_world
    w.program.phone = "510-555-0100"
    w.program.save()
    # The office is never open in this program, so the automatic answer comes at once, whatever the hour.
    ParticipantAppSettings.objects.create(program=w.program, office_days=[])
    _sign_in(phone)

    phone.get_by_role("link", name="Messages").click()
    phone.get_by_role("heading", name="Messages with your care team").wait_for()
    no_violations(phone)
    phone.get_by_label("Your message").fill("Is group still on tonight? My bus is late.")
    phone.get_by_role("button", name="Send").click()
    phone.get_by_text("Sent. The office is closed now: see the answer below.").wait_for()
    phone.get_by_text(re.compile("call or text 988")).first.wait_for()
    no_violations(phone)
    item = WorkItem.objects.get(participant=w.alex, kind="portal_message")
    assert item.assigned_to == w.therapist_a

    # The therapist answers from the participant's conversation page.
    browser_login(desk, "therapist_a", PASSWORD)
    desk.goto(f"/participants/{w.alex.pk}/messages/")
    desk.get_by_text("Is group still on tonight? My bus is late.").wait_for()
    desk.get_by_label("Your answer").fill("Yes, 6 pm. Come in when you get here.")
    desk.get_by_role("button", name="Send").click()
    desk.get_by_text("Sent. They see it in their app.").wait_for()
    item.refresh_from_db()
    assert item.status == WorkItem.Status.DONE

    # The answer is in the app.
    phone.reload()
    phone.get_by_text("Yes, 6 pm. Come in when you get here.").wait_for()
    phone.get_by_text("Read by your care team").wait_for()
    no_violations(phone)
    assert Message.objects.get(body__startswith="Yes, 6 pm").read_at is not None

    # "I need help now": let my peer know (only when they choose to).
    phone.get_by_role("link", name="Help now").click()
    phone.get_by_label("Yes, let my peer support specialist know I need help").check()
    phone.get_by_role("button", name="Let my peer know").click()
    phone.get_by_text(re.compile("Your peer support specialist knows you need help")).wait_for()
    no_violations(phone)
    assert WorkItem.objects.get(participant=w.alex, kind="portal_help_now").assigned_to == w.peer

    # Progress, then the same pages in Spanish.
    phone.get_by_role("link", name="Progress").click()
    phone.get_by_role("heading", name="My progress").wait_for()
    no_violations(phone)
    phone.get_by_role("button", name="Español").click()
    phone.get_by_role("heading", name="Mi progreso").wait_for()
    no_violations(phone)
    phone.get_by_role("link", name="Mensajes").click()
    phone.get_by_role("heading", name="Mensajes con su equipo de atención").wait_for()
    no_violations(phone)
