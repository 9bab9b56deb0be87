"""The Today board: who is expected now and next with check-in, who has not arrived, what is due,
today's conflicts; the check-in service any front end can reuse."""

from __future__ import annotations

from datetime import date, time

import pytest
import time_machine
from django.core.exceptions import ValidationError

from bridge.audit.models import AuditEvent
from bridge.scheduling.models import ArrivalCall, Attendance, Session
from bridge.scheduling.services.attendance import arrival_call_note, attendance_check_in
from bridge.scheduling.tests.conftest import session_at
from bridge.testing.personas import make_participant

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 17)  # a Tuesday


@pytest.fixture
def evening(world):
    """A group 18:00-21:00 with Alex (phone on file) and Blair on the roster."""
    world.alex.phone = "510-555-0142"
    world.alex.save()
    s = session_at(world.program, DAY, time(18), 180, world.therapist_a, title="Evening group")
    for p in (world.alex, world.blair):
        Attendance.objects.create(session=s, participant=p)
    return s


def test_checking_in_starts_attendance_once(world, evening):
    with time_machine.travel("2026-11-17 17:55 -08:00", tick=False):
        done = attendance_check_in(actor=world.frontdesk, session=evening, participant_id=world.alex.pk)
        again = attendance_check_in(actor=world.frontdesk, session=evening, participant_id=world.alex.pk)
    row = done.attendance
    assert (row.status, row.minutes, row.recorded_by) == ("present", 180, world.frontdesk)
    assert not done.already and again.already
    event = AuditEvent.objects.get(action="attendance_record", object_id=str(row.pk))
    assert event.detail["check_in"] == "desk"


def test_arriving_late_is_late_and_counts_from_arrival(world, evening):
    with time_machine.travel("2026-11-17 18:20 -08:00", tick=False):
        row = attendance_check_in(
            actor=world.frontdesk, session=evening, participant_id=world.blair.pk
        ).attendance
    assert (row.status, row.minutes) == ("late", 160)


def test_no_check_in_for_a_cancelled_or_finished_session_or_someone_not_on_it(world, evening):
    with time_machine.travel("2026-11-17 21:30 -08:00", tick=False), pytest.raises(ValidationError):
        attendance_check_in(actor=world.frontdesk, session=evening, participant_id=world.alex.pk)
    with time_machine.travel("2026-11-17 18:00 -08:00", tick=False), pytest.raises(ValidationError):
        attendance_check_in(actor=world.frontdesk, session=evening, participant_id=world.casey.pk)
    Session.objects.filter(pk=evening.pk).update(status="cancelled", cancel_reason="Snow")
    evening.refresh_from_db()
    with time_machine.travel("2026-11-17 18:00 -08:00", tick=False), pytest.raises(ValidationError):
        attendance_check_in(actor=world.frontdesk, session=evening, participant_id=world.alex.pk)
    assert not Attendance.objects.exclude(status="expected").exists()


def test_the_board_lists_who_has_not_arrived_with_their_phone(world, evening, login):
    with time_machine.travel("2026-11-17 18:12 -08:00", tick=False):
        attendance_check_in(actor=world.frontdesk, session=evening, participant_id=world.blair.pk)
        page = login(world.frontdesk).get("/schedule/today/").content.decode()
    late = page.split('id="late-h"')[1].split("</section>")[0]
    assert "Alex Sample" in late and "510-555-0142" in late and "Blair Sample" not in late
    assert "Checked in 18:12" in page
    for heading in ("Drug screens due", "Injections due", "Measures due"):
        assert heading in page
    assert page.count("None due.") >= 3  # always shown, "none due" when empty


def test_a_called_note_is_kept_and_shown(world, evening, login):
    row = Attendance.objects.get(session=evening, participant=world.alex)
    with time_machine.travel("2026-11-17 18:15 -08:00", tick=False):
        client = login(world.frontdesk)
        response = client.post(f"/schedule/today/{row.pk}/called/", {"note": "No answer, left a message"})
        assert response.status_code == 302
        assert "No answer, left a message" in client.get("/schedule/today/").content.decode()
        assert client.post(f"/schedule/today/{row.pk}/called/", {"note": "  "}).status_code == 302
    assert ArrivalCall.objects.count() == 1
    with pytest.raises(ValidationError):
        arrival_call_note(actor=world.frontdesk, attendance=row, note="")


def test_the_board_is_for_the_desk_nurses_and_directors(world, evening, login):
    row = Attendance.objects.get(session=evening, participant=world.alex)
    with time_machine.travel("2026-11-17 17:50 -08:00", tick=False):
        for who in ("frontdesk", "nurse", "director"):
            assert login(getattr(world, who)).get("/schedule/today/").status_code == 200, who
        for who in ("therapist_a", "peer", "auditor", "intake"):
            assert login(getattr(world, who)).get("/schedule/today/").status_code == 404, who
        outsider = login(world.outsider)
        assert outsider.get(f"/schedule/today/?program={world.program.pk}").status_code == 404
        assert outsider.post(f"/schedule/today/{row.pk}/check-in/").status_code == 404
        assert login(world.therapist_a).post(f"/schedule/today/{row.pk}/check-in/").status_code == 404
        assert login(world.frontdesk).get(f"/schedule/today/{row.pk}/check-in/").status_code == 405
    assert Attendance.objects.get(pk=row.pk).status == "expected"


