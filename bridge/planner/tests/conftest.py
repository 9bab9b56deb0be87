"""A schedulable Harbor: rules, rooms, clinician hours, participants' work hours.

Week 2026-W49 (Mon Nov 30 - Sun Dec 6 2026, America/Los_Angeles). Therapist A works Mon-Thu
12:00-20:00, therapist B Tue-Fri 10:00-18:00, the prescriber Tue and Thu 14:00-20:00. Alex and
Blair work weekdays 9:00-17:00.
"""

from __future__ import annotations

from datetime import date, time

import pytest

from bridge.planner.models import (
    AppointmentRule,
    ClinicianHours,
    ClinicianSchedule,
    Modality,
    ParticipantTimeBlock,
)
from bridge.scheduling.models import RequiredCredential, Room

WEEK = date(2026, 11, 30)


def hours(staff, program, weekdays, start, end):
    for d in weekdays:
        ClinicianHours.objects.create(staff=staff, program=program, weekday=d, start_time=start, end_time=end)


def work(participant, weekdays, start, end, kind=ParticipantTimeBlock.Kind.WORK):
    for d in weekdays:
        ParticipantTimeBlock.objects.create(
            participant=participant, kind=kind, weekday=d, start_time=start, end_time=end
        )


@pytest.fixture
def harbor(world):
    program = world.program
    Room.objects.create(program=program, name="Room 1", capacity=3)
    Room.objects.create(program=program, name="Family room", capacity=8)
    AppointmentRule.objects.create(
        program=program,
        name="Weekly individual therapy",
        kind="individual",
        minutes=50,
        every_weeks=1,
        clinician_from=AppointmentRule.ClinicianFrom.PRIMARY,
        required_credential=RequiredCredential.CLINICIAN,
        modality=Modality.EITHER,
    )
    AppointmentRule.objects.create(
        program=program,
        name="Medication visit",
        kind="medication",
        minutes=30,
        every_weeks=2,
        clinician_from=AppointmentRule.ClinicianFrom.PRESCRIBER,
        required_credential=RequiredCredential.PRESCRIBER,
        modality=Modality.EITHER,
    )
    hours(world.therapist_a, program, [0, 1, 2, 3], time(12), time(20))
    hours(world.therapist_b, program, [1, 2, 3, 4], time(10), time(18))
    hours(world.prescriber, program, [1, 3], time(14), time(20))
    for staff in (world.therapist_a, world.therapist_b, world.prescriber):
        ClinicianSchedule.objects.create(
            staff=staff, program=program, telehealth_url=f"https://video.example/{staff.username}"
        )
    work(world.alex, [0, 1, 2, 3, 4], time(9), time(17))
    work(world.blair, [0, 1, 2, 3, 4], time(9), time(17))
    return world
