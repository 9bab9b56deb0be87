"""Program closures: public holidays pre-filled and editable, generation skipping closed days across
daylight-saving changes, sessions on a newly closed day listed, and the ledger's planned shortfall."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.scheduling.closures import closed_days, closure_calendar
from bridge.scheduling.ledger import hours_for
from bridge.scheduling.models import Attendance, ProgramClosure, SeriesMembership
from bridge.scheduling.services.calendar import closure_set
from bridge.scheduling.services.roster import series_generate_report
from bridge.scheduling.tests.conftest import admit

pytestmark = pytest.mark.django_db


def local(session):
    return timezone.localtime(session.starts_at, session.program.tz)


def test_the_programs_state_holidays_are_closed_and_a_kept_open_holiday_is_not(world):
    days = closed_days(world.program, date(2026, 1, 1), date(2026, 12, 31))
    assert days[date(2026, 12, 25)] == "Christmas Day" and days[date(2026, 11, 26)] == "Thanksgiving Day"
    assert days[date(2026, 11, 27)] == "Day After Thanksgiving"  # California's own (Harbor is in CA)
    assert date(2026, 11, 27) not in closed_days(world.other_program, date(2026, 11, 1), date(2026, 11, 30))
    closure_set(actor=world.director, program=world.program, day=date(2026, 11, 11), name="", closed=False)
    assert date(2026, 11, 11) not in closed_days(world.program, date(2026, 11, 1), date(2026, 11, 30))
    row = next(d for d in closure_calendar(world.program, 2026) if d.day == date(2026, 11, 11))
    assert (row.name, row.closed, row.source) == ("Veterans Day", False, "holiday")


def test_generation_skips_a_closure_the_day_after_spring_forward(world, series):
    series.starts_on = date(2026, 1, 1)
    series.save()
    # 2026-03-08: clocks go forward in Los Angeles. Monday Mar 9 is a staff training day.
    closure_set(
        actor=world.director,
        program=world.program,
        day=date(2026, 3, 9),
        name="Staff training day",
        closed=True,
    )
    with time_machine.travel("2026-03-01 09:00 -08:00", tick=False):
        done = series_generate_report(
            actor=world.director, series=series, date_from=date(2026, 3, 5), date_to=date(2026, 3, 12)
        )
    assert [local(s).strftime("%a %d %H:%M") for s in done.created] == [
        "Thu 05 18:00",
        "Tue 10 18:00",
        "Thu 12 18:00",
    ]
    assert [s.starts_at.utcoffset() for s in done.created] == [timedelta(0)] * 3
    assert [local(s).utcoffset() for s in done.created] == [
        timedelta(hours=-8),
        timedelta(hours=-7),
        timedelta(hours=-7),
    ]
    assert done.skipped == [(date(2026, 3, 9), "The program is closed on Mon Mar 9 (Staff training day).")]


def test_a_closure_the_day_after_fall_back_is_read_in_local_time(world, series):
    # 18:00 on Monday Nov 2 (PST) is 02:00 UTC on Tuesday: the closure is Monday's, not Tuesday's.
    closure_set(
        actor=world.director,
        program=world.program,
        day=date(2026, 11, 2),
        name="Staff training day",
        closed=True,
    )
    with time_machine.travel("2026-10-20 09:00 -07:00", tick=False):
        done = series_generate_report(
            actor=world.director, series=series, date_from=date(2026, 10, 29), date_to=date(2026, 11, 3)
        )
    assert [local(s).strftime("%a %b %d %H:%M") for s in done.created] == [
        "Thu Oct 29 18:00",
        "Tue Nov 03 18:00",
    ]
    assert [d for d, _ in done.skipped] == [date(2026, 11, 2)]


def test_closing_a_day_lists_the_sessions_still_on_it_with_the_participants(world, series):
    SeriesMembership.objects.create(
        series=series, participant=world.alex, status="active", joined_on=date(2026, 9, 1)
    )
    with time_machine.travel("2026-11-10 09:00 -08:00", tick=False):
        series_generate_report(
            actor=world.director, series=series, date_from=date(2026, 11, 16), date_to=date(2026, 11, 17)
        )
        row, affected = closure_set(
            actor=world.director,
            program=world.program,
            day=date(2026, 11, 17),
            name="Power outage",
            closed=True,
        )
    assert [(local(a.session).date(), [p.display_name for p in a.participants]) for a in affected] == [
        (date(2026, 11, 17), ["Alex Sample"])
    ]
    event = AuditEvent.objects.get(object_type="program_closure", object_id=str(row.pk))
    assert event.detail["sessions_on_day"] == [str(affected[0].session.pk)]


def test_the_closures_page_is_read_by_the_desk_and_changed_by_the_director(world, series, login):
    SeriesMembership.objects.create(
        series=series, participant=world.alex, status="active", joined_on=date(2026, 9, 1)
    )
    with time_machine.travel("2026-11-10 09:00 -08:00", tick=False):
        series_generate_report(
            actor=world.director, series=series, date_from=date(2026, 11, 16), date_to=date(2026, 11, 17)
        )
        director = login(world.director)
        response = director.post(
            f"/schedule/closures/?program={world.program.pk}",
            {"day": "2026-11-16", "name": "Flood", "closed": "1"},
            follow=True,
        )
        page = response.content.decode()
        assert "the program is closed" in page and "Participants affected (1): Alex Sample" in page
        page = login(world.frontdesk).get("/schedule/closures/").content.decode()
        assert "Sessions still scheduled on closed days" in page and "Alex Sample" in page
        assert "Stay open" not in page
        assert (
            login(world.frontdesk)
            .post("/schedule/closures/", {"day": "2026-11-18", "name": "x", "closed": "1"})
            .status_code
            == 404
        )
        assert login(world.therapist_a).get("/schedule/closures/").status_code == 404
        assert login(world.outsider).get(f"/schedule/closures/?program={world.program.pk}").status_code == 404
        bad = director.post("/schedule/closures/", {"day": "not a date", "closed": "1"})
        assert bad.status_code == 400
    assert ProgramClosure.objects.count() == 1


def test_the_ledger_reads_a_closure_as_a_planned_shortfall(world, series):
    # Thanksgiving week: the Thursday group is not held; the floor drops by its three hours.
    admit(world.alex)
    SeriesMembership.objects.create(
        series=series, participant=world.alex, status="active", joined_on=date(2026, 9, 1)
    )
    with time_machine.travel("2026-11-01 09:00 -08:00", tick=False):
        done = series_generate_report(
            actor=world.director, series=series, date_from=date(2026, 11, 23), date_to=date(2026, 11, 29)
        )
    for s in done.created:
        Attendance.objects.filter(session=s, participant=world.alex).update(status="present", minutes=180)
    with time_machine.travel("2026-12-01 09:00 -08:00", tick=False):
        line = hours_for(world.alex, date(2026, 11, 23))
    assert (line.qualifying_minutes, line.floor_minutes, line.source) == (360, 360, "closure")
    assert not line.below_floor and line.planned
    assert line.label == (
        "Level 2.1 adult: 9 h, less 3 h closed Thu Nov 26 (Thanksgiving Day), "
        "Fri Nov 27 (Day After Thanksgiving): 6 h planned"
    )
    # Someone not in a group that day keeps the whole floor.
    admit(world.blair)
    attend_week = hours_for(world.blair, date(2026, 11, 23))
    assert attend_week.floor_minutes == 540
