"""The discharge flow in a real browser: discharge from the aftercare page, meet a form error, then
review the drafted summary, mark the goals, sign and lock it, and open the printable copy."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from bridge.aftercare.models import Discharge, DischargeSummary
from bridge.participants.models import Participant
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clinician_discharges_and_signs_the_summary(admitted, page):
    w = admitted
    browser_login(page, "therapist_a", PASSWORD)
    page.goto(f"/participants/{w.alex.pk}/")
    page.get_by_role("link", name="Aftercare", exact=True).first.click()
    page.get_by_role("heading", name=re.compile("Aftercare — Alex")).wait_for()
    page.get_by_role("link", name="Discharge", exact=True).click()

    page.get_by_label("How the episode ended").select_option("stepped_down")
    page.get_by_label("Discharge date").fill("2001-01-01")
    page.get_by_label("Reason").fill("Met the goals of the IOP phase; ready for weekly outpatient.")
    page.get_by_label("Where they go next").fill("Weekly outpatient counseling at Eastside Clinic")
    page.get_by_role("button", name="Record the discharge").click()
    page.get_by_text(re.compile("The episode began on")).wait_for()
    assert not Discharge.objects.exists()

    page.get_by_label("Discharge date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record the discharge").click()
    page.get_by_role("heading", name="Discharge summary").wait_for()
    page.get_by_text("Hours attended").wait_for()

    page.get_by_label("Course of treatment").fill("Attended groups three evenings a week; engaged.")
    page.get_by_label("Condition at discharge").fill("Stable; no use in the last 30 days.")
    page.get_by_label("Aftercare plan", exact=True).fill("Alumni group Thursdays; SMART Recovery Mondays.")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved.").wait_for()
    page.get_by_role("button", name="Sign and lock").click()
    page.get_by_text("Signed and locked. Later additions are addenda.").wait_for()
    assert page.get_by_role("button", name="Save draft").count() == 0

    summary = DischargeSummary.objects.get()
    assert summary.signed_at is not None and summary.discharge.type == "stepped_down"
    w.alex.refresh_from_db()
    assert w.alex.status == Participant.Status.DISCHARGED
    page.get_by_role("link", name="Printable").click()
    page.get_by_text("Attended groups three evenings a week; engaged.").wait_for()
