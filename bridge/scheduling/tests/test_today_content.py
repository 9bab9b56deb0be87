"""The Today board lists real content, not only its headings: drug screens due today and later this
week, injections due (for nurses and directors only), the measures due for those expected today, and
today's sessions with a conflict; on a busy (compact) board the measures and conflicts parts too."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine

from bridge.clinical.models import Administration, MedicationOrder
from bridge.scheduling.conflicts import rules as conflict_rules
from bridge.scheduling.models import Attendance
from bridge.scheduling.tests.conftest import admit, session_at

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 17)  # a Tuesday
THURSDAY = DAY + timedelta(days=2)
NEXT_MONDAY = DAY + timedelta(days=6)
DRUG = "Naltrexone extended-release injection"


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    # Early on the Tuesday morning: every session of the day is still ahead. Set before the world
    # is built, so its admissions are of this day.
    monkeypatch.setattr(conflict_rules, "DASH", "-")
    with time_machine.travel("2026-11-17 07:00 -08:00", tick=False):
        yield


def between(page: str, start: str, end: str) -> str:
    assert start in page, start
    return page.split(start, 1)[1].split(end, 1)[0]


def screens(page: str) -> tuple[str, str]:
    part = between(page, 'id="due-h"', "<h2>Injections due</h2>")
    return between(part, "<h3>Today</h3>", "<h3>This week</h3>"), part.split("<h3>This week</h3>", 1)[1]


def visit(world, day, hour, participant, kind="drug_screen", minutes=15, staff=None):
    s = session_at(world.program, day, time(hour), minutes, staff or world.nurse, kind=kind)
    Attendance.objects.create(session=s, participant=participant)
    return s


@pytest.fixture
def screens_due(world):
    """Alex's drug screen today at 09:00; Blair's on Thursday; Blair's next Monday (next week)."""
    return (
        visit(world, DAY, 9, world.alex),
        visit(world, THURSDAY, 10, world.blair),
        visit(world, NEXT_MONDAY, 10, world.blair),
    )


def injectable(world, participant, start_on: date, **extra) -> MedicationOrder:
    return MedicationOrder.objects.create(
        participant=participant,
        drug="naltrexone_xr",
        dose=Decimal("380"),
        route="intramuscular",
        frequency="monthly",
        reason="Alcohol use disorder",
        prescriber=world.prescriber,
        start_on=start_on,
        **extra,
    )


@pytest.fixture
def injections_due(world):
    """Alex's monthly injection is due today (last given Oct 20); Blair's first is due Thursday."""
    order = injectable(world, world.alex, date(2026, 9, 22))
    Administration.objects.create(
        order=order,
        participant=world.alex,
        given_at=datetime(2026, 10, 20, 10, tzinfo=world.program.tz),
        dose=Decimal("380"),
        lot_number="LOT-1",
        site="gluteal_left",
        given_by=world.nurse,
        next_due_on=DAY,
    )
    injectable(world, world.blair, THURSDAY)
    # Stopped: never due again.
    injectable(
        world, world.casey, date(2026, 9, 1), stop_on=date(2026, 10, 1), stop_reason="Declined further doses"
    )


def test_drug_screens_due_today_and_later_this_week_are_listed_by_name(world, screens_due, login):
    page = login(world.frontdesk).get("/schedule/today/").content.decode()
    today, week = screens(page)
    assert "09:00 Alex Sample (Nurse Test)" in today and "Blair" not in today
    assert "Thu 10:00 Blair Sample" in week and "Alex" not in week
    assert "None due." not in today and "None due." not in week
    assert week.count("Blair Sample") == 1  # next Monday's is next week's
    # Checked in: no longer due.
    Attendance.objects.filter(participant=world.alex).update(status="present", minutes=15)
    today, _ = screens(login(world.frontdesk).get("/schedule/today/").content.decode())
    assert "Alex Sample" not in today and "None due." in today
    # A nurse sees only the people on their care teams (Alex, not Blair).
    Attendance.objects.filter(participant=world.alex).update(status="expected", minutes=None)
    today, week = screens(login(world.nurse).get("/schedule/today/").content.decode())
    assert "Alex Sample" in today and "Blair Sample" not in week and "None due." in week


def test_injections_due_are_listed_for_nurses_and_directors_only(world, injections_due, login):
    page = login(world.nurse).get("/schedule/today/").content.decode()
    part = between(page, "<h2>Injections due</h2>", "</section>")
    due_today = between(part, "<h3>Today (or overdue)</h3>", "<h3>This week</h3>")
    assert f"Alex Sample — {DRUG}" in due_today and "overdue" not in due_today
    assert "Blair Sample" not in part and "Casey" not in part  # Blair is not on the nurse's team
    page = login(world.director).get("/schedule/today/").content.decode()
    part = between(page, "<h2>Injections due</h2>", "</section>")
    due_today, week = (
        between(part, "<h3>Today (or overdue)</h3>", "<h3>This week</h3>"),
        part.split("<h3>This week</h3>", 1)[1],
    )
    assert f"Alex Sample — {DRUG}" in due_today and "Blair" not in due_today
    assert f"Thu Nov 19 Blair Sample — {DRUG}" in week and "Casey" not in part
    page = login(world.frontdesk).get("/schedule/today/").content.decode()
    part = between(page, "<h2>Injections due</h2>", "</section>")
    assert "Injections are listed for nurses and directors (medication information)." in part
    assert DRUG not in page and "Naltrexone" not in page


