"""A facilitator takes attendance for a group of twelve on one screen, in the browser."""

from __future__ import annotations

from datetime import time

import pytest

from bridge.scheduling.models import Attendance
from bridge.scheduling.tests.conftest import WEEK, session_at
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD, make_participant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_facilitator_takes_attendance_for_a_group_of_twelve(world, page):
    session = session_at(world.program, WEEK, time(18), 180, world.therapist_a, title="Relapse prevention")
    people = [world.alex, world.blair] + [
        make_participant(world.program, f"Member{k:02d}") for k in range(10)
    ]
    for p in people:
        Attendance.objects.create(session=session, participant=p)

    browser_login(page, "therapist_a", PASSWORD)
    page.goto(f"/schedule/sessions/{session.pk}/attendance/")
    page.get_by_role("heading", name="Attendance: Relapse prevention").wait_for()
    assert page.locator("table.attendance tbody tr").count() == 12

    alex = page.locator(f"#row-{world.alex.pk}")
    alex.get_by_label("Late").check()
    alex.get_by_label("Alex Sample arrived").fill("18:20")
    blair = page.locator(f"#row-{world.blair.pk}")
    blair.get_by_label("Unexcused absence").check()
    member = page.locator(f"#row-{people[2].pk}")
    member.get_by_label("Left early").check()
    member.get_by_label("Member00 Sample left").fill("20:00")
    page.get_by_role("button", name="Save attendance").click()
    page.get_by_text("Attendance saved (12 changed).").wait_for()

    assert alex.locator("td.minutes").inner_text() == "160"
    assert blair.locator("td.minutes").inner_text() == "0"
    assert member.locator("td.minutes").inner_text() == "120"
    assert page.locator(f"#row-{people[5].pk} td.minutes").inner_text() == "180"
    rows = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    assert rows[world.blair.pk].status == "unexcused"
    assert sum(1 for a in rows.values() if a.status == "present") == 9


def test_the_attendance_screen_fits_a_phone(world, page):
    session = session_at(world.program, WEEK, time(18), 180, world.therapist_a, title="Relapse prevention")
    for p in [world.alex, world.blair] + [
        make_participant(world.program, f"Member{k:02d}") for k in range(4)
    ]:
        Attendance.objects.create(session=session, participant=p)
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, "therapist_a", PASSWORD)
    page.goto(f"/schedule/sessions/{session.pk}/attendance/")
    page.get_by_role("button", name="Save attendance").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"page scrolls sideways at phone width ({width}px)"
    page.locator(f"#row-{world.alex.pk}").get_by_label("No-show").check()
    page.get_by_role("button", name="Save attendance").click()
    page.get_by_text("Attendance saved (6 changed).").wait_for()
    assert Attendance.objects.get(session=session, participant=world.alex).status == "no_show"
