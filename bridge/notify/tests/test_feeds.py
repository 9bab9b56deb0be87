"""Private calendar feeds: made once, parsed back with icalendar, nothing clinical, revocable."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from bridge.audit.models import AuditEvent
from bridge.core.tokens import token_hash
from bridge.notify import services
from bridge.notify.models import CalendarFeed
from bridge.scheduling.models import Attendance, Room, Session


@pytest.fixture
def calendar(world):
    """Alex: an individual session (in person) and a group with Blair; Blair: a telehealth visit."""
    now = timezone.now()
    room = Room.objects.create(program=world.program, name="Room 1", capacity=12)
    individual = Session.objects.create(
        program=world.program,
        kind="individual",
        title="Individual therapy — relapse plan for opioid use",
        staff=world.therapist_a,
        room=room,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, minutes=50),
    )
    group = Session.objects.create(
        program=world.program,
        kind="group",
        title="Relapse prevention group",
        staff=world.therapist_b,
        room=room,
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=3),
    )
    telehealth = Session.objects.create(
        program=world.program,
        kind="medication",
        title="Buprenorphine dose review",
        staff=world.prescriber,
        modality=Session.Modality.TELEHEALTH,
        telehealth_url="https://video.example/okafor",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, minutes=30),
    )
    cancelled = Session.objects.create(
        program=world.program,
        kind="individual",
        staff=world.therapist_a,
        status=Session.Status.CANCELLED,
        cancel_reason="Clinician ill",
        starts_at=now + timedelta(days=4),
        ends_at=now + timedelta(days=4, hours=1),
    )
    for session, people in (
        (individual, [world.alex]),
        (group, [world.alex, world.blair]),
        (telehealth, [world.blair]),
        (cancelled, [world.alex]),
    ):
        for p in people:
            Attendance.objects.create(session=session, participant=p)
    return {"individual": individual, "group": group, "telehealth": telehealth, "cancelled": cancelled}


def make_link(client, participant) -> str:
    response = client.post(reverse("notify:participant_feed_create", args=[participant.pk]))
    assert response.status_code == 200
    return _feed_path(response.content.decode())


def _feed_path(html: str) -> str:
    found = re.search(r'value="http://testserver([^"]+\.ics)"', html)
    assert found is not None, "no feed link on the page"
    return found.group(1)


def events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def test_a_participant_feed_parses_and_says_only_time_place_and_kind(world, calendar, login):
    client = login(world.therapist_a)
    url = make_link(client, world.alex)
    client.logout()
    response = client.get(url)  # no session: the token is the key
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    found = {str(e["uid"]): e for e in events(response.content)}
    assert set(found) == {f"{calendar[k].pk}@bridge" for k in ("individual", "group", "cancelled")}
    individual = found[f"{calendar['individual'].pk}@bridge"]
    assert str(individual["summary"]) == "Bridge: appointment"
    assert "1450" not in str(individual["location"]) and "Room 1" in str(individual["location"])
    assert individual.decoded("dtstart") == calendar["individual"].starts_at.replace(microsecond=0)
    assert str(found[f"{calendar['group'].pk}@bridge"]["summary"]) == "Bridge: group session"
    assert str(found[f"{calendar['cancelled'].pk}@bridge"]["status"]) == "CANCELLED"
    text = response.content.decode()
    for secret in (
        "relapse",
        "opioid",
        "Individual therapy",
        "Blair",
        "Alex",
        "Sample",
        "Harbor",
        "therapist",
    ):
        assert secret.lower() not in text.lower(), secret
    for event in events(response.content):
        assert set(event.keys()) <= {
            "UID",
            "DTSTAMP",
            "DTSTART",
            "DTEND",
            "SUMMARY",
            "LOCATION",
            "URL",
            "STATUS",
            "TRANSP",
        }


def test_a_telehealth_visit_carries_the_link_and_no_other_names(world, calendar, login):
    client = login(world.director)
    body = client.get(make_link(client, world.blair)).content
    by_uid = {str(e["uid"]): e for e in events(body)}
    visit = by_uid[f"{calendar['telehealth'].pk}@bridge"]
    assert (
        str(visit["location"]) == "https://video.example/okafor"
        and str(visit["url"]) == "https://video.example/okafor"
    )
    assert "Alex" not in body.decode() and "Buprenorphine" not in body.decode()


def test_only_a_hash_is_stored_and_each_use_is_audited(world, calendar, login):
    client = login(world.frontdesk)
    url = make_link(client, world.alex)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(participant=world.alex)
    assert feed.token_hash == token_hash(token) and token not in str(CalendarFeed.objects.values())
    before = AuditEvent.objects.filter(action="read", object_type="calendar_feed").count()
    client.get(url)
    client.get(url)
    reads = AuditEvent.objects.filter(action="read", object_type="calendar_feed")
    assert reads.count() == before + 2
    last = reads.last()
    assert last is not None and last.participant_id == world.alex.pk and last.actor_label == "calendar feed"
    feed.refresh_from_db()
    assert feed.use_count == 2 and feed.last_used_at is not None
    assert token not in str(list(AuditEvent.objects.values_list("detail", "object_id")))


def test_revoking_or_replacing_a_link_stops_the_old_one_at_once(world, calendar, login):
    client = login(world.therapist_a)
    first = make_link(client, world.alex)
    second = make_link(client, world.alex)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert client.post(reverse("notify:participant_feed_revoke", args=[world.alex.pk])).status_code == 302
    assert client.get(second).status_code == 404
    assert CalendarFeed.objects.filter(participant=world.alex, revoked_at__isnull=True).count() == 0
    assert AuditEvent.objects.filter(action="feed_revoke").count() == 2
    denied = AuditEvent.objects.filter(action="access_denied", object_type="calendar_feed")
    assert denied.count() == 2 and all(len(e.object_id) == 16 for e in denied)


def test_a_made_up_token_is_not_found(world, client):
    assert client.get(reverse("notify:feed", args=["x" * 43])).status_code == 404
    assert client.get("/calendar/" + "y" * 300 + ".ics").status_code == 404


def test_staff_feed_lists_the_sessions_they_lead_without_names(world, calendar, login):
    client = login(world.therapist_b)
    page = client.post(reverse("notify:my_feed_create"))
    url = _feed_path(page.content.decode())
    body = client.get(url).content
    assert [str(e["uid"]) for e in events(body)] == [f"{calendar['group'].pk}@bridge"]
    assert "Alex" not in body.decode() and "Blair" not in body.decode()
    assert client.post(reverse("notify:my_feed_revoke")).status_code == 302
    assert client.get(url).status_code == 404


def test_only_staff_who_may_edit_make_a_participant_link(world, login):
    client = login(world.peer)  # sees Alex, read-only
    assert client.get(reverse("notify:participant_calendar", args=[world.alex.pk])).status_code == 200
    assert client.post(reverse("notify:participant_feed_create", args=[world.alex.pk])).status_code == 403
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize(
    "name",
    ["participant_calendar", "participant_feed_create", "participant_feed_revoke", "participant_reminders"],
)
def test_outsider_gets_404_for_calendar_pages(world, login, name):
    client = login(world.outsider)
    url = reverse(f"notify:{name}", args=[world.alex.pk])
    response = client.get(url) if name == "participant_calendar" else client.post(url)
    assert response.status_code == 404
    assert not CalendarFeed.objects.exists()


def test_feed_service_refuses_an_ownerless_or_double_owned_feed(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.feed_create(actor=world.director)
    with pytest.raises(ValidationError):
        services.feed_create(actor=world.director, participant=world.alex, staff=world.director)


def test_feed_queries_do_not_grow_with_the_number_of_sessions(world, calendar, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.director)
    url = make_link(client, world.alex)
    client.logout()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    room = Room.objects.get()
    for k in range(6):
        start = timezone.now() + timedelta(days=10 + k)
        s = Session.objects.create(
            program=world.program,
            kind="group",
            staff=world.therapist_a,
            room=room,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
        )
        Attendance.objects.create(session=s, participant=world.alex)
    assert count() == before
    assert len(events(client.get(url).content)) == 3 + 6
