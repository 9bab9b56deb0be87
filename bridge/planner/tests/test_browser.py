"""The director previews a week in the browser, reads the reasons, and commits it."""

from __future__ import annotations

from datetime import time

import pytest

from bridge.planner.tests.conftest import work
from bridge.scheduling.models import Attendance, Session
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_previews_and_commits_a_week(harbor, page):
    work(harbor.blair, [1, 2, 3, 4], time(17), time(22))  # Blair can never meet therapist B
    browser_login(page, "director", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Schedule").click()
    page.get_by_role("heading", name="Schedule appointments for a week").wait_for()
    page.get_by_label("Week").fill("2026-W49")
    page.get_by_role("button", name="Preview the week").click()
    page.get_by_role("heading", name="2026-W49").wait_for()

    assert "2 of 3" in page.locator(".run-summary").inner_text()
    unplaced = page.get_by_role("region", name="Not placed (1)")
    assert "Blair Sample" in unplaced.inner_text()
    assert "No overlap between the participant's free time and the clinician's hours" in unplaced.inner_text()
    load = page.get_by_role("region", name="Clinician load this week")
    assert "Therapist_a Test" in load.inner_text() and "Prescriber Test" in load.inner_text()
    assert Session.objects.count() == 0, "the preview wrote nothing"

    page.get_by_role("button", name="Commit 2 appointments to the calendar").click()
    page.get_by_text("2 appointments are on the calendar").wait_for()
    assert Session.objects.count() == 2
    assert set(Attendance.objects.values_list("participant_id", flat=True)) == {harbor.alex.pk}
    assert page.get_by_role("button", name="Commit 2 appointments to the calendar").count() == 0


def test_the_run_page_fits_a_phone(harbor, page):
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, "director", PASSWORD)
    page.goto("/schedule/")
    page.get_by_label("Week").fill("2026-W49")
    page.get_by_role("button", name="Preview the week").click()
    page.get_by_role("heading", name="Placed", exact=True).wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"page scrolls sideways at phone width ({width}px)"
