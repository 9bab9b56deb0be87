"""The peer's flow in a real browser: a check-in by phone with warning signs raises outreach on the
work list; the peer records how the outreach went."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from bridge.aftercare import followup, services
from bridge.aftercare.models import CheckIn, Discharge, Outreach
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD
from bridge.worklist.models import WorkItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_peer_records_a_checkin_and_the_outreach_it_raised(admitted, monday, page):
    w = admitted
    discharge = services.discharge_record(
        actor=w.therapist_a,
        participant=w.alex,
        type=Discharge.Type.COMPLETED,
        discharged_on=timezone.localdate() - timedelta(days=7),
        reason="Completed",
        destination="Alumni group",
    )
    followup.alumni_enroll(
        actor=w.peer,
        participant=w.alex,
        enrolled_on=timezone.localdate(),
        contact_consent=True,
        channel="phone",
    )
    browser_login(page, "peer", PASSWORD)
    page.get_by_role("link", name=re.compile("Alex Sample — day-7 check-in")).click()
    page.get_by_role("heading", name=re.compile("Day-7 check-in by phone")).wait_for()
    page.get_by_label("Yes").check()
    page.get_by_label(re.compile("Cravings in the past week")).fill("8")
    page.get_by_label(re.compile("Recovery meetings")).fill("0")
    page.get_by_label("Housing").select_option("stable")
    page.get_by_label("Work").select_option("working")
    page.get_by_label(re.compile("little interest")).select_option("1")
    page.get_by_label(re.compile("feeling down")).select_option("1")
    page.get_by_role("button", name="Record the check-in").click()
    page.get_by_text("Check-in recorded.").wait_for()
    page.get_by_text("Check-in day 7: warning signs").first.wait_for()
    assert CheckIn.objects.get(discharge=discharge, day_offset=7).status == "completed"

    page.get_by_label("Outcome").select_option("reached_support")
    page.get_by_label("Note").fill("Set up a sponsor meeting for tonight.")
    page.get_by_role("button", name="Record the outcome").click()
    page.get_by_text("Outreach outcome recorded.").wait_for()
    assert Outreach.objects.get().outcome == "reached_support"
    assert WorkItem.objects.get(kind="outreach").status == "done"
