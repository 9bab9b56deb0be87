"""Set-up, series, session and week pages: who may open them, what they do, form errors."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time

import pytest
import time_machine
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.programs.models import Track
from bridge.scheduling.models import (
    Attendance,
    GroupSeries,
    PayerRule,
    Room,
    SeriesMembership,
    Session,
)
from bridge.scheduling.services.roster import series_generate, series_join
from bridge.scheduling.tests.conftest import session_at

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 17, 12, tzinfo=LA)  # a Tuesday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


# --- Set-up -------------------------------------------------------------------------------------


def test_director_adds_a_track_and_retires_it_without_deleting(world, login):
    client = login(world.director)
    assert client.get(reverse("scheduling:setup")).status_code == 200
    data = {
        "name": "Saturday mornings",
        "weekdays": ["5"],
        "start_time": "09:00",
        "end_time": "12:00",
        "modality": "in_person",
        "target_hours_per_week": "3",
        "age_group": "adult",
        "is_active": "on",
    }
    assert client.post(reverse("scheduling:setup_create", args=["tracks"]), data).status_code == 302
    track = Track.objects.get(name="Saturday mornings")
    assert track.weekdays == [5] and track.program == world.program
    data.pop("is_active")
    assert client.post(reverse("scheduling:setup_edit", args=["tracks", track.pk]), data).status_code == 302
    track.refresh_from_db()
    assert not track.is_active
    assert AuditEvent.objects.filter(object_type="track", object_id=str(track.pk)).count() == 2


def test_set_up_form_errors_name_the_field(world, login):
    client = login(world.director)
    bad = client.post(
        reverse("scheduling:setup_create", args=["tracks"]),
        {
            "name": "Evening",
            "weekdays": [],
            "start_time": "21:00",
            "end_time": "18:00",
            "modality": "in_person",
            "target_hours_per_week": "9",
            "age_group": "adult",
        },
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "already has a track called Evening" in html and "must end after it starts" in html


def test_a_series_needs_a_facilitator_with_the_right_credential_and_a_cap_the_room_fits(
    world, login, group_type
):
    room = Room.objects.create(program=world.program, name="Small room", capacity=6)
    client = login(world.director)
    data = {
        "name": "New group",
        "track": str(world.program.tracks.get().pk),
        "session_type": str(group_type.pk),
        "facilitator": str(world.peer.pk),
        "room": str(room.pk),
        "size_cap": "12",
        "rolling_admission": "on",
        "starts_on": "2026-11-17",
        "is_active": "on",
    }
    bad = client.post(reverse("scheduling:setup_create", args=["series"]), data)
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "does not hold a current credential" in html and "Small room seats 6" in html
    data |= {"facilitator": str(world.therapist_a.pk), "size_cap": "6"}
    assert client.post(reverse("scheduling:setup_create", args=["series"]), data).status_code == 302
    assert GroupSeries.objects.get(name="New group").size_cap == 6


def test_payer_rules_are_entered_in_hours(world, login):
    client = login(world.director)
    response = client.post(
        reverse("scheduling:setup_create", args=["payers"]),
        {"name": "County", "code": "H0015", "min_hours_per_day": "3", "min_days": "3", "is_active": "on"},
    )
    assert response.status_code == 302
    assert PayerRule.objects.get().min_minutes_per_day == 180


@pytest.mark.parametrize("who", ["frontdesk", "therapist_a", "auditor"])
def test_set_up_is_for_directors(world, login, who):
    assert login(getattr(world, who)).get(reverse("scheduling:setup")).status_code == 404


def test_another_programs_director_cannot_edit_our_rooms(world, login):
    room = Room.objects.create(program=world.program, name="Room 1", capacity=10)
    response = login(world.outsider).get(reverse("scheduling:setup_edit", args=["rooms", room.pk]))
    assert response.status_code == 404
    assert login(world.director).get(reverse("scheduling:setup_create", args=["nonsense"])).status_code == 404


# --- Series -------------------------------------------------------------------------------------


def test_front_desk_adds_sessions_and_members_on_the_series_page(world, login, series):
    client = login(world.frontdesk)
    url = reverse("scheduling:series", args=[series.pk])
    assert client.get(url).status_code == 200
    gen = client.post(
        reverse("scheduling:series_generate", args=[series.pk]),
        {"date_from": "2026-11-16", "date_to": "2026-11-30"},
    )
    # Mon/Tue/Thu from Nov 16 to 30, less Thanksgiving (Thu Nov 26, a public holiday: skipped).
    assert gen.status_code == 302 and Session.objects.filter(series=series).count() == 6
    join = client.post(
        reverse("scheduling:series_join", args=[series.pk]), {"participant": str(world.alex.pk)}
    )
    assert join.status_code == 302
    # Monday 16 and Tuesday 17 (noon now, group at 18:00) -> 17 is still ahead, 16 is past.
    days = sorted(
        a.session.starts_at.astimezone(LA).date() for a in Attendance.objects.filter(participant=world.alex)
    )
    assert days[0] == date(2026, 11, 17) and len(days) == 5  # no Thanksgiving session
    membership = SeriesMembership.objects.get(participant=world.alex)
    leave = client.post(
        reverse("scheduling:series_leave", args=[series.pk, membership.pk]),
        {"status": "on_hold", "reason": "Trip"},
    )
    assert leave.status_code == 302 and not Attendance.objects.filter(participant=world.alex).exists()


def test_series_page_form_errors(world, login, series):
    client = login(world.frontdesk)
    bad = client.post(
        reverse("scheduling:series_generate", args=[series.pk]),
        {"date_from": "2026-12-01", "date_to": "2026-11-01"},
    )
    assert bad.status_code == 400
    assert (
        client.post(reverse("scheduling:series_join", args=[series.pk]), {"participant": "x"}).status_code
        == 400
    )
    series_join(actor=world.frontdesk, series=series, participant=world.alex)
    twice = client.post(
        reverse("scheduling:series_join", args=[series.pk]), {"participant": str(world.alex.pk)}
    )
    assert twice.status_code == 400 and "already on this group" in twice.content.decode()


@pytest.mark.parametrize("who", ["therapist_a", "outsider", "auditor", "peer"])
def test_series_pages_are_for_directors_and_front_desk(world, login, series, who):
    client = login(getattr(world, who))
    assert client.get(reverse("scheduling:series", args=[series.pk])).status_code == 404
    response = client.post(
        reverse("scheduling:series_join", args=[series.pk]), {"participant": str(world.alex.pk)}
    )
    assert response.status_code == 404 and not SeriesMembership.objects.exists()


# --- Sessions -----------------------------------------------------------------------------------


@pytest.fixture
def upcoming(world, series):
    series_generate(
        actor=world.director, series=series, date_from=date(2026, 11, 17), date_to=date(2026, 11, 24)
    )
    series_join(actor=world.frontdesk, series=series, participant=world.alex)
    return list(Session.objects.filter(series=series).order_by("starts_at"))


def test_cancelling_from_the_session_page_lists_who_is_affected(world, login, upcoming):
    client = login(world.frontdesk)
    session = upcoming[1]
    assert client.get(reverse("scheduling:session", args=[session.pk])).status_code == 200
    assert (
        client.post(reverse("scheduling:session_cancel", args=[session.pk]), {"reason": ""}).status_code
        == 400
    )
    response = client.post(
        reverse("scheduling:session_cancel", args=[session.pk]), {"reason": "Snow day"}, follow=True
    )
    assert "Participants affected (1): Alex Sample" in response.content.decode()
    # A tab left open on the session: cancelling or moving it again is said above the page.
    for name, data in (
        ("session_cancel", {"reason": "Snow day"}),
        ("session_move", {"reason": "x", "starts_at": "", "ends_at": ""}),
    ):
        again = client.post(reverse(f"scheduling:{name}", args=[session.pk]), data, follow=True)
        assert "This session is cancelled already (perhaps in another tab)" in again.content.decode(), name


def test_moving_from_the_session_page(world, login, upcoming):
    client = login(world.director)
    session = upcoming[0]
    response = client.post(
        reverse("scheduling:session_move", args=[session.pk]),
        {"day": "2026-11-18", "start": "18:00", "end": "21:00", "reason": "Room repairs"},
    )
    assert response.status_code == 302
    new = Session.objects.get(rescheduled_from=session)
    assert new.starts_at.astimezone(LA) == datetime(2026, 11, 18, 18, tzinfo=LA)
    bad = client.post(
        reverse("scheduling:session_move", args=[new.pk]),
        {"day": "2026-11-18", "start": "21:00", "end": "18:00", "reason": "x"},
    )
    assert bad.status_code == 400
    # The old session's page, left open in another tab: moving it again says it has moved.
    stale = client.post(
        reverse("scheduling:session_move", args=[session.pk]),
        {"day": "2026-11-19", "start": "18:00", "end": "21:00", "reason": "Room repairs"},
        follow=True,
    )
    assert "This session is moved already (perhaps in another tab)" in stale.content.decode()


def test_the_facilitator_sees_the_session_but_cannot_cancel_it(world, login, upcoming):
    client = login(world.therapist_a)
    assert client.get(reverse("scheduling:session", args=[upcoming[0].pk])).status_code == 200
    assert (
        client.post(reverse("scheduling:session_cancel", args=[upcoming[0].pk]), {"reason": "x"}).status_code
        == 404
    )
    assert login(world.outsider).get(reverse("scheduling:session", args=[upcoming[0].pk])).status_code == 404


def test_a_one_off_session_from_the_form(world, login):
    client = login(world.frontdesk)
    assert client.get(reverse("scheduling:session_new")).status_code == 200
    data = {
        "kind": "individual",
        "staff": str(world.therapist_a.pk),
        "participants": [str(world.alex.pk)],
        "day": "2026-11-19",
        "start": "10:00",
        "minutes": "50",
        "modality": "telehealth",
    }
    assert client.post(reverse("scheduling:session_new"), data).status_code == 302
    session = Session.objects.get(kind="individual")
    assert session.scheduled_minutes == 50 and session.room is None
    bad = client.post(reverse("scheduling:session_new"), data | {"modality": "in_person"})
    assert bad.status_code == 400 and "Choose a room" in bad.content.decode()
    outsider = client.post(
        reverse("scheduling:session_new"), data | {"participants": [str(world.elsewhere_participant.pk)]}
    )
    assert outsider.status_code == 400


# --- Week views ---------------------------------------------------------------------------------


def test_the_program_week_shows_every_session_and_remembers_the_filter(world, login, upcoming):
    room = Room.objects.create(program=world.program, name="Room 1", capacity=12)
    session_at(
        world.program, date(2026, 11, 18), time(10), 50, world.therapist_b, kind="individual", room=room
    )
    client = login(world.frontdesk)
    response = client.get(reverse("scheduling:week"), {"view": "program", "week": "2026-W47"})
    assert response.status_code == 200
    assert response.context["count"] == 3  # Tue 17, Thu 19 group; Wed individual
    by_room = client.get(reverse("scheduling:week"), {"view": "room", "id": str(room.pk), "week": "2026-W47"})
    assert by_room.context["count"] == 1
    back = client.get(reverse("scheduling:week"))
    assert back.status_code == 302 and f"id={room.pk}" in back["Location"] and "view=room" in back["Location"]
    assert AuditEvent.objects.filter(action="search", object_type="schedule_week").count() == 2


def test_a_therapist_sees_their_own_week_only(world, login, upcoming):
    client = login(world.therapist_a)
    response = client.get(reverse("scheduling:week"), {"week": "2026-W47"})
    assert (
        response.status_code == 200 and response.context["view"] == "staff" and response.context["count"] == 2
    )
    other = client.get(reverse("scheduling:week"), {"view": "staff", "id": str(world.therapist_b.pk)})
    assert other.status_code == 404
    assert client.get(reverse("scheduling:week"), {"view": "program"}).status_code == 404


def test_a_participants_week_goes_through_participant_access(world, login, upcoming):
    url = reverse("scheduling:week")
    params = {"view": "participant", "id": str(world.alex.pk), "week": "2026-W47"}
    response = login(world.therapist_a).get(url, params)
    assert response.status_code == 200 and response.context["count"] == 2
    assert login(world.therapist_b).get(url, params).status_code == 404
    assert login(world.outsider).get(url, params).status_code == 404


def test_a_bad_week_is_a_clear_error(world, login):
    response = login(world.director).get(reverse("scheduling:week"), {"view": "program", "week": "2026-W99"})
    assert response.status_code == 400 and "has no week 99" in response.content.decode()


def test_the_home_page_lists_todays_sessions_to_take_attendance(world, login, upcoming):
    html = login(world.therapist_a).get("/").content.decode()
    assert "Sessions today" in html and "Take attendance" in html
    assert "Sessions today" not in login(world.therapist_b).get("/").content.decode()
    assert "Sessions today" in login(world.frontdesk).get("/").content.decode()


def test_the_week_and_hours_pages_stay_constant_in_queries(
    world, login, series, django_assert_max_num_queries
):
    from bridge.scheduling.tests.conftest import admit
    from bridge.testing.personas import make_participant

    series_generate(
        actor=world.director, series=series, date_from=date(2026, 11, 16), date_to=date(2026, 11, 22)
    )
    admit(world.alex)
    series_join(actor=world.frontdesk, series=series, participant=world.alex)
    client = login(world.director)
    urls = [
        reverse("scheduling:week") + "?view=program&week=2026-W47",
        reverse("scheduling:hours") + "?week=2026-W47",
        reverse("scheduling:series", args=[series.pk]),
    ]
    counts = []
    for url in urls:
        with django_assert_max_num_queries(40) as q:
            assert client.get(url).status_code == 200
        counts.append(len(q.captured_queries))
    for k in range(6):
        p = make_participant(world.program, f"More{k}")
        admit(p)
        series_join(actor=world.frontdesk, series=series, participant=p)
    # The series page writes one audit event per member shown; nothing else grows with the roster.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bridge.audit.services import audit_record

    with CaptureQueriesContext(connection) as one_event:
        audit_record(action="read", actor=world.director, object_type="probe")
    with django_assert_max_num_queries(counts[2] + 6 * len(one_event.captured_queries)):
        assert client.get(urls[2]).status_code == 200
    for url, count in zip(urls[:2], counts[:2], strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


def test_the_participant_page_links_to_their_week_and_hours(world, login):
    html = login(world.therapist_a).get(reverse("participants:detail", args=[world.alex.pk])).content.decode()
    assert "Sessions this week" in html and "Weekly hours" in html


def test_the_week_page_has_a_week_picker_that_keeps_the_view(world, login, upcoming):
    client = login(world.frontdesk)
    params = {"view": "participant", "id": str(world.alex.pk), "week": "2026-W48"}
    html = client.get(reverse("scheduling:week"), params).content.decode()
    assert 'type="week"' in html and 'value="2026-W48"' in html
    assert f'name="id" value="{world.alex.pk}"' in html


def test_a_participants_week_names_co_attendees_only_by_their_own_programs_rule(world, login):
    """Director of Harbor, therapist on an Elsewhere participant's team: picking ?program=Harbor must
    not show Elsewhere's co-attendees' names (names show only to those who schedule that program)."""
    from datetime import time as clock

    from bridge.accounts.models import Role, StaffRole
    from bridge.participants.models import CareTeamMember
    from bridge.scheduling.models import Attendance
    from bridge.scheduling.tests.conftest import WEEK, session_at
    from bridge.testing.personas import make_participant

    elsewhere = world.other_program
    StaffRole.objects.create(user=world.director, program=elsewhere, role=Role.THERAPIST)
    CareTeamMember.objects.create(
        participant=world.elsewhere_participant, staff=world.director, team_role="primary_clinician"
    )
    group = session_at(elsewhere, WEEK, clock(18), 90, world.outsider, title="Evening group")
    other = make_participant(elsewhere, "Zebulon")
    for p in (world.elsewhere_participant, other):
        Attendance.objects.create(session=group, participant=p)
    page = login(world.director).get(
        "/schedule/week/",
        {
            "program": world.program.pk,
            "view": "participant",
            "id": world.elsewhere_participant.pk,
            "week": "2026-W47",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and "Evening group" in html
    assert "Zebulon" not in html
