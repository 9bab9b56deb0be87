"""One conflict check on every booking path: the one-off form, moving, series generation, roster
join, the solver's commit and the JSON API; the week's list, the week view, and the command."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bridge.audit.models import AuditEvent
from bridge.planner.models import ClinicianHours, ParticipantTimeBlock
from bridge.scheduling import conflicts as cc
from bridge.scheduling.models import (
    Attendance,
    ConflictAcceptance,
    ProgramClosure,
    Room,
    SeriesMembership,
    Session,
    SessionKind,
)
from bridge.scheduling.services.roster import series_generate_report, series_join
from bridge.scheduling.services.sessions import session_create, session_reschedule
from bridge.scheduling.tests.conftest import WEEK, api_post, at, kinds, session_at
from bridge.testing.personas import make_participant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("booking_clock")]
MONDAY = WEEK  # 2026-11-16
TUESDAY = WEEK + timedelta(days=1)


def book(world, *, staff=None, participants=None, start=None, minutes=50, room=None, reason=""):
    start = start or at(MONDAY, 19)
    return session_create(
        actor=world.frontdesk,
        program=world.program,
        kind=SessionKind.INDIVIDUAL,
        staff=staff or world.therapist_b,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        participants=participants or [world.blair],
        room=room,
        modality=Session.Modality.IN_PERSON if room else Session.Modality.TELEHEALTH,
        confirm_reason=reason,
    )


# --- The service: every kind ----------------------------------------------------------------------------


def test_a_clinician_cannot_be_booked_during_their_own_group(world, group):
    with pytest.raises(cc.BookingConflict) as exc:
        book(world, staff=world.therapist_a)
    assert kinds(exc) == ["staff"]
    [c] = exc.value.conflicts
    assert c.with_session == group.pk and not exc.value.needs_confirmation
    assert c.message == "Therapist_a Test already leads Evening group (Mon Nov 16 18:00-21:00)."
    assert Session.objects.count() == 1


def test_a_participant_in_a_group_cannot_be_booked_at_the_same_time(world, group):
    with pytest.raises(cc.BookingConflict) as exc:
        book(world, participants=[world.alex])
    assert kinds(exc) == ["participant"]
    assert (
        exc.value.conflicts[0].message == "Alex Sample is already in Evening group (Mon Nov 16 18:00-21:00)."
    )


def test_a_booked_room_and_a_room_too_small_are_refused(world, group, room):
    with pytest.raises(cc.BookingConflict) as exc:
        book(world, room=room)
    assert kinds(exc) == ["room"]
    assert "Group room 1 is already booked for Evening group" in exc.value.conflicts[0].message
    small = Room.objects.create(program=world.program, name="Counseling room", capacity=2)
    with pytest.raises(cc.BookingConflict) as exc:
        book(world, participants=[world.blair, world.casey], room=small, start=at(TUESDAY, 10))
    assert exc.value.conflicts[0].message == "Counseling room has 2 seats; 3 people would be in it."


def test_nothing_is_booked_on_a_public_holiday_or_a_closure_of_the_programs_own(world):
    with pytest.raises(cc.BookingConflict) as exc:
        book(world, start=at(date(2026, 12, 25), 10))
    assert exc.value.conflicts[0].message == "The program is closed on Fri Dec 25 (Christmas Day)."
    ProgramClosure.objects.create(program=world.program, day=TUESDAY, name="Staff training day")
    with pytest.raises(cc.BookingConflict) as exc:
        book(world, start=at(TUESDAY, 10))
    assert kinds(exc) == ["closure"]
    # A holiday the program keeps open is an ordinary day.
    ProgramClosure.objects.create(
        program=world.program, day=date(2026, 11, 11), name="Veterans Day", closed=False
    )
    assert book(world, start=at(date(2026, 11, 11), 10)).pk


def test_work_hours_need_a_reason_which_is_recorded_with_the_session(world):
    ParticipantTimeBlock.objects.create(
        participant=world.blair, kind="work", weekday=1, start_time=time(9), end_time=time(17)
    )
    with pytest.raises(cc.BookingConflict) as exc:
        book(world, start=at(TUESDAY, 12))
    assert kinds(exc) == ["work_hours"] and exc.value.needs_confirmation
    assert exc.value.conflicts[0].message == (
        "Blair Sample works Tuesdays 09:00-17:00; this is Tue Nov 17 12:00-12:50."
    )
    session = book(world, start=at(TUESDAY, 12), reason="Lunch break; employer agreed")
    [accepted] = ConflictAcceptance.objects.filter(session=session)
    assert (accepted.kind, accepted.participant_id, accepted.reason) == (
        "work_hours",
        world.blair.pk,
        "Lunch break; employer agreed",
    )
    event = AuditEvent.objects.filter(object_type="session", object_id=str(session.pk)).get()
    assert event.detail["confirm_reason"] == "Lunch break; employer agreed"
    assert event.detail["conflicts_confirmed"][0]["kind"] == "work_hours"


def test_outside_the_clinicians_hours_needs_a_reason(world):
    ClinicianHours.objects.create(
        staff=world.therapist_b, program=world.program, weekday=1, start_time=time(12), end_time=time(18)
    )
    ClinicianHours.objects.create(
        staff=world.therapist_b, program=world.program, weekday=1, start_time=time(18), end_time=time(20)
    )
    assert book(world, start=at(TUESDAY, 17, 30)).pk  # spans two adjoining blocks: inside her hours
    with pytest.raises(cc.BookingConflict) as exc:
        book(world, start=at(TUESDAY, 19, 30), participants=[world.casey])
    assert kinds(exc) == ["staff_hours"]
    assert exc.value.conflicts[0].message == (
        "Therapist_b Test works 12:00-20:00 on Tuesdays; this is Tue Nov 17 19:30-20:20."
    )
    with pytest.raises(cc.BookingConflict) as exc:
        book(world, start=at(MONDAY, 10), participants=[world.casey])
    assert "does not work at the program on Mondays" in exc.value.conflicts[0].message


def test_a_hard_conflict_is_refused_even_with_a_reason(world, group):
    with pytest.raises(cc.BookingConflict):
        book(world, staff=world.therapist_a, reason="I insist")
    assert not ConflictAcceptance.objects.exists()


def test_a_cancelled_session_blocks_nothing(world, group):
    Session.objects.filter(pk=group.pk).update(status="cancelled", cancel_reason="Snow")
    assert book(world, staff=world.therapist_a, participants=[world.alex]).pk


# --- Moving ----------------------------------------------------------------------------------------------


def test_a_group_cannot_move_onto_its_facilitators_other_group_in_the_same_room(world, group, room):
    other = session_at(world.program, TUESDAY, time(18), 180, world.therapist_a, title="Group B", room=room)
    with pytest.raises(cc.BookingConflict) as exc:
        session_reschedule(
            actor=world.frontdesk,
            session=group,
            starts_at=other.starts_at,
            ends_at=other.ends_at,
            reason="Swap",
        )
    assert sorted(kinds(exc)) == ["room", "staff"]
    group.refresh_from_db()
    assert group.status == "scheduled"  # nothing changed


def test_a_moved_series_session_can_move_back_to_its_original_time(world, series, room):
    [first, *_] = series_generate_report(
        actor=world.director, series=series, date_from=MONDAY, date_to=MONDAY + timedelta(days=6)
    ).created
    original = (first.starts_at, first.ends_at)
    moved = session_reschedule(
        actor=world.frontdesk,
        session=first,
        starts_at=first.starts_at + timedelta(hours=1),
        ends_at=first.ends_at + timedelta(hours=1),
        reason="Fire drill",
    ).session
    back = session_reschedule(
        actor=world.frontdesk,
        session=moved,
        starts_at=original[0],
        ends_at=original[1],
        reason="Drill called off",
    ).session
    assert (back.starts_at, back.status, back.series_id) == (original[0], "scheduled", series.pk)


# --- Series generation and roster join -------------------------------------------------------------------


def test_generation_skips_closed_days_and_taken_times_and_lists_them(world, series, room):
    series.room = room
    series.save()
    track = series.track  # Mon/Tue/Thu 18:00-21:00
    assert list(track.weekdays) == [0, 1, 3]
    session_at(world.program, TUESDAY, time(17), 90, world.therapist_a, title="Supervision")
    done = series_generate_report(
        actor=world.director, series=series, date_from=date(2026, 11, 23), date_to=date(2026, 11, 26)
    )
    # Thanksgiving (Thu Nov 26) is closed; Mon and Tue are created.
    assert [timezone_day(s) for s in done.created] == [date(2026, 11, 23), date(2026, 11, 24)]
    assert done.skipped == [(date(2026, 11, 26), "The program is closed on Thu Nov 26 (Thanksgiving Day).")]
    done = series_generate_report(actor=world.director, series=series, date_from=MONDAY, date_to=TUESDAY)
    assert [d for d, _ in done.skipped] == [TUESDAY]
    assert "Therapist_a Test already leads Supervision" in done.skipped[0][1]
    event = AuditEvent.objects.filter(object_type="group_series").latest("id")
    assert event.detail["skipped"][0][0] == TUESDAY.isoformat()


def timezone_day(session) -> date:
    from django.utils import timezone

    return timezone.localtime(session.starts_at, session.program.tz).date()


def test_generation_leaves_a_member_off_a_session_they_are_booked_elsewhere_for(world, series):
    SeriesMembership.objects.create(series=series, participant=world.blair, status="active", joined_on=MONDAY)
    session_at(
        world.program, MONDAY, time(18, 30), 50, world.therapist_b, kind="individual"
    ).attendance.create(participant=world.blair)
    done = series_generate_report(actor=world.director, series=series, date_from=MONDAY, date_to=TUESDAY)
    assert len(done.created) == 2
    assert done.left_off == [
        (MONDAY, "Blair Sample is already in Individual therapy (Mon Nov 16 18:30-19:20).")
    ]
    monday = done.created[0]
    assert not Attendance.objects.filter(session=monday, participant=world.blair).exists()
    assert Attendance.objects.filter(session=done.created[1], participant=world.blair).exists()


def test_generation_outside_the_facilitators_hours_needs_a_reason(world, series):
    ClinicianHours.objects.create(
        staff=world.therapist_a, program=world.program, weekday=0, start_time=time(12), end_time=time(20)
    )
    with pytest.raises(cc.BookingConflict) as exc:
        series_generate_report(actor=world.director, series=series, date_from=MONDAY, date_to=MONDAY)
    assert kinds(exc) == ["staff_hours"]
    assert not Session.objects.filter(series=series).exists()
    done = series_generate_report(
        actor=world.director, series=series, date_from=MONDAY, date_to=MONDAY, confirm_reason="Paid overtime"
    )
    assert ConflictAcceptance.objects.get(session=done.created[0]).reason == "Paid overtime"


def test_joining_a_group_checks_every_future_session(world, series):
    series_generate_report(
        actor=world.director, series=series, date_from=MONDAY, date_to=MONDAY + timedelta(days=9)
    )
    individual = session_at(world.program, TUESDAY + timedelta(days=7), time(19), 50, world.therapist_b)
    individual.attendance.create(participant=world.blair)
    with pytest.raises(cc.BookingConflict) as exc:
        series_join(actor=world.director, series=series, participant=world.blair, on=MONDAY)
    assert kinds(exc) == ["participant"] and exc.value.conflicts[0].with_session == individual.pk
    assert not SeriesMembership.objects.filter(participant=world.blair).exists()


def test_joining_during_declared_work_hours_is_confirmed_once_for_the_whole_membership(world, series):
    series_generate_report(
        actor=world.director, series=series, date_from=MONDAY, date_to=MONDAY + timedelta(days=9)
    )
    ParticipantTimeBlock.objects.create(
        participant=world.blair, kind="family", weekday=1, start_time=time(17), end_time=time(19)
    )
    with pytest.raises(cc.BookingConflict) as exc:
        series_join(actor=world.director, series=series, participant=world.blair, on=MONDAY)
    assert set(kinds(exc)) == {"work_hours"} and len(exc.value.conflicts) == 2  # both Tuesdays
    membership = series_join(
        actor=world.director,
        series=series,
        participant=world.blair,
        on=MONDAY,
        confirm_reason="Sister babysits",
    )
    assert membership.status == "active"
    assert ConflictAcceptance.objects.get(membership=membership).reason == "Sister babysits"
    # Accepted for the membership: neither the week's list nor the next generation asks again.
    week = [wc for wc in cc.week_conflicts(world.program, MONDAY) if wc.conflict.kind == "work_hours"]
    assert week and all(not wc.open for wc in week)
    done = series_generate_report(
        actor=world.director,
        series=series,
        date_from=MONDAY + timedelta(days=14),
        date_to=MONDAY + timedelta(days=15),
    )
    assert len(done.created) == 2


def test_a_full_room_refuses_one_more_member(world, series):
    series.room = Room.objects.create(program=world.program, name="Small room", capacity=2)
    series.save()
    SeriesMembership.objects.create(series=series, participant=world.alex, status="active", joined_on=MONDAY)
    series_generate_report(actor=world.director, series=series, date_from=MONDAY, date_to=MONDAY)
    with pytest.raises(cc.BookingConflict) as exc:
        series_join(actor=world.director, series=series, participant=world.blair, on=MONDAY)
    assert exc.value.conflicts[0].message == "Small room has 2 seats; 3 people would be in it."


# --- The week's list, the week view, the command -----------------------------------------------------------


def test_the_week_lists_each_double_booking_once_and_the_command_exits_one(world, group):
    clash = session_at(world.program, MONDAY, time(20), 50, world.therapist_a, kind="individual")
    clash.attendance.create(participant=world.blair)
    found = cc.week_conflicts(world.program, MONDAY)
    assert [(wc.session.pk, wc.conflict.kind, wc.conflict.with_session) for wc in found] == [
        (group.pk, "staff", clash.pk)
    ]
    stdout = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("schedule", "conflicts", "--week", "2026-W47", "--program", "Harbor", stdout=stdout)
    assert exc.value.returncode == 1
    out = stdout.getvalue().strip().splitlines()
    assert (
        len(out) == 1 and "staff" in out[0] and "Therapist_a Test already leads Individual therapy" in out[0]
    )
    stdout = io.StringIO()
    call_command("schedule", "conflicts", "--week", "2026-W48", "--program", "Harbor", stdout=stdout)
    assert "2026-W48: no conflicts" in stdout.getvalue()


def test_the_week_view_marks_conflicts_and_the_conflicts_page_lists_them(world, group, client, login):
    clash = session_at(world.program, MONDAY, time(20), 50, world.therapist_a, kind="individual")
    login(world.frontdesk)
    page = client.get("/schedule/week/?view=program&week=2026-W47").content.decode()
    assert page.count("has-conflict") == 2 and "2 with a conflict" in page
    page = client.get("/schedule/conflicts/?week=2026-W47").content.decode()
    assert "Therapist_a Test already leads Individual therapy (Mon Nov 16 20:00-20:50)." in page
    assert f"/schedule/sessions/{clash.pk}/" in page
    page = client.get(f"/schedule/sessions/{clash.pk}/").content.decode()
    # The session's page checks that session alone and words its conflicts from its side.
    assert "This session has a conflict" in page and "already leads Evening group" in page
    login(world.therapist_a)  # sees the mark on their own week, not what it is about
    page = client.get("/schedule/week/?view=staff&week=2026-W47").content.decode()
    assert "has-conflict" in page and "already leads" not in page
    assert client.get("/schedule/conflicts/").status_code == 404
    login(world.outsider)  # a director elsewhere: their own program's list, never Harbor's
    assert client.get(f"/schedule/conflicts/?program={world.program.pk}").status_code == 404


def test_a_page_of_some_sessions_finds_their_conflicts_as_the_week_does(world, group, room):
    """session_conflicts (a staff member's, a room's or a participant's week; one session) checks only
    the sessions given, against everything touching their people and rooms."""
    clash = session_at(world.program, MONDAY, time(20), 50, world.therapist_b, kind="individual", room=room)
    clash.attendance.create(participant=world.alex)
    elsewhere = session_at(world.program, MONDAY, time(9), 50, world.therapist_b, kind="individual")
    elsewhere.attendance.create(participant=world.blair)
    week = {
        (wc.session.pk, wc.conflict.kind, wc.conflict.with_session)
        for wc in cc.week_conflicts(world.program, MONDAY)
    }
    assert week == {(group.pk, "room", clash.pk), (group.pk, "participant", clash.pk)}
    # Therapist B's week: both sessions of theirs, found from the clash's side (the group is not theirs).
    mine = cc.session_conflicts(world.program, [clash, elsewhere])
    assert {(wc.session.pk, wc.conflict.kind, wc.conflict.with_session) for wc in mine} == {
        (clash.pk, "room", group.pk),
        (clash.pk, "participant", group.pk),
    }
    assert cc.session_conflicts(world.program, [elsewhere]) == []
    assert cc.session_conflicts(world.program, []) == []
    # A confirmed soft conflict is not open there either.
    ParticipantTimeBlock.objects.create(
        participant=world.blair, kind="work", weekday=0, start_time=time(8), end_time=time(12)
    )
    [soft] = cc.session_conflicts(world.program, [elsewhere])
    assert soft.conflict.kind == "work_hours" and soft.open
    ConflictAcceptance.objects.create(
        session=elsewhere, participant=world.blair, kind="work_hours", message="x", reason="Day off"
    )
    [soft] = cc.session_conflicts(world.program, [elsewhere])
    assert not soft.open


# --- The forms --------------------------------------------------------------------------------------------


def test_the_one_off_form_shows_the_conflict_and_books_nothing(world, group, client, login):
    login(world.frontdesk)
    data = {
        "program": world.program.pk,
        "kind": "individual",
        "staff": world.therapist_a.pk,
        "participants": [world.blair.pk],
        "day": "2026-11-16",
        "start": "18:30",
        "minutes": "50",
        "modality": "telehealth",
    }
    response = client.post("/schedule/sessions/new/", data)
    assert response.status_code == 400
    assert "Staff double-booked: Therapist_a Test already leads Evening group" in response.content.decode()
    assert Session.objects.count() == 1


def test_the_one_off_form_books_in_work_hours_with_a_reason(world, client, login):
    ParticipantTimeBlock.objects.create(
        participant=world.blair, kind="work", weekday=0, start_time=time(9), end_time=time(17)
    )
    login(world.frontdesk)
    data = {
        "program": world.program.pk,
        "kind": "individual",
        "staff": world.therapist_b.pk,
        "participants": [world.blair.pk],
        "day": "2026-11-16",
        "start": "12:00",
        "minutes": "50",
        "modality": "telehealth",
    }
    response = client.post("/schedule/sessions/new/", data)
    assert response.status_code == 400 and "give a reason to book it anyway" in response.content.decode()
    response = client.post("/schedule/sessions/new/", {**data, "confirm_reason": "Day off that week"})
    assert response.status_code == 302
    assert ConflictAcceptance.objects.get().reason == "Day off that week"


def test_a_session_booked_anyway_shows_the_confirmation_not_a_conflict(world, group, client, login):
    """A soft conflict confirmed with a reason is shown as booked outside someone's hours, confirmed
    by whom and why; a hard conflict on the same page is still a conflict to resolve."""
    ParticipantTimeBlock.objects.create(
        participant=world.blair, kind="work", weekday=0, start_time=time(9), end_time=time(17)
    )
    login(world.frontdesk)
    data = {
        "program": world.program.pk,
        "kind": "individual",
        "staff": world.therapist_b.pk,
        "participants": [world.blair.pk],
        "day": "2026-11-16",
        "start": "12:00",
        "minutes": "50",
        "modality": "telehealth",
        "confirm_reason": "Day off that week",
    }
    response = client.post("/schedule/sessions/new/", data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "This session has a conflict" not in page
    assert "Booked outside Blair Sample&#x27;s work or family hours — confirmed by" in page
    assert "“Day off that week”" in page
    # Therapist B is then double-booked into the evening group's time: a hard conflict, still open.
    clash = session_at(world.program, MONDAY, time(18), 50, world.therapist_a, kind="individual")
    page = client.get(f"/schedule/sessions/{clash.pk}/").content.decode()
    assert "This session has a conflict" in page and "Booked outside" not in page


def test_the_move_form_refuses_a_double_booking(world, group, client, login):
    other = session_at(world.program, TUESDAY, time(18), 180, world.therapist_a, title="Group B")
    login(world.frontdesk)
    response = client.post(
        f"/schedule/sessions/{group.pk}/move/",
        {"day": "2026-11-17", "start": "18:00", "end": "21:00", "reason": "Swap"},
    )
    assert response.status_code == 400 and "already leads Group B" in response.content.decode()
    assert Session.objects.get(pk=group.pk).status == "scheduled" and other.status == "scheduled"


def test_the_join_form_refuses_and_names_the_clash(world, series, client, login):
    series_generate_report(actor=world.director, series=series, date_from=MONDAY, date_to=MONDAY)
    session_at(world.program, MONDAY, time(18), 50, world.therapist_b, kind="individual").attendance.create(
        participant=world.blair
    )
    login(world.frontdesk)
    response = client.post(
        f"/schedule/series/{series.pk}/join/", {"participant": world.blair.pk, "on": "2026-11-16"}
    )
    assert response.status_code == 400
    assert (
        "Blair Sample is already in Individual therapy (Mon Nov 16 18:00-18:50)" in response.content.decode()
    )


def test_the_generate_form_lists_skipped_days(world, series, client, login):
    login(world.director)
    response = client.post(
        f"/schedule/series/{series.pk}/generate/",
        {"date_from": "2026-11-23", "date_to": "2026-11-29"},
        follow=True,
    )
    page = response.content.decode()
    assert "2 sessions added to the calendar." in page
    assert "Skipped Thu Nov 26: The program is closed on Thu Nov 26 (Thanksgiving Day)." in page


# --- The JSON API ------------------------------------------------------------------------------------------


def test_the_api_answers_a_refused_booking_with_409_and_the_conflicts(world, group, client, login):
    login(world.frontdesk)
    body = {
        "kind": "individual",
        "staff": str(world.therapist_a.pk),
        "participants": [str(world.alex.pk)],
        "starts_at": "2026-11-16T18:30:00-08:00",
        "ends_at": "2026-11-16T19:20:00-08:00",
        "modality": "telehealth",
    }
    response = api_post(client, "sessions", body)
    assert response.status_code == 409
    payload = response.json()
    assert payload["needs_confirmation"] is False
    assert sorted((c["kind"], c["with"]) for c in payload["conflicts"]) == [
        ("participant", str(group.pk)),
        ("staff", str(group.pk)),
    ]
    assert Session.objects.count() == 1
    body["starts_at"], body["ends_at"] = "2026-12-25T10:00:00-08:00", "2026-12-25T10:50:00-08:00"
    assert api_post(client, "sessions", body).json()["conflicts"] == [
        {"kind": "closure", "with": None, "message": "The program is closed on Fri Dec 25 (Christmas Day)."}
    ]
    body["starts_at"], body["ends_at"] = "2026-11-17T10:00:00-08:00", "2026-11-17T10:50:00-08:00"
    response = api_post(client, "sessions", body)
    assert response.status_code == 201 and response.json()["roster"][0]["participant"] == str(world.alex.pk)


def test_the_api_asks_for_a_reason_for_soft_conflicts(world, client, login):
    ClinicianHours.objects.create(
        staff=world.therapist_b, program=world.program, weekday=1, start_time=time(12), end_time=time(18)
    )
    login(world.frontdesk)
    body = {
        "kind": "individual",
        "staff": str(world.therapist_b.pk),
        "participants": [str(world.blair.pk)],
        "starts_at": "2026-11-17T19:00:00-08:00",
        "ends_at": "2026-11-17T19:50:00-08:00",
        "modality": "telehealth",
    }
    response = api_post(client, "sessions", body)
    assert response.status_code == 409 and response.json()["needs_confirmation"] is True
    assert response.json()["conflicts"][0]["kind"] == "staff_hours"
    assert api_post(client, "sessions", {**body, "confirm_reason": "Evening cover"}).status_code == 201


def test_the_api_moves_and_joins_through_the_same_check(world, series, group, client, login):
    login(world.frontdesk)
    other = session_at(world.program, TUESDAY, time(18), 180, world.therapist_a, title="Group B")
    response = api_post(
        client,
        f"sessions/{group.pk}/move",
        {"starts_at": "2026-11-17T18:00:00-08:00", "ends_at": "2026-11-17T21:00:00-08:00", "reason": "Swap"},
    )
    assert response.status_code == 409
    assert response.json()["conflicts"][0] == {
        "kind": "staff",
        "with": str(other.pk),
        "message": "Therapist_a Test already leads Group B (Tue Nov 17 18:00-21:00).",
    }
    response = api_post(
        client,
        f"sessions/{group.pk}/move",
        {
            "starts_at": "2026-11-16T17:00:00-08:00",
            "ends_at": "2026-11-16T20:00:00-08:00",
            "reason": "Earlier",
        },
    )
    assert response.status_code == 200 and response.json()["roster"][0]["participant"] == str(world.alex.pk)

    series.facilitator = world.therapist_b
    series.save()
    series_generate_report(actor=world.director, series=series, date_from=TUESDAY, date_to=TUESDAY)
    session_at(world.program, TUESDAY, time(20), 50, world.prescriber, kind="medication").attendance.create(
        participant=world.blair
    )
    response = api_post(
        client, f"series/{series.pk}/roster", {"participant": str(world.blair.pk), "on": "2026-11-16"}
    )
    assert response.status_code == 409 and response.json()["conflicts"][0]["kind"] == "participant"
    dana = make_participant(world.program, "Dana")
    response = api_post(client, f"series/{series.pk}/roster", {"participant": str(dana.pk)})
    assert response.status_code == 200 and response.json()["status"] == "active"


def test_the_api_names_the_field_of_bad_input_and_hides_other_programs(world, group, client, login):
    login(world.frontdesk)
    body = {
        "kind": "individual",
        "staff": str(world.therapist_b.pk),
        "participants": [str(world.elsewhere_participant.pk)],
        "starts_at": "2026-11-17T10:00:00-08:00",
        "ends_at": "2026-11-17T10:50:00-08:00",
        "modality": "telehealth",
    }
    response = api_post(client, "sessions", body)
    assert response.status_code == 400 and response.json()["error"]["field"] == "participants[0]"
    response = api_post(
        client, "sessions", {**body, "participants": [str(world.blair.pk)], "ends_at": body["starts_at"]}
    )
    assert response.status_code == 400 and response.json()["error"]["field"] == "ends_at"
    login(world.outsider)
    response = api_post(
        client,
        f"sessions/{group.pk}/move",
        {"starts_at": "2026-11-17T10:00:00-08:00", "ends_at": "2026-11-17T10:50:00-08:00", "reason": "x"},
    )
    assert response.status_code == 404


# --- The solver's commit ---------------------------------------------------------------------------------


def test_the_solver_places_nothing_on_a_closed_day(world):
    from bridge.planner.adapter import build_plan

    ProgramClosure.objects.create(program=world.program, day=TUESDAY, name="Staff training day")
    plan = build_plan(world.program, MONDAY)
    busy = plan.problem.clinicians[str(world.therapist_a.pk)].busy
    assert any(w.start <= 1 * 24 * 60 and w.end >= 2 * 24 * 60 for w in busy)
