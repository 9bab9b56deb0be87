"""The director's settings of the participants' app, and unread messages on both sides: the care
team's Home panel, the count on the app's "Messages"."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.portal import messaging
from bridge.portal.models import ParticipantAccount, ParticipantAppSettings

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
TUESDAY_NOON = datetime(2026, 11, 17, 12, 0, tzinfo=LA)
GOOD = {
    "office_days": ["0", "2", "4"],
    "opens_at": "08:30",
    "closes_at": "16:00",
    "show_measures": "",
}


def _url(world) -> str:
    return reverse("portal:app_settings", args=[world.program.pk])


def test_the_director_sets_office_hours_and_hides_measures_audited(app_world, login):
    w = app_world
    client = login(w.director)
    assert _url(w) in client.get(reverse("core:home")).content.decode()
    page = client.get(_url(w))
    assert page.status_code == 200 and "nothing has been saved yet" in page.content.decode()
    response = client.post(_url(w), GOOD)
    assert response.status_code == 302
    row = ParticipantAppSettings.objects.get(program=w.program)
    assert row.office_days == [0, 2, 4] and (row.opens_at, row.closes_at) == (time(8, 30), time(16))
    assert row.show_measures is False
    event = AuditEvent.objects.get(action="create", object_type="participant_app_settings")
    assert event.actor == w.director and event.object_id == str(row.pk)
    assert event.detail["changed"]["show_measures"] == [True, False]
    assert event.detail["changed"]["opens_at"] == ["09:00", "08:30"]
    # The participant's messages page shows the new hours.
    assert messaging.office_hours_text(ParticipantAppSettings.for_program(w.program)).startswith(
        "Monday, Wednesday and Friday"
    )
    client.post(_url(w), {**GOOD, "show_measures": "on"})
    assert ParticipantAppSettings.objects.get(program=w.program).show_measures is True
    assert AuditEvent.objects.filter(action="update", object_type="participant_app_settings").count() == 1


def test_closing_before_opening_is_a_field_error_and_nothing_is_saved(app_world, login):
    w = app_world
    client = login(w.director)
    response = client.post(_url(w), {**GOOD, "opens_at": "17:00", "closes_at": "09:00"})
    assert response.status_code == 400
    assert "closes_at" in response.context["form"].errors
    assert "must close after it opens" in response.content.decode()
    response = client.post(_url(w), {**GOOD, "opens_at": "nine", "office_days": ["9"]})
    assert response.status_code == 400
    assert {"opens_at", "office_days"} <= set(response.context["form"].errors)
    assert not ParticipantAppSettings.objects.exists()


@pytest.mark.parametrize("persona", ["therapist_a", "frontdesk", "peer", "auditor", "outsider"])
def test_only_the_programs_director_reaches_the_app_settings(app_world, login, persona):
    w = app_world
    client = login(w.staff[persona])
    assert client.get(_url(w)).status_code == 404
    assert client.post(_url(w), GOOD).status_code == 404
    assert not ParticipantAppSettings.objects.exists()
    assert AuditEvent.objects.filter(action="access_denied", object_type="participant_app_settings").exists()
    assert _url(w) not in client.get(reverse("core:home")).content.decode()


def test_the_app_settings_page_needs_staff_sign_in_and_get_or_post(app_world, client, login):
    w = app_world
    response = client.get(_url(w))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert login(w.director).put(_url(w)).status_code == 405


# --- Unread messages --------------------------------------------------------------------------------


def _send(world, body: str = "Can we talk?"):
    account = ParticipantAccount.objects.get(participant=world.alex)
    return messaging.message_send_participant(account=account, body=body, now=TUESDAY_NOON)


def test_the_care_team_sees_new_messages_on_home_until_they_open_the_conversation(app_world, login):
    w = app_world
    _send(w)
    _send(w, "And one more thing")
    conversation = reverse("portal:staff_messages", args=[w.alex.pk])
    for member in (w.therapist_a, w.peer, w.nurse):
        home = login(member).get(reverse("core:home")).content.decode()
        assert "New messages from participants" in home and conversation in home, member
        assert "2 unread" in home
    # Staff who may not read them, or are not on Alex's care team, see nothing.
    for other in (w.frontdesk, w.therapist_b, w.outsider, w.auditor, w.billing, w.director):
        assert conversation not in login(other).get(reverse("core:home")).content.decode(), other
    # The work-list item stays as before.
    assert "sent a message in the app" in login(w.therapist_a).get(reverse("core:home")).content.decode()
    assert login(w.therapist_a).get(conversation).status_code == 200
    assert "New messages from participants" not in login(w.peer).get(reverse("core:home")).content.decode()


def test_unread_for_staff_is_one_query_however_many_conversations(app_world):
    w = app_world
    _send(w)
    # The staff member's roles are read once per request (for the navigation) before any panel.
    w.therapist_a.role_pairs(), w.therapist_b.role_pairs()
    with CaptureQueriesContext(connection) as one:
        rows = messaging.unread_for_staff(w.therapist_a)
    assert [(r.participant_id, r.count) for r in rows] == [(str(w.alex.pk), 1)]
    blair = ParticipantAccount.objects.get(participant=w.blair)
    messaging.message_send_participant(account=blair, body="Hi", now=TUESDAY_NOON)
    with CaptureQueriesContext(connection) as other:
        assert [r.count for r in messaging.unread_for_staff(w.therapist_b)] == [1]
    assert len(one.captured_queries) == len(other.captured_queries) == 1


def test_the_participant_sees_a_count_of_new_answers_on_messages_until_they_open_them(app_client, app_world):
    w = app_world
    home = app_client.get(reverse("portal:home")).content.decode()
    assert 'class="nav-count"' not in home
    messaging.message_send_staff(actor=w.therapist_a, participant=w.alex, body="How was group?")
    messaging.message_send_staff(actor=w.therapist_a, participant=w.alex, body="Call me.")
    home = app_client.get(reverse("portal:home")).content.decode()
    assert '<span class="nav-count" aria-hidden="true">2</span>' in home and ", 2 new" in home
    app_client.get(reverse("portal:messages"))
    assert 'class="nav-count"' not in app_client.get(reverse("portal:home")).content.decode()
    assert messaging.unread_for_participant(w.alex.pk) == 0
