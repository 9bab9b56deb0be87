"""Recurrence across DST, rolling admission that never touches the past, the waitlist, cancel and move."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from bridge.audit.models import AuditEvent
from bridge.clinical.models import Note
from bridge.scheduling.conflicts import BookingConflict
from bridge.scheduling.models import Attendance, SeriesMembership, Session
from bridge.scheduling.recurrence import occurrences
from bridge.scheduling.services.attendance import Mark, attendance_record
from bridge.scheduling.services.roster import series_generate, series_join, series_leave
from bridge.scheduling.services.sessions import session_cancel, session_create, session_reschedule
from bridge.testing.personas import make_participant

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
M = SeriesMembership.Status


def test_spring_forward_keeps_the_group_at_six_pm_local():
    # 2026-03-08 is the spring-forward Sunday in Los Angeles: PST (UTC-8) before, PDT (UTC-7) after.
    spans = occurrences(date(2026, 3, 5), date(2026, 3, 10), [3, 0, 1], time(18), time(21), LA)
    starts = [s.astimezone(LA) for s, _ in spans]
    assert [s.strftime("%a %H:%M") for s in starts] == ["Thu 18:00", "Mon 18:00", "Tue 18:00"]
    assert [s.astimezone(UTC).hour for s, _ in spans] == [2, 1, 1]
    assert all((e - s) == timedelta(hours=3) for s, e in spans)


def test_fall_back_keeps_the_group_at_six_pm_local():
    # 2026-11-01 is the fall-back Sunday: PDT before, PST after.
    spans = occurrences(date(2026, 10, 29), date(2026, 11, 3), [3, 0, 1], time(18), time(21), LA)
    assert [s.astimezone(LA).hour for s, _ in spans] == [18, 18, 18]
    assert [s.astimezone(UTC).hour for s, _ in spans] == [1, 2, 2]


def test_a_session_across_the_fall_back_hour_lasts_its_real_length():
    # A weekend track 00:30-03:30 on fall-back Sunday really lasts four hours (01:00-02:00 happens twice).
    [(s, e)] = occurrences(date(2026, 11, 1), date(2026, 11, 1), [6], time(0, 30), time(3, 30), LA)
    assert e - s == timedelta(hours=4)


def test_a_wall_time_that_does_not_exist_moves_forward_not_away():
    [(s, e)] = occurrences(date(2026, 3, 8), date(2026, 3, 8), [6], time(2, 30), time(4), LA)
    assert s.astimezone(LA).strftime("%H:%M") == "03:30" and e.astimezone(LA).strftime("%H:%M") == "04:00"


@pytest.fixture
def fall(world, series):
    """The series' sessions around the fall-back change (Thu Oct 29 to Tue Nov 10, 2026)."""
    return series_generate(
        actor=world.director, series=series, date_from=date(2026, 10, 29), date_to=date(2026, 11, 10)
    )


def test_generating_a_series_across_fall_back_and_again_adds_nothing(world, series, fall):
    assert [timezone_hour(s) for s in fall] == [18] * len(fall)
    assert len(fall) == 6  # Thu 29, Mon 2, Tue 3, Thu 5, Mon 9, Tue 10
    again = series_generate(
        actor=world.director, series=series, date_from=date(2026, 10, 29), date_to=date(2026, 11, 10)
    )
    assert again == [] and Session.objects.filter(series=series).count() == 6


def test_generating_across_spring_forward(world, series):
    series.starts_on = date(2026, 1, 5)
    series.save()
    created = series_generate(
        actor=world.director, series=series, date_from=date(2026, 3, 2), date_to=date(2026, 3, 13)
    )
    assert {timezone_hour(s) for s in created} == {18}
    assert {s.starts_at.astimezone(UTC).hour for s in created} == {2, 1}


def timezone_hour(session) -> int:
    return session.starts_at.astimezone(LA).hour


def _roster_days(participant) -> list[date]:
    return sorted(
        a.session.starts_at.astimezone(LA).date()
        for a in Attendance.objects.filter(participant=participant).select_related("session")
    )


def test_joining_mid_series_adds_future_sessions_only(world, series, fall):
    with time_machine.travel(datetime(2026, 11, 4, 12, tzinfo=LA), tick=False):
        membership = series_join(actor=world.frontdesk, series=series, participant=world.alex)
    assert membership.status == M.ACTIVE and membership.joined_on == date(2026, 11, 4)
    assert _roster_days(world.alex) == [date(2026, 11, 5), date(2026, 11, 9), date(2026, 11, 10)]
    assert AuditEvent.objects.filter(action="roster_join", participant=world.alex).count() == 1


def test_backdating_a_join_still_adds_only_sessions_not_yet_started(world, series, fall):
    with time_machine.travel(datetime(2026, 11, 3, 19, tzinfo=LA), tick=False):  # during Tuesday's group
        series_join(actor=world.frontdesk, series=series, participant=world.alex, on=date(2026, 10, 1))
    assert _roster_days(world.alex) == [date(2026, 11, 5), date(2026, 11, 9), date(2026, 11, 10)]


