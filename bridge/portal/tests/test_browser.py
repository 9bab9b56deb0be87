"""The participant app on a phone-sized screen (390 x 844), in Debian's Chromium: sign-in by code,
check-in, a reschedule request reaching the front desk, a questionnaire with a risk answer, help,
switching to Spanish, signing out everywhere; axe-core finds no violation on any page, in either
language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from bridge.measures import services as measures
from bridge.notify import sms
from bridge.portal.models import PortalRequest
from bridge.portal.tests.conftest import ALEX_PHONE
from bridge.safety.models import SafetyPlan, SafetySignal
from bridge.scheduling.models import Attendance, Session, SessionKind
from bridge.worklist.models import WorkItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def no_violations(page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def _session(w, kind, starts, minutes, title=""):
    session = Session.objects.create(
        program=w.program,
        kind=kind,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=minutes),
        staff=w.therapist_a,
        title=title,
    )
    Attendance.objects.create(session=session, participant=w.alex)
    return session


def test_a_participant_uses_their_app_on_a_phone(app_world, phone):
    w = app_world
    now = timezone.now().replace(second=0, microsecond=0)
    group = _session(w, SessionKind.GROUP, now + timedelta(minutes=20), 180, "Evening group")
    individual = _session(w, SessionKind.INDIVIDUAL, now + timedelta(days=2), 50)
    link, _ = measures.measure_link_create(actor=w.nurse, participant=w.alex, instrument="PHQ-9")
    SafetyPlan.objects.create(participant=w.alex, people_to_ask="Sam 510-555-0100", updated_by=w.therapist_a)

    # Sign in by code (the memory sender stands in for the text message).
    phone.goto("/me/")
    phone.get_by_role("heading", name="Sign in to your Bridge").wait_for()
    no_violations(phone)
    phone.get_by_label("Your mobile phone number or email").fill(ALEX_PHONE)
    phone.get_by_role("button", name="Send me a code").click()
    phone.get_by_role("heading", name="Type your code").wait_for()
    no_violations(phone)
    found = re.search(r"\b(\d{6})\b", sms.outbox[-1][1])
    assert found is not None
    code = found.group(1)
    phone.get_by_label("Sign-in code").fill(code)
    phone.get_by_role("button", name="Sign in").click()
    phone.get_by_role("heading", name="Hi, Alex").wait_for()
    no_violations(phone)

    # Check in to the group starting in 20 minutes.
    phone.get_by_role("button", name="Check in").click()
    phone.get_by_text("You are checked in. Welcome!").wait_for()
    assert Attendance.objects.get(session=group, participant=w.alex).status == "present"

    # Ask to move the individual session: a request on the front desk's work list.
    phone.get_by_role("link", name=re.compile("Individual therapy")).click()
    phone.get_by_role("heading", name="Can't make it? Ask to reschedule").wait_for()
    no_violations(phone)
    phone.get_by_label("Days and times you can make").fill("Friday after 3 pm")
    phone.get_by_role("button", name="Send my request").click()
    phone.get_by_text("The front desk has your request.").wait_for()
    request = PortalRequest.objects.get(session=individual)
    assert request.work_item_id is not None
    assert WorkItem.objects.get(pk=request.work_item_id).assigned_to == w.frontdesk

    # A questionnaire with a risk answer: crisis help first, and the safety signal is raised.
    phone.get_by_role("link", name="Questions").click()
    phone.get_by_role("link", name=re.compile("PHQ-9|Patient Health")).click()
    no_violations(phone)
    for i, value in enumerate([2, 2, 1, 2, 1, 1, 1, 0, 1], start=1):
        phone.locator(f'input[name="phq9_{i}"][value="{value}"]').check()
    phone.get_by_role("button", name="Send my answers").click()
    phone.get_by_role("heading", name="You don't have to carry this alone").wait_for()
    no_violations(phone)
    assert SafetySignal.objects.filter(participant=w.alex, code="phq9_item9_positive").exists()
    link.refresh_from_db()
    assert link.completed_at is not None

    # Help, always one tap away, with their safety plan.
    phone.get_by_role("link", name="Help now").click()
    phone.get_by_text("Sam 510-555-0100").wait_for()
    no_violations(phone)

    # Switch to Spanish: every page follows, and axe is as happy.
    phone.get_by_role("button", name="Español").click()
    phone.get_by_role("heading", name="Ayuda, ahora mismo").wait_for()
    no_violations(phone)
    phone.get_by_role("link", name="Esta semana").click()
    phone.get_by_role("heading", name="Hola, Alex").wait_for()
    no_violations(phone)
    phone.get_by_role("link", name="Cuenta").click()
    no_violations(phone)
    w.alex.refresh_from_db()
    assert w.alex.language == "es"

    # Sign out of all devices.
    phone.get_by_role("button", name="Cerrar sesión en todos los aparatos").click()
    phone.get_by_role("heading", name="Entre a su Bridge").wait_for()
    phone.goto("/me/")
    phone.get_by_role("heading", name="Entre a su Bridge").wait_for()