def test_an_injection_past_its_due_date_is_marked_overdue(world, injections_due, login):
    Administration.objects.filter(participant=world.alex).update(next_due_on=date(2026, 11, 12))
    page = login(world.nurse).get("/schedule/today/").content.decode()
    due_today = between(page, "<h3>Today (or overdue)</h3>", "<h3>This week</h3>")
    assert f"Alex Sample — {DRUG} " in due_today and "overdue since Thu Nov 12" in due_today


def test_the_measures_due_are_those_of_people_expected_today(world, screens_due, login):
    # Alex (expected today) was admitted in September and has never done a measure: all overdue.
    # Blair (admitted today, expected only on Thursday) is not listed.
    admit(world.alex, admitted_on=date(2026, 9, 1))
    page = login(world.frontdesk).get("/schedule/today/").content.decode()
    measures = between(page, 'id="measures-h"', 'id="conflicts-h"')
    assert "Alex Sample: PHQ-9 (overdue), GAD-7 (overdue), BAM (overdue)" in measures
    assert "Blair" not in measures and "None due." not in measures
    # Once Alex's only session of the day has ended, they are no longer expected today.
    with time_machine.travel("2026-11-17 09:20 -08:00", tick=False):
        login(world.frontdesk).logout()  # a fresh sign-in (two hours idle would sign the desk out)
        page = login(world.frontdesk).get("/schedule/today/").content.decode()
    assert "None due." in between(page, 'id="measures-h"', 'id="conflicts-h"')


@pytest.fixture
def clash(world):
    """Therapist A leads the evening group 18:00-21:00 and is booked for an individual session at
    19:00 the same evening; Therapist B is double-booked on Thursday (not today)."""
    group = session_at(world.program, DAY, time(18), 180, world.therapist_a, title="Evening group")
    Attendance.objects.create(session=group, participant=world.alex)
    visit(world, DAY, 19, world.blair, kind="individual", minutes=50, staff=world.therapist_a)
    visit(world, THURSDAY, 10, world.blair, kind="individual", minutes=50, staff=world.therapist_b)
    visit(world, THURSDAY, 10, world.alex, kind="individual", minutes=50, staff=world.therapist_b)
    return group


TODAYS_CLASH = "Therapist_a Test already leads Individual therapy (Tue Nov 17 19:00-19:50)."


def test_todays_sessions_with_a_conflict_are_listed(world, clash, login):
    page = login(world.frontdesk).get("/schedule/today/").content.decode()
    conflicts = between(page, 'id="conflicts-h"', "</section>")
    assert f'<a href="/schedule/sessions/{clash.pk}/">Evening group</a>: {TODAYS_CLASH}' in conflicts
    assert conflicts.count("<li>") == 1  # Thursday's double booking is not today's
    assert "None." not in conflicts
    # A nurse is told there is one, not what it is (the desk and directors resolve them).
    page = login(world.nurse).get("/schedule/today/").content.decode()
    conflicts = between(page, 'id="conflicts-h"', "</section>")
    assert "1 today; the front desk and directors resolve them." in conflicts
    assert "already leads" not in conflicts


def test_a_compact_board_loads_the_measures_and_conflicts_parts(
    world, screens_due, clash, login, monkeypatch
):
    from bridge.scheduling.views import today as today_views

    monkeypatch.setattr(today_views, "INLINE_ROWS", 0)
    admit(world.alex, admitted_on=date(2026, 9, 1))
    client = login(world.frontdesk)
    page = client.get("/schedule/today/").content.decode()
    assert "A busy day" in page
    assert "already leads" not in page and "PHQ-9" not in page  # loaded beside the board
    today, week = screens(page)  # drug screens are still listed on a compact board
    assert "09:00 Alex Sample" in today and "Thu 10:00 Blair Sample" in week
    part = f"/schedule/today/part/?program={world.program.pk}&part="
    measures = client.get(part + "measures").content.decode()
    # Alex and Blair are both expected today (the evening); Blair was admitted today: all due.
    assert "Alex Sample: PHQ-9 (overdue), GAD-7 (overdue), BAM (overdue)" in measures
    assert "Blair Sample: PHQ-9, GAD-7, BAM" in measures
    conflicts = client.get(part + "conflicts").content.decode()
    assert f"Evening group</a>: {TODAYS_CLASH}" in conflicts and conflicts.count("<li>") == 1
    # The nurse's measures part: only their care teams' people.
    measures = login(world.nurse).get(part + "measures").content.decode()
    assert "Alex Sample" in measures and "Blair" not in measures
