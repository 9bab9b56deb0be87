"""The conflict kinds on the paths test_conflicts.py leaves out: room and work hours over the JSON
API; a taken room and unconfirmed work hours in series generation; a closure on a move and on a
roster join; every kind the one-off form can meet (refused, named, nothing booked)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bridge.audit.models import AuditEvent
from bridge.planner.models import ClinicianHours, ParticipantTimeBlock
from bridge.scheduling import conflicts as cc
from bridge.scheduling.models import (
    Attendance,
    ConflictAcceptance,
    ProgramClosure,
    SeriesMembership,
    Session,
)
from bridge.scheduling.services.roster import series_generate_report, series_join
from bridge.scheduling.services.sessions import session_reschedule
from bridge.scheduling.tests.conftest import WEEK, api_post, at, kinds, session_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("booking_clock")]
MONDAY = WEEK  # 2026-11-16
TUESDAY = WEEK + timedelta(days=1)
CLOSED = "The program is closed on Tue Nov 17 (Staff training day)."


@pytest.fixture
def training_day(world):
    return ProgramClosure.objects.create(program=world.program, day=TUESDAY, name="Staff training day")


def one_off(world, **extra) -> dict:
    """A one-off session's API body: Therapist B with Blair, by video, Monday 19:00-19:50."""
    return {
        "kind": "individual",
        "staff": str(world.therapist_b.pk),
        "participants": [str(world.blair.pk)],
        "starts_at": "2026-11-16T19:00:00-08:00",
        "ends_at": "2026-11-16T19:50:00-08:00",
        "modality": "telehealth",
        **extra,
    }


# --- The JSON API: room and work hours --------------------------------------------------------------------


def test_the_api_refuses_a_booked_room_with_409_naming_the_session(world, group, room, client, login):
    login(world.frontdesk)
    response = api_post(client, "sessions", one_off(world, modality="in_person", room=str(room.pk)))
    assert response.status_code == 409
    payload = response.json()
    assert payload["needs_confirmation"] is False
    assert payload["conflicts"] == [
        {
            "kind": "room",
            "with": str(group.pk),
            "message": "Group room 1 is already booked for Evening group (Mon Nov 16 18:00-21:00).",
        }
    ]
    # A hard conflict: a reason does not book it either.
    again = api_post(
        client, "sessions", one_off(world, modality="in_person", room=str(room.pk), confirm_reason="Please")
    )
    assert again.status_code == 409
    assert Session.objects.count() == 1 and not ConflictAcceptance.objects.exists()


def test_the_api_asks_for_a_reason_inside_work_hours_and_records_it(world, client, login):
    ParticipantTimeBlock.objects.create(
        participant=world.blair, kind="work", weekday=1, start_time=time(9), end_time=time(17)
    )
    login(world.frontdesk)
    body = one_off(world, starts_at="2026-11-17T12:00:00-08:00", ends_at="2026-11-17T12:50:00-08:00")
    response = api_post(client, "sessions", body)
    assert response.status_code == 409
    payload = response.json()
    assert payload["needs_confirmation"] is True
    assert payload["conflicts"] == [
        {
            "kind": "work_hours",
            "with": None,
            "message": "Blair Sample works Tuesdays 09:00-17:00; this is Tue Nov 17 12:00-12:50.",
        }
    ]
    assert not Session.objects.exists()
    response = api_post(client, "sessions", {**body, "confirm_reason": "Lunch break; employer agreed"})
    assert response.status_code == 201
    [accepted] = ConflictAcceptance.objects.all()
    assert str(accepted.session_id) == response.json()["id"]
    assert (accepted.kind, accepted.participant_id, accepted.reason, accepted.accepted_by) == (
        "work_hours",
        world.blair.pk,
        "Lunch break; employer agreed",
        world.frontdesk,
    )


# --- Series generation: a taken room, unconfirmed work hours ----------------------------------------------


