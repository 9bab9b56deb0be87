"""The directory's completion and 7-day follow-up signals from recorded discharges, check-ins and outreach."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from bridge.aftercare.models import CheckIn, Discharge, Outreach
from bridge.directory import measures as m
from bridge.directory import quality
from bridge.participants.models import EpisodeOfCare, Participant
from bridge.testing.personas import make_participant

TODAY = date(2026, 11, 25)


def _discharge(world, name, kind, *, days_ago=30, program=None):
    program = program or world.program
    participant = make_participant(program, name, status=Participant.Status.DISCHARGED)
    left = TODAY - timedelta(days=days_ago)
    episode = EpisodeOfCare.objects.create(
        participant=participant,
        program=program,
        admitted_on=left - timedelta(days=60),
        discharged_on=left,
        status=EpisodeOfCare.Status.FINISHED,
        level_of_care="2.1",
    )
    return Discharge.objects.create(
        episode=episode,
        participant=participant,
        type=kind,
        discharged_on=left,
        reason="Reason",
        destination="Home",
        recorded_by=world.therapist_a,
    )


def _at(day: date, world) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 30)), world.program.tz)


def _signals(program) -> dict[str, m.Figure]:
    return {f.key: f for f in quality.signals_for(program, today=TODAY)}


@pytest.mark.django_db
def test_completion_counts_completed_and_stepped_down_stays(world):
    for i in range(6):
        _discharge(world, f"Done{i}", Discharge.Type.COMPLETED)
        _discharge(world, f"Down{i}", Discharge.Type.STEPPED_DOWN)
    for i, kind in enumerate([Discharge.Type.LEFT_EARLY] * 9 + [Discharge.Type.TRANSFERRED_UP] * 2):
        _discharge(world, f"Not{i}", kind)
    _discharge(world, "Admin", Discharge.Type.ADMINISTRATIVE)
    _discharge(world, "Long ago", Discharge.Type.COMPLETED, days_ago=400)
    _discharge(world, "Elsewhere", Discharge.Type.COMPLETED, program=world.other_program)
    figure = _signals(world.program)["completion"]
    assert (figure.value, figure.detail) == ("50%", "12 of 24 people who left the program")


@pytest.mark.django_db
def test_followup_within_seven_days_by_checkin_or_reached_outreach(world):
    for i in range(6):  # a check-in completed on day 7, late in the evening (program time)
        d = _discharge(world, f"Checked{i}", Discharge.Type.COMPLETED)
        CheckIn.objects.create(
            discharge=d,
            participant=d.participant,
            day_offset=7,
            due_on=d.discharged_on + timedelta(days=7),
            status=CheckIn.Status.COMPLETED,
            method=CheckIn.Method.PHONE,
            completed_at=_at(d.discharged_on + timedelta(days=7), world),
        )
    for i in range(6):  # reached by outreach on day 3
        d = _discharge(world, f"Reached{i}", Discharge.Type.STEPPED_DOWN)
        Outreach.objects.create(
            participant=d.participant,
            outcome=Outreach.Outcome.REACHED_WELL,
            recorded_by=world.peer,
            recorded_at=_at(d.discharged_on + timedelta(days=3), world),
        )
    for i in range(6):  # a message left is not a contact; a check-in on day 8 is too late
        d = _discharge(world, f"Message{i}", Discharge.Type.COMPLETED)
        Outreach.objects.create(
            participant=d.participant,
            outcome=Outreach.Outcome.LEFT_MESSAGE,
            recorded_by=world.peer,
            recorded_at=_at(d.discharged_on + timedelta(days=2), world),
        )
        CheckIn.objects.create(
            discharge=d,
            participant=d.participant,
            day_offset=7,
            due_on=d.discharged_on + timedelta(days=7),
            status=CheckIn.Status.COMPLETED,
            method=CheckIn.Method.PHONE,
            completed_at=_at(d.discharged_on + timedelta(days=8), world),
        )
    for i in range(6):
        _discharge(world, f"None{i}", Discharge.Type.LEFT_EARLY)
    _discharge(world, "Too recent", Discharge.Type.COMPLETED, days_ago=3)
    figure = _signals(world.program)["followup_7d"]
    assert (figure.value, figure.detail) == ("50%", "12 of 24 people discharged")
    assert figure.period_end == TODAY - timedelta(days=7)
