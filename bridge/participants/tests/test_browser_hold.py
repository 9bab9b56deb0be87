"""A therapist puts a participant on hold and records the return, in the real browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.participants import services
from bridge.participants.models import CareHold, LevelOfCare, Participant
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD, unadmit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_therapist_puts_alex_on_hold_then_records_the_return(world, page):
    unadmit(world.alex)
    Participant.objects.filter(pk=world.alex.pk).update(status=Participant.Status.SCREENING)
    world.alex.refresh_from_db()
    services.episode_open(
        actor=world.intake,
        participant=world.alex,
        level_of_care=LevelOfCare.INTENSIVE_OUTPATIENT,
        admitted_on=timezone.localdate() - timedelta(days=21),
    )
    browser_login(page, "therapist_a", PASSWORD)
    page.get_by_role("heading", name="Good to see you").wait_for()
    page.goto(f"/participants/{world.alex.pk}/")
    page.get_by_role("link", name="Put on hold").click()
    page.get_by_role("heading", name="Put Alex Sample on hold").wait_for()
    page.get_by_label("Why they are away").select_option("hospital")
    page.get_by_label("What happened").fill("Admitted to Highland Hospital for pneumonia")
    page.get_by_label("Expected back on").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Put on hold").click()
    hold = page.get_by_role("region", name="On hold")
    hold.wait_for()
    assert "Highland Hospital" in hold.inner_text()
    world.alex.refresh_from_db()
    assert world.alex.status == Participant.Status.ON_HOLD

    hold.get_by_role("link", name="Record their return").click()
    page.get_by_role("heading", name="Back in care: Alex Sample").wait_for()
    page.get_by_label("Note").fill("Back for Monday's group")
    page.get_by_role("button", name="Record the return").click()
    page.get_by_text("Alex Sample is back in care.").wait_for()
    world.alex.refresh_from_db()
    assert world.alex.status == Participant.Status.ACTIVE
    assert CareHold.objects.get(participant=world.alex).ending == CareHold.Ending.RESUMED
    assert set(AuditEvent.objects.filter(participant=world.alex).values_list("action", flat=True)) >= {
        "hold",
        "resume",
    }
