"""This week in the app: own sessions only, check-in, a reschedule or absence request to the desk."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.portal.models import PortalRequest
from bridge.scheduling.models import Attendance, SessionKind
from bridge.scheduling.tests.conftest import session_at
from bridge.worklist.models import WorkItem

pytestmark = pytest.mark.django_db

NOW = "2026-11-17 17:50 -08:00"  # a Tuesday evening in Oakland


@pytest.fixture
def week(app_world):
    w = app_world
    day = datetime(2026, 11, 17).date()
    group = session_at(w.program, day, time(18), 180, w.therapist_a, title="Evening group")
    individual = session_at(
        w.program, day + timedelta(days=2), time(10), 50, w.therapist_a, kind=SessionKind.INDIVIDUAL
    )
    blairs = session_at(w.program, day, time(18), 180, w.therapist_b, title="Blair's own group")
    Attendance.objects.create(session=group, participant=w.alex)
    Attendance.objects.create(session=individual, participant=w.alex)
    Attendance.objects.create(session=blairs, participant=w.blair)
    return {"group": group, "individual": individual, "blairs": blairs}


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_week_lists_their_own_sessions_and_the_read_is_audited(travel, week, app_client, app_world):
    page = app_client.get(reverse("portal:home"))
    assert page.status_code == 200
    assert b"Evening group" in page.content and b"Individual therapy" in page.content
    assert b"Blair" not in page.content
    assert b"Check in" in page.content  # 10 minutes before the group
    read = AuditEvent.objects.filter(action="read", participant=app_world.alex, object_type="schedule").get()
    assert read.actor_label == "participant app" and read.channel == "portal"
    assert read.detail == {"view": "portal:home"}


def test_another_persons_session_is_not_found(travel, week, app_client):
    assert app_client.get(reverse("portal:session", args=[week["blairs"].pk])).status_code == 404
    assert app_client.post(reverse("portal:check_in", args=[week["blairs"].pk])).status_code == 404
    response = app_client.post(reverse("portal:excused", args=[week["blairs"].pk]), {"reason": "sick"})
    assert response.status_code == 404
    assert not PortalRequest.objects.exists()


def test_checking_in_uses_the_schedulings_check_in(travel, week, app_client, app_world):
    response = app_client.post(reverse("portal:check_in", args=[week["group"].pk]))
    assert response.status_code == 302
    row = Attendance.objects.get(session=week["group"], participant=app_world.alex)
    assert row.status == "present" and row.recorded_by is None
    event = AuditEvent.objects.get(action="attendance_record", object_id=str(row.pk))
    assert event.detail["check_in"] == "app" and event.actor_label == "participant app"
    assert b"You are checked in" in app_client.get(reverse("portal:home")).content


def test_check_in_is_refused_hours_before(week, app_client, app_world):
    with time_machine.travel("2026-11-17 12:00 -08:00", tick=False):
        response = app_client.post(reverse("portal:check_in", args=[week["group"].pk]), follow=True)
    assert b"Check-in opens an hour before" in response.content
    assert Attendance.objects.get(session=week["group"], participant=app_world.alex).status == "expected"


def test_a_reschedule_request_reaches_the_front_desks_work_list(travel, week, app_client, app_world):
    url = reverse("portal:reschedule", args=[week["individual"].pk])
    response = app_client.post(url, {"times_available": "Friday after 3 pm", "reason": "Work shift"})
    assert response.status_code == 302
    request = PortalRequest.objects.get()
    assert request.kind == "reschedule" and request.times_available == "Friday after 3 pm"
    assert request.work_item_id is not None
    item = WorkItem.objects.get(pk=request.work_item_id)
    assert item.assigned_to == app_world.frontdesk and item.kind == "portal_reschedule"
    assert "Friday after 3 pm" in item.detail
    # Nothing moved on its own.
    week["individual"].refresh_from_db()
    assert week["individual"].status == "scheduled"
    assert AuditEvent.objects.filter(action="portal_request", participant=app_world.alex).count() == 1
    staff = Client()
    staff.force_login(app_world.frontdesk)
    worklist = staff.get(reverse("core:home"))
    assert "Alex Sample asks to reschedule individual therapy" in worklist.content.decode()
    # The participant sees that the desk has it, and cannot ask twice.
    page = app_client.get(reverse("portal:session", args=[week["individual"].pk]))
    assert b"The front desk has your request" in page.content
    assert app_client.post(url, {"times_available": "Monday"}).status_code == 400


def test_a_reschedule_needs_times_and_is_not_for_groups(travel, week, app_client):
    url = reverse("portal:reschedule", args=[week["individual"].pk])
    response = app_client.post(url, {"times_available": ""})
    assert response.status_code == 400 and b"Say which days and times you can make" in response.content
    group = app_client.post(reverse("portal:reschedule", args=[week["group"].pk]), {"times_available": "any"})
    assert group.status_code == 400 and b"Group sessions are not moved" in group.content
    assert not PortalRequest.objects.exists()


def test_an_excused_absence_request_for_a_group(week, app_client, app_world):
    with time_machine.travel("2026-11-17 09:00 -08:00", tick=False):
        response = app_client.post(reverse("portal:excused", args=[week["group"].pk]), {"reason": "Sick kid"})
    assert response.status_code == 302
    request = PortalRequest.objects.get()
    assert request.work_item is not None
    assert request.kind == "excused" and request.work_item.kind == "portal_excused"
    # Only a request: attendance is the program's call.
    assert Attendance.objects.get(session=week["group"], participant=app_world.alex).status == "expected"


def test_staff_see_the_app_account_and_requests_on_the_participant(week, app_client, app_world):
    with time_machine.travel("2026-11-17 09:00 -08:00", tick=False):
        app_client.post(reverse("portal:excused", args=[week["group"].pk]), {"reason": "Sick kid"})
    client = Client()
    client.force_login(app_world.frontdesk)
    page = client.get(reverse("portal:staff_account", args=[app_world.alex.pk]))
    assert page.status_code == 200 and b"On</strong>" in page.content and b"Sick kid" in page.content
    client.force_login(app_world.outsider)
    assert client.get(reverse("portal:staff_account", args=[app_world.alex.pk])).status_code == 404


def test_this_weeks_hours_are_shown_against_the_plan_in_plain_words(travel, week, app_client, app_world):
    from bridge.scheduling.tests.conftest import admit, attend

    admit(app_world.alex)
    monday = session_at(
        app_world.program, datetime(2026, 11, 16).date(), time(18), 180, app_world.therapist_a
    )
    attend(monday, app_world.alex, 180)
    page = app_client.get(reverse("portal:home")).content.decode()
    assert "3 of 9 hours this week" in page
    assert "talk with your team about making up the rest" in page