def test_leaving_removes_future_sessions_and_never_touches_past_attendance_or_notes(world, series, fall):
    with time_machine.travel(datetime(2026, 10, 28, 12, tzinfo=LA), tick=False):
        membership = series_join(actor=world.frontdesk, series=series, participant=world.alex)
    assert len(_roster_days(world.alex)) == 6
    first = fall[0]
    with time_machine.travel(datetime(2026, 10, 29, 21, 30, tzinfo=LA), tick=False):
        attendance_record(actor=world.therapist_a, session=first, marks=[Mark(world.alex.pk, "present")])
        note = Note.objects.create(
            program=world.program,
            kind=Note.Kind.GROUP,
            template=Note.Template.GROUP,
            session=first,
            author=world.therapist_a,
            shared_text="Shared part",
        )
    past_row = Attendance.objects.get(session=first, participant=world.alex)
    with time_machine.travel(datetime(2026, 11, 3, 12, tzinfo=LA), tick=False):
        series_leave(actor=world.frontdesk, membership=membership, status=M.ON_HOLD, reason="Work trip")
    # Thu 29 and Mon 2 stay (past); Tue 3 onwards is gone.
    assert _roster_days(world.alex) == [date(2026, 10, 29), date(2026, 11, 2)]
    past_row_after = Attendance.objects.get(pk=past_row.pk)
    assert (past_row_after.status, past_row_after.minutes, past_row_after.recorded_at) == (
        "present",
        180,
        past_row.recorded_at,
    )
    assert Note.objects.filter(pk=note.pk, session=first).exists()
    membership.refresh_from_db()
    assert (membership.status, membership.left_on) == (M.ON_HOLD, date(2026, 11, 3))


def test_rejoining_after_a_hold_starts_a_new_span_and_keeps_the_old_one(world, series, fall):
    with time_machine.travel(datetime(2026, 10, 28, 12, tzinfo=LA), tick=False):
        first = series_join(actor=world.frontdesk, series=series, participant=world.alex)
    with time_machine.travel(datetime(2026, 10, 30, 12, tzinfo=LA), tick=False):
        series_leave(actor=world.frontdesk, membership=first, status=M.ON_HOLD)
    with time_machine.travel(datetime(2026, 11, 6, 12, tzinfo=LA), tick=False):
        second = series_join(actor=world.frontdesk, series=series, participant=world.alex)
    assert _roster_days(world.alex) == [date(2026, 10, 29), date(2026, 11, 9), date(2026, 11, 10)]
    spans = list(SeriesMembership.objects.filter(participant=world.alex).order_by("requested_at"))
    assert [(m.status, m.joined_on, m.left_on) for m in spans] == [
        (M.LEFT, date(2026, 10, 28), date(2026, 10, 30)),
        (M.ACTIVE, date(2026, 11, 6), None),
    ]
    assert second.pk == spans[1].pk


def test_joining_twice_is_refused(world, series):
    series_join(actor=world.frontdesk, series=series, participant=world.alex)
    with pytest.raises(ValidationError):
        series_join(actor=world.frontdesk, series=series, participant=world.alex)


def test_a_full_group_waitlists_and_fills_places_in_the_order_people_asked(world, series, fall):
    series.size_cap = 2
    series.save()
    people = [world.alex, world.blair] + [
        make_participant(world.program, n) for n in ("Dana", "Emery", "Frank")
    ]
    with time_machine.travel(datetime(2026, 10, 27, 12, tzinfo=LA)) as traveller:
        members = []
        for p in people:
            members.append(series_join(actor=world.frontdesk, series=series, participant=p))
            traveller.shift(timedelta(minutes=5))
        assert [m.status for m in members] == [M.ACTIVE, M.ACTIVE, M.WAITLISTED, M.WAITLISTED, M.WAITLISTED]
        assert _roster_days(people[2]) == []
        # Emery gives up their place in the queue; then Blair leaves the group: Dana gets the place.
        series_leave(actor=world.frontdesk, membership=members[3], status=M.LEFT)
        series_leave(
            actor=world.frontdesk, membership=members[1], status=M.TRANSFERRED, reason="Daytime track"
        )
    statuses = {m.participant_id: m.status for m in SeriesMembership.objects.filter(series=series)}
    assert statuses[people[2].pk] == M.ACTIVE and statuses[people[4].pk] == M.WAITLISTED
    assert statuses[people[3].pk] == M.LEFT and statuses[world.blair.pk] == M.TRANSFERRED
    assert len(_roster_days(people[2])) == 6


def test_a_participant_of_another_program_cannot_join(world, series):
    with pytest.raises(ValidationError):
        series_join(actor=world.director, series=series, participant=world.elsewhere_participant)


