"""A person signs in through the real browser and opens a participant."""

from __future__ import annotations

import pytest

from bridge.audit.models import AuditEvent
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_therapist_signs_in_searches_and_opens_a_participant(world, page):
    browser_login(page, "therapist_a", PASSWORD)
    page.get_by_role("heading", name="Good to see you").wait_for()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Participants").click()
    page.get_by_role("heading", name="Participants").wait_for()
    # htmx narrows the list as you type, without a page load.
    page.get_by_label("Search by name").fill("ale")
    page.wait_for_url("**q=ale**")
    page.get_by_role("link", name="Sample, Alex").click()
    page.get_by_role("heading", name="Alex Sample").wait_for()
    team = page.get_by_role("region", name="Care team")
    assert "Primary clinician" in team.inner_text()
    assert "Prescriber" in team.inner_text()
    assert AuditEvent.objects.filter(action="read", participant=world.alex, actor=world.therapist_a).exists()


def test_wrong_password_shows_an_error_in_the_browser(world, page):
    browser_login(page, "therapist_a", "wrong password")
    assert page.get_by_role("alert").inner_text().strip() == "That username and password do not match."


def test_page_works_at_phone_width(world, page):
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, "director", PASSWORD)
    page.goto("/participants/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"page scrolls sideways at phone width ({width}px)"