def test_a_nurse_sees_only_the_participants_on_their_care_teams(world, evening, login):
    with time_machine.travel("2026-11-17 17:50 -08:00", tick=False):
        page = login(world.nurse).get("/schedule/today/").content.decode()
    assert "Alex Sample" in page and "Blair Sample" not in page


def test_the_board_takes_the_same_number_of_queries_for_a_bigger_day(
    world, login, django_assert_max_num_queries
):
    def fill(k):
        s = session_at(world.program, DAY, time(8 + k), 50, world.therapist_b, title=f"Visit {k}")
        Attendance.objects.create(session=s, participant=make_participant(world.program, f"P{k:02d}"))

    with time_machine.travel("2026-11-17 07:00 -08:00", tick=False):
        client = login(world.frontdesk)
        fill(0)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client.get("/schedule/today/")
        for k in range(1, 9):
            fill(k)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get("/schedule/today/").status_code == 200


def test_a_busy_day_is_compact_and_each_roster_opens_on_demand(world, evening, login, monkeypatch):
    """More roster rows than fit (INLINE_ROWS; here 1): each session shows its counts and opens its
    roster (check-in, phone numbers, call notes) from its own URL; measures and conflicts load beside."""
    from bridge.scheduling.views import today as today_views

    monkeypatch.setattr(today_views, "INLINE_ROWS", 1)
    with time_machine.travel("2026-11-17 18:12 -08:00", tick=False):
        attendance_check_in(actor=world.frontdesk, session=evening, participant_id=world.blair.pk)
        client = login(world.frontdesk)
        page = client.get("/schedule/today/").content.decode()
        roster_url = f"/schedule/today/sessions/{evening.pk}/"
        assert "2 on the roster · 1 checked in · <strong>1 not arrived</strong>" in page
        assert page.count(f'hx-get="{roster_url}"') == 2  # under "now" and under "not arrived"
        assert "Alex Sample" not in page and "510-555-0142" not in page  # names only when opened
        assert "part=measures" in page and "part=conflicts" in page
        roster = client.get(roster_url).content.decode()
        assert "Alex Sample" in roster and "510-555-0142" in roster and "Checked in 18:12" in roster
        assert 'placeholder="Called: what happened"' in roster
        assert AuditEvent.objects.filter(object_type="today_session", object_id=str(evening.pk)).exists()
        measures = client.get(f"/schedule/today/part/?program={world.program.pk}&part=measures")
        conflicts = client.get(f"/schedule/today/part/?program={world.program.pk}&part=conflicts")
        assert measures.status_code == conflicts.status_code == 200
        assert "None." in conflicts.content.decode()
        assert client.get(f"/schedule/today/part/?program={world.program.pk}&part=x").status_code == 400
        # A nurse sees only their care teams' people in an opened roster too.
        nurse_roster = login(world.nurse).get(roster_url).content.decode()
        assert "Alex Sample" in nurse_roster and "Blair Sample" not in nurse_roster
        for who in ("outsider", "therapist_a", "peer"):
            assert login(getattr(world, who)).get(roster_url).status_code == 404, who


def test_a_compact_board_lists_the_next_hour_and_opens_the_rest_of_the_day_on_demand(
    world, evening, login, monkeypatch
):
    """A busy board lists what is under way and what starts within the hour; later sessions are a
    count that opens on demand (the part lists them with their counts, never names)."""
    from bridge.scheduling.views import today as today_views

    monkeypatch.setattr(today_views, "INLINE_ROWS", 1)
    soon = session_at(world.program, DAY, time(16, 30), 50, world.therapist_b, title="Check-in group")
    Attendance.objects.create(session=soon, participant=world.alex)
    with time_machine.travel("2026-11-17 16:00 -08:00", tick=False):
        client = login(world.frontdesk)
        page = client.get("/schedule/today/").content.decode()
        assert "Check-in group" in page and "Evening group" not in page
        assert "1 more session later today, from 18:00" in page
        later_url = f"/schedule/today/part/?program={world.program.pk}&part=later"
        assert f'hx-get="{later_url.replace("&", "&amp;")}"' in page
        later = client.get(later_url).content.decode()
        assert "Evening group" in later and "2 on the roster · 0 checked in" in later
        assert "Check-in group" not in later and "Alex Sample" not in later
        assert AuditEvent.objects.filter(object_type="today_later", object_id=str(world.program.pk)).exists()
        assert login(world.outsider).get(later_url).status_code == 404
    with time_machine.travel("2026-11-17 17:30 -08:00", tick=False):
        page = login(world.frontdesk).get("/schedule/today/").content.decode()
        assert "Evening group" in page and "later today" not in page
