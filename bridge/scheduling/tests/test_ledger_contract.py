"""The contract other apps rely on: `hours_plans.planned_floors` providers and `hours_for`."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bridge.scheduling import ledger
from bridge.scheduling.ledger import FloorSource, PlannedFloor, hours_for
from bridge.scheduling.tests.conftest import WEEK, admit, attend, session_at


@pytest.fixture
def six_hours_for_alex(world):
    admit(world.alex)
    for offset in (0, 1):
        s = session_at(world.program, WEEK + timedelta(days=offset), time(18), 180, world.therapist_a)
        attend(s, world.alex, 180)


def test_planned_floor_from_a_provider_replaces_the_level_floor_and_shows_its_label(
    world, six_hours_for_alex, monkeypatch
):
    calls = []

    def fake_planned_floors(participant_ids, week_start):
        calls.append((list(participant_ids), week_start))
        return {world.alex.pk: PlannedFloor(minutes=6 * 60, label="Step-down taper week 2: 6 h")}

    monkeypatch.setattr(ledger, "plan_providers", lambda: (fake_planned_floors,))
    line = hours_for(world.alex, WEEK)
    assert calls == [([world.alex.pk], WEEK)]
    assert (line.attended_minutes, line.floor_minutes, line.label) == (
        360,
        360,
        "Step-down taper week 2: 6 h",
    )
    assert line.source == FloorSource.PLANNED and line.planned
    assert not line.below_floor


def test_without_a_plan_the_adult_floor_is_nine_hours_and_six_attended_is_three_short(
    world, six_hours_for_alex
):
    line = hours_for(world.alex, WEEK + timedelta(days=3))  # any day of the week means that week
    assert line.week_start == WEEK
    assert (line.attended_minutes, line.floor_minutes) == (360, 540)
    assert line.label == "Level 2.1 adult: 9 h"
    assert line.below_floor and line.shortfall_minutes == 180


def test_a_provider_that_returns_something_else_is_a_bug_not_a_silent_zero(
    world, six_hours_for_alex, monkeypatch
):
    monkeypatch.setattr(ledger, "plan_providers", lambda: (lambda ids, week: {world.alex.pk: 360},))
    with pytest.raises(TypeError):
        hours_for(world.alex, WEEK)


def test_planned_floor_is_frozen():
    planned = PlannedFloor(minutes=360, label="x")
    with pytest.raises(AttributeError):
        planned.minutes = 1  # type: ignore[misc]
