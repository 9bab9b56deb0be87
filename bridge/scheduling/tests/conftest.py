"""Shared set-up for scheduling tests: an episode for alex and blair, a group series, sessions."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bridge.participants.models import EpisodeOfCare, LevelOfCareChange
from bridge.scheduling.conflicts import rules as conflict_rules
from bridge.scheduling.models import Attendance, GroupSeries, Room, Session, SessionKind, SessionType
from bridge.testing.personas import unadmit

# A Monday in a week without a DST change in America/Los_Angeles.
WEEK = date(2026, 11, 16)
# Before every session of the booking tests (so they are all in the future).
BOOKING_NOW = "2026-11-10 09:00 -08:00"


def admit(participant, admitted_on=date(2026, 9, 1), level="2.1"):
    unadmit(participant)  # replaces the world's admission of today
    episode = EpisodeOfCare.objects.create(
        participant=participant, program=participant.program, admitted_on=admitted_on, level_of_care=level
    )
    LevelOfCareChange.objects.create(episode=episode, level_of_care=level, effective_on=admitted_on)
    return episode


def session_at(program, day: date, start: time, minutes: int, staff, **extra) -> Session:
    starts = datetime.combine(day, start, tzinfo=program.tz)
    return Session.objects.create(
        program=program,
        kind=extra.pop("kind", SessionKind.GROUP),
        starts_at=starts,
        ends_at=starts + timedelta(minutes=minutes),
        staff=staff,
        **extra,
    )


def attend(session, participant, minutes: int | None, status: str = "present", **extra) -> Attendance:
    return Attendance.objects.create(
        session=session, participant=participant, status=status, minutes=minutes, **extra
    )


@pytest.fixture
def group_type(world):
    return SessionType.objects.create(
        program=world.program,
        name="Relapse prevention",
        category=SessionType.Category.GROUP_THERAPY,
        kind=SessionKind.GROUP,
        default_minutes=180,
    )


@pytest.fixture
def series(world, group_type):
    return GroupSeries.objects.create(
        program=world.program,
        track=world.program.tracks.get(),
        name="Evening group A",
        session_type=group_type,
        facilitator=world.therapist_a,
        starts_on=date(2026, 9, 1),
    )


# --- Booking tests (test_conflicts.py, test_conflict_matrix.py) -------------------------------------------


@pytest.fixture
def booking_clock(monkeypatch):
    """The clock before every booked session, and messages reading "18:00-21:00" (an en dash on screens)."""
    monkeypatch.setattr(conflict_rules, "DASH", "-")
    with time_machine.travel(BOOKING_NOW, tick=False):
        yield


@pytest.fixture
def room(world):
    return Room.objects.create(program=world.program, name="Group room 1", capacity=4)


@pytest.fixture
def group(world, room):
    """Therapist A leads the evening group on Monday 18:00-21:00 in Group room 1, Alex in it."""
    s = session_at(world.program, WEEK, time(18), 180, world.therapist_a, title="Evening group", room=room)
    Attendance.objects.create(session=s, participant=world.alex)
    return s


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo("America/Los_Angeles"))


def kinds(exc) -> list[str]:
    """The kinds of conflict a refused booking (pytest.raises) named."""
    return [c.kind for c in exc.value.conflicts]


def api_post(client, path, body):
    return client.post(f"/api/v1/schedule/{path}", data=json.dumps(body), content_type="application/json")
