"""Aftercare in the app: "Help now" shows 988 and the participant's own recovery plan (people to call,
what helps), and an alumni member says whether they are coming to an alumni event (staff see it)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridge.aftercare.models import AftercarePlan, AlumniEnrollment
from bridge.audit.models import AuditEvent
from bridge.portal.models import EventReply
from bridge.portal.tests.conftest import sign_in
from bridge.scheduling.models import Attendance, Room, Session, SessionKind
from bridge.scheduling.tests.conftest import session_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(app_world):
    return AftercarePlan.objects.create(
        participant=app_world.alex,
        coping="Call my sponsor\nWalk around the block",
        contacts=[{"name": "Sam (sponsor)", "phone": "510-555-0100", "relationship": "sponsor"}],
        crisis_lines=[{"name": "County crisis line", "phone": "800-555-0111"}],
        updated_by=app_world.therapist_a,
    )


@pytest.fixture
def alumni(app_world):
    return AlumniEnrollment.objects.create(
        participant=app_world.alex,
        enrolled_on=timezone.localdate() - timedelta(days=10),
        recorded_by=app_world.peer,
    )


@pytest.fixture
def event(app_world):
    room = Room.objects.create(program=app_world.program, name="Community room", capacity=2)
    return session_at(
        app_world.program,
        timezone.localdate() + timedelta(days=5),
        time(18),
        90,
        app_world.peer,
        kind=SessionKind.ALUMNI,
        title="Alumni potluck",
        room=room,
    )


def test_help_now_is_on_every_app_page_and_shows_their_plan(app_client, plan):
    home = app_client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:help")}"' in home
    page = app_client.get(reverse("portal:help")).content.decode()
    assert 'href="tel:988"' in page
    assert 'href="tel:510-555-0100"' in page and "Sam (sponsor)" in page
    assert "<li>Walk around the block</li>" in page and "County crisis line" in page


def test_another_participants_plan_is_not_on_their_help_page(plan, app_world):
    blair = Client()
    sign_in(blair, contact=app_world.blair.phone)
    page = blair.get(reverse("portal:help")).content.decode()
    assert 'href="tel:988"' in page and "Sam (sponsor)" not in page and "Walk around" not in page


def test_an_invited_alumnus_says_they_are_coming_and_staff_see_it(app_client, app_world, alumni):
    from bridge.aftercare.followup import alumni_event_create

    starts = timezone.now().replace(microsecond=0) + timedelta(days=4)
    event = alumni_event_create(
        actor=app_world.peer,
        program=app_world.program,
        title="Alumni night",
        starts_at=starts,
        minutes=90,
        confirm_reason="Evening event",
    )
    assert Attendance.objects.filter(session=event, participant=app_world.alex).exists()  # invited
    page = app_client.get(reverse("portal:events"))
    assert page.status_code == 200
    assert [(r["session"], r["invited"], r["coming"]) for r in page.context["rows"]] == [(event, True, None)]
    assert reverse("portal:events") in app_client.get(reverse("portal:home")).content.decode()
    response = app_client.post(reverse("portal:rsvp", args=[event.pk]), {"coming": "yes"})
    assert response.status_code == 302
    reply = EventReply.objects.get(session=event, participant=app_world.alex)
    assert reply.coming is True
    assert Attendance.objects.filter(session=event, participant=app_world.alex).count() == 1
    assert AuditEvent.objects.filter(
        action="update", object_type="event_reply", object_id=str(reply.pk), actor_label="participant app"
    ).exists()
    peer = Client()
    peer.force_login(app_world.peer)
    staff_page = peer.get(reverse("aftercare:alumni_events"))
    assert [(e.pk, e.invited, e.coming) for e in staff_page.context["events"]] == [(event.pk, 1, 1)]
    # They change their mind: the answer changes, the invitation stays on the roster.
    app_client.post(reverse("portal:rsvp", args=[event.pk]), {"coming": "no"})
    reply.refresh_from_db()
    assert reply.coming is False and EventReply.objects.filter(session=event).count() == 1
    assert Attendance.objects.filter(session=event, participant=app_world.alex).exists()


def test_someone_who_joined_after_the_invitations_is_added_when_coming(app_client, app_world, alumni, event):
    assert not Attendance.objects.filter(session=event, participant=app_world.alex).exists()
    app_client.post(reverse("portal:rsvp", args=[event.pk]), {"coming": "yes"})
    row = Attendance.objects.get(session=event, participant=app_world.alex)
    assert row.status == Attendance.Status.EXPECTED
    # Now their own session: open in the app.
    assert app_client.get(reverse("portal:session", args=[event.pk])).status_code == 200


def test_a_reply_needs_an_answer(app_client, app_world, alumni, event):
    app_client.post(reverse("portal:rsvp", args=[event.pk]), {"coming": "maybe"})
    assert not EventReply.objects.exists() and not Attendance.objects.filter(session=event).exists()


def test_a_full_event_takes_no_more(app_client, app_world, alumni, event):
    Attendance.objects.create(session=event, participant=app_world.blair)
    Attendance.objects.create(session=event, participant=app_world.casey)
    app_client.post(reverse("portal:rsvp", args=[event.pk]), {"coming": "yes"})
    assert not Attendance.objects.filter(session=event, participant=app_world.alex).exists()
    assert not EventReply.objects.exists()


def test_someone_not_in_the_alumni_group_sees_no_events_and_cannot_rsvp(app_client, app_world, event):
    page = app_client.get(reverse("portal:events"))
    assert page.status_code == 200 and page.context["rows"] == []
    assert app_client.post(reverse("portal:rsvp", args=[event.pk]), {"coming": "yes"}).status_code == 404
    assert not Attendance.objects.filter(session=event).exists()


def test_another_programs_or_a_past_or_non_alumni_session_is_a_404(app_client, app_world, alumni, event):
    elsewhere = session_at(
        app_world.other_program,
        timezone.localdate() + timedelta(days=5),
        time(18),
        90,
        app_world.outsider,
        kind=SessionKind.ALUMNI,
    )
    group = session_at(
        app_world.program, timezone.localdate() + timedelta(days=5), time(9), 60, app_world.therapist_a
    )
    past = session_at(
        app_world.program,
        timezone.localdate() - timedelta(days=2),
        time(18),
        60,
        app_world.peer,
        kind=SessionKind.ALUMNI,
    )
    for session in (elsewhere, group, past):
        response = app_client.post(reverse("portal:rsvp", args=[session.pk]), {"coming": "yes"})
        assert response.status_code == 404
    assert not Attendance.objects.filter(participant=app_world.alex).exists()
    assert Session.objects.filter(pk=event.pk).exists()


def test_staff_cannot_rsvp(login, app_world, event):
    client = login(app_world.outsider)
    assert client.post(reverse("portal:rsvp", args=[event.pk]), {"coming": "yes"}).status_code == 403
