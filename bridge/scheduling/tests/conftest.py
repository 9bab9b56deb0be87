"""Shared set-up for scheduling tests: an episode for alex and blair, a group series, sessions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from bridge.participants.models import EpisodeOfCare, LevelOfCareChange
from bridge.scheduling.models import Attendance, GroupSeries, Session, SessionKind, SessionType
from bridge.testing.personas import unadmit

# A Monday in a week without a DST change in America/Los_Angeles.
WEEK = date(2026, 11, 16)


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