def test_cancelling_lists_the_people_affected_and_keeps_the_roster(world, series, fall):
    with time_machine.travel(datetime(2026, 10, 28, 12, tzinfo=LA), tick=False):
        series_join(actor=world.frontdesk, series=series, participant=world.alex)
        series_join(actor=world.frontdesk, series=series, participant=world.blair)
        change = session_cancel(actor=world.director, session=fall[2], reason="Facilitator ill")
    assert {p.pk for p in change.affected} == {world.alex.pk, world.blair.pk}
    fall[2].refresh_from_db()
    assert (fall[2].status, fall[2].cancel_reason) == ("cancelled", "Facilitator ill")
    assert Attendance.objects.filter(session=fall[2]).count() == 2
    with pytest.raises(ValidationError):
        session_cancel(actor=world.director, session=fall[2], reason="again")
    with pytest.raises(ValidationError):
        session_cancel(actor=world.director, session=fall[3], reason="  ")


def test_rescheduling_moves_the_roster_to_a_new_session_and_cancels_the_old(world, series, fall):
    with time_machine.travel(datetime(2026, 10, 28, 12, tzinfo=LA), tick=False):
        series_join(actor=world.frontdesk, series=series, participant=world.alex)
        new_start = datetime(2026, 11, 4, 18, tzinfo=LA)
        change = session_reschedule(
            actor=world.director,
            session=fall[2],
            starts_at=new_start,
            ends_at=new_start + timedelta(hours=3),
            reason="Room flooded",
        )
    assert [p.pk for p in change.affected] == [world.alex.pk]
    assert change.session.rescheduled_from_id == fall[2].pk and change.session.series_id == series.pk
    assert Attendance.objects.filter(session=change.session, participant=world.alex).exists()
    fall[2].refresh_from_db()
    assert fall[2].status == "cancelled" and fall[2].cancel_reason == "Rescheduled: Room flooded"
    # Onto the group's own next session: the facilitator and Alex would be there twice.
    with time_machine.travel(datetime(2026, 10, 28, 12, tzinfo=LA), tick=False):
        with pytest.raises(BookingConflict) as exc:
            session_reschedule(
                actor=world.director,
                session=fall[3],
                starts_at=fall[4].starts_at,
                ends_at=fall[4].ends_at,
                reason="x",
            )
        assert {c.kind for c in exc.value.conflicts} == {"staff", "participant"}
        # Into a day that has passed (a typed year): refused by name; on its own day it may move.
        last_year = fall[3].starts_at.replace(year=2025)
        with pytest.raises(ValidationError) as refused:
            session_reschedule(
                actor=world.director,
                session=fall[3],
                starts_at=last_year,
                ends_at=last_year + timedelta(hours=3),
                reason="x",
            )
        assert "2025 has passed" in refused.value.message_dict["starts_at"][0]
        # Earlier today, for a session of another day: that time has passed too.
        this_morning = datetime(2026, 10, 28, 8, tzinfo=LA)
        with pytest.raises(ValidationError) as refused:
            session_reschedule(
                actor=world.director,
                session=fall[3],
                starts_at=this_morning,
                ends_at=this_morning + timedelta(hours=3),
                reason="x",
            )
        assert "08:00 today has passed" in refused.value.message_dict["starts_at"][0]
    with time_machine.travel(fall[3].starts_at + timedelta(hours=4), tick=False):
        earlier = fall[3].starts_at - timedelta(hours=1)
        change = session_reschedule(
            actor=world.director,
            session=fall[3],
            starts_at=earlier,
            ends_at=earlier + timedelta(hours=3),
            reason="It started an hour early",
        )
        assert change.session.starts_at == earlier


def test_a_session_with_attendance_taken_is_neither_cancelled_nor_moved(world, series, fall):
    with time_machine.travel(datetime(2026, 10, 28, 12, tzinfo=LA), tick=False):
        series_join(actor=world.frontdesk, series=series, participant=world.alex)
    attendance_record(actor=world.director, session=fall[0], marks=[Mark(world.alex.pk, "present")])
    with pytest.raises(ValidationError):
        session_cancel(actor=world.director, session=fall[0], reason="late")


def test_a_one_off_individual_session(world):
    start = datetime(2026, 11, 18, 10, tzinfo=LA)
    session = session_create(
        actor=world.frontdesk,
        program=world.program,
        kind="individual",
        staff=world.therapist_a,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
        participants=[world.alex],
    )
    assert list(Attendance.objects.filter(session=session).values_list("participant", flat=True)) == [
        world.alex.pk
    ]
    with pytest.raises(ValidationError):
        session_create(
            actor=world.frontdesk,
            program=world.program,
            kind="individual",
            staff=world.therapist_a,
            starts_at=start,
            ends_at=start,
            participants=[world.alex],
        )