def test_generation_skips_and_lists_a_day_its_room_is_taken(world, series, room):
    series.room = room
    series.save()
    session_at(world.program, TUESDAY, time(17), 90, world.therapist_b, title="Family night", room=room)
    done = series_generate_report(actor=world.director, series=series, date_from=MONDAY, date_to=TUESDAY)
    assert [s.starts_at for s in done.created] == [at(MONDAY, 18)]
    assert done.skipped == [
        (TUESDAY, "Group room 1 is already booked for Family night (Tue Nov 17 17:00-18:30).")
    ]
    assert not Session.objects.filter(series=series, starts_at=at(TUESDAY, 18)).exists()
    event = AuditEvent.objects.filter(object_type="group_series").latest("id")
    assert event.detail["skipped"] == [[TUESDAY.isoformat(), done.skipped[0][1]]]


def test_generation_over_a_members_unconfirmed_work_hours_needs_a_reason(world, series):
    SeriesMembership.objects.create(series=series, participant=world.blair, status="active", joined_on=MONDAY)
    ParticipantTimeBlock.objects.create(
        participant=world.blair, kind="work", weekday=0, start_time=time(16), end_time=time(19)
    )
    with pytest.raises(cc.BookingConflict) as exc:
        series_generate_report(actor=world.director, series=series, date_from=MONDAY, date_to=TUESDAY)
    assert kinds(exc) == ["work_hours"] and exc.value.needs_confirmation
    assert exc.value.conflicts[0].message == (
        "Blair Sample works Mondays 16:00-19:00; this is Mon Nov 16 18:00-21:00."
    )
    assert not Session.objects.filter(series=series).exists()  # nothing generated, not even Tuesday
    done = series_generate_report(
        actor=world.director, series=series, date_from=MONDAY, date_to=TUESDAY, confirm_reason="Leaves early"
    )
    monday, tuesday = done.created
    assert [c.kind for c in done.confirmed] == ["work_hours"]
    accepted = ConflictAcceptance.objects.get()
    assert (accepted.session_id, accepted.participant_id, accepted.reason) == (
        monday.pk,
        world.blair.pk,
        "Leaves early",
    )
    # Blair is on both rosters: a confirmed soft conflict does not leave anyone off.
    assert Attendance.objects.filter(participant=world.blair, session__in=[monday, tuesday]).count() == 2


# --- A closure on a move and on a roster join -------------------------------------------------------------


def test_a_session_cannot_move_onto_a_closed_day(world, group, training_day):
    with pytest.raises(cc.BookingConflict) as exc:
        session_reschedule(
            actor=world.frontdesk,
            session=group,
            starts_at=at(TUESDAY, 18),
            ends_at=at(TUESDAY, 21),
            reason="Swap",
            confirm_reason="Anyway",  # a closure is hard: no reason books it
        )
    assert kinds(exc) == ["closure"] and exc.value.conflicts[0].message == CLOSED
    assert exc.value.conflicts[0].with_session is None
    group.refresh_from_db()
    assert (group.starts_at, group.status) == (at(MONDAY, 18), "scheduled")
    assert Session.objects.count() == 1


def test_the_move_form_and_the_api_refuse_a_closed_day(world, group, training_day, client, login):
    login(world.frontdesk)
    response = client.post(
        f"/schedule/sessions/{group.pk}/move/",
        {"day": "2026-11-17", "start": "18:00", "end": "21:00", "reason": "Swap"},
    )
    assert response.status_code == 400
    assert f"Program closed: {CLOSED}" in response.content.decode()
    response = api_post(
        client,
        f"sessions/{group.pk}/move",
        {"starts_at": "2026-11-17T18:00:00-08:00", "ends_at": "2026-11-17T21:00:00-08:00", "reason": "Swap"},
    )
    assert response.status_code == 409
    assert response.json()["conflicts"] == [{"kind": "closure", "with": None, "message": CLOSED}]
    assert Session.objects.get().starts_at == at(MONDAY, 18)


