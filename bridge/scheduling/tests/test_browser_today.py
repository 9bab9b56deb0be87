"""The front desk checks a participant in on the Today board, in the browser, and keeps a note
being typed for someone else while the board updates."""

from __future__ import annotations

from datetime import time

import pytest
import time_machine

from bridge.scheduling.models import Attendance
from bridge.scheduling.tests.conftest import session_at
from bridge.scheduling.tests.test_today import DAY
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD, make_participant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_desk_checks_a_participant_in_and_keeps_a_note_being_typed(world, page):
    world.alex.phone = "510-555-0142"
    world.alex.save()
    late = session_at(world.program, DAY, time(17, 30), 180, world.therapist_a, title="Afternoon group")
    Attendance.objects.create(session=late, participant=world.alex)
    evening = session_at(world.program, DAY, time(18), 180, world.therapist_b, title="Evening group")
    Attendance.objects.create(session=evening, participant=world.blair)

    with time_machine.travel("2026-11-17 17:50 -08:00", tick=True):
        browser_login(page, "frontdesk", PASSWORD)
        page.goto("/schedule/today/")
        page.get_by_role("heading", name="Not arrived 10 minutes after the start").wait_for()
        note = page.get_by_label("Called Alex Sample: what happened")
        note.fill("Left a voicemail at 17:45")
        page.get_by_role("button", name="Check in Blair Sample").click()
        page.get_by_text("Checked in 17:5").wait_for()
        assert note.input_value() == "Left a voicemail at 17:45"
        # The minute's refresh waits while something is typed, and runs once the field is empty.
        newcomer = make_participant(world.program, "Nia")
        Attendance.objects.create(session=evening, participant=newcomer)
        page.evaluate("window.bridgeTodayRefresh()")
        page.wait_for_timeout(1500)
        assert page.get_by_text("Nia Sample").count() == 0
        assert note.input_value() == "Left a voicemail at 17:45"
        note.fill("")
        page.locator("h1").click()
        page.evaluate("window.bridgeTodayRefresh()")
        page.get_by_text("Nia Sample").wait_for()
    row = Attendance.objects.get(session=evening, participant=world.blair)
    assert row.status == "present" and row.arrived_at is not None and row.minutes == 180