def test_joining_a_group_with_a_session_on_a_day_closed_since_is_refused(world, series, client, login):
    series_generate_report(actor=world.director, series=series, date_from=MONDAY, date_to=TUESDAY)
    # Closed after the sessions were generated: Tuesday's is still on the calendar.
    ProgramClosure.objects.create(program=world.program, day=TUESDAY, name="Staff training day")
    with pytest.raises(cc.BookingConflict) as exc:
        series_join(actor=world.director, series=series, participant=world.blair, on=MONDAY)
    assert kinds(exc) == ["closure"] and exc.value.conflicts[0].message == CLOSED
    assert not SeriesMembership.objects.filter(participant=world.blair).exists()
    login(world.frontdesk)
    response = api_post(
        client, f"series/{series.pk}/roster", {"participant": str(world.blair.pk), "on": "2026-11-16"}
    )
    assert response.status_code == 409
    assert response.json()["conflicts"] == [{"kind": "closure", "with": None, "message": CLOSED}]
    response = client.post(
        f"/schedule/series/{series.pk}/join/", {"participant": world.blair.pk, "on": "2026-11-16"}
    )
    assert response.status_code == 400 and f"Program closed: {CLOSED}" in response.content.decode()
    assert not SeriesMembership.objects.filter(participant=world.blair).exists()
    assert not Attendance.objects.filter(participant=world.blair).exists()


# --- The one-off form: every kind it can meet -------------------------------------------------------------


def _room_booked(world, room):
    return {"modality": "in_person", "room": room.pk}


def _closed(world, room):
    ProgramClosure.objects.create(program=world.program, day=TUESDAY, name="Staff training day")
    return {"day": "2026-11-17", "start": "10:00"}


def _outside_hours(world, room):
    ClinicianHours.objects.create(
        staff=world.therapist_b, program=world.program, weekday=1, start_time=time(12), end_time=time(18)
    )
    return {"day": "2026-11-17", "start": "19:00"}


def _alex_in_group(world, room):
    return {"participants": [world.alex.pk], "start": "18:30"}


ONE_OFF_CASES = [
    pytest.param(
        _alex_in_group,
        "Participant double-booked: Alex Sample is already in Evening group (Mon Nov 16 18:00-21:00).",
        id="participant",
    ),
    pytest.param(
        _room_booked,
        "Room: Group room 1 is already booked for Evening group (Mon Nov 16 18:00-21:00).",
        id="room",
    ),
    pytest.param(_closed, f"Program closed: {CLOSED}", id="closure"),
    pytest.param(
        _outside_hours,
        "Outside working hours: Therapist_b Test works 12:00-18:00 on Tuesdays; "
        "this is Tue Nov 17 19:00-19:50.",
        id="staff_hours",
    ),
]


@pytest.mark.parametrize(("arrange", "error"), ONE_OFF_CASES)
def test_the_one_off_form_refuses_names_the_clash_and_books_nothing(
    world, group, room, client, login, arrange, error
):
    data = {
        "program": world.program.pk,
        "kind": "individual",
        "staff": world.therapist_b.pk,
        "participants": [world.blair.pk],
        "day": "2026-11-16",
        "start": "19:00",
        "minutes": "50",
        "modality": "telehealth",
        **arrange(world, room),
    }
    login(world.frontdesk)
    response = client.post("/schedule/sessions/new/", data)
    assert response.status_code == 400
    form = response.context["form"]
    assert error in form.non_field_errors()
    if error.startswith("Outside working hours"):  # soft: a reason would book it
        assert "give a reason to book it anyway" in form.errors["confirm_reason"][0]
    else:
        assert "Nothing was booked: choose another time, person or room." in form.non_field_errors()
    assert error.replace("'", "&#x27;") in response.content.decode()
    assert list(Session.objects.all()) == [group]
    assert not ConflictAcceptance.objects.exists()
