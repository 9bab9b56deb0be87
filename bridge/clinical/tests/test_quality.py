"""The directory's MOUD signal from plan diagnoses and medication orders: who counts, who continues."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from bridge.clinical.models import MedicationOrder, OtpEnrollment, PlanVersion, Problem, TreatmentPlan
from bridge.directory import measures as m
from bridge.directory import quality
from bridge.participants.models import EpisodeOfCare
from bridge.testing.personas import make_participant

TODAY = date(2026, 11, 25)
DAY_180 = timedelta(days=180)


def _oud(world, name, *, code="F11.20", program=None):
    program = program or world.program
    participant = make_participant(program, name)
    episode = EpisodeOfCare.objects.create(
        participant=participant, program=program, admitted_on=TODAY - timedelta(days=400), level_of_care="2.1"
    )
    plan = TreatmentPlan.objects.create(
        participant=participant, episode=episode, created_by=world.therapist_a
    )
    version = PlanVersion.objects.create(plan=plan, number=1, created_by=world.therapist_a)
    Problem.objects.create(version=version, code=code, description="Opioid use disorder")
    return participant


def _order(world, participant, drug, start, stop=None):
    return MedicationOrder.objects.create(
        participant=participant,
        drug=drug,
        dose=8,
        route="sublingual" if drug == "buprenorphine" else "oral",
        frequency="daily",
        reason="Opioid use disorder",
        prescriber=world.prescriber,
        pdmp_checked_at=(
            timezone.make_aware(datetime.combine(start, time(9))) if drug == "buprenorphine" else None
        ),
        pdmp_checked_by=world.prescriber if drug == "buprenorphine" else None,
        start_on=start,
        stop_on=stop,
        stop_reason="Stopped" if stop else "",
    )


def _moud(program) -> m.Figure:
    return {f.key: f for f in quality.signals_for(program, today=TODAY)}["moud_180"]


@pytest.mark.django_db
def test_people_on_medication_at_day_180_count_as_continuing(world):
    start = TODAY - DAY_180 - timedelta(days=30)
    for i in range(12):  # on buprenorphine still
        _order(world, _oud(world, f"Kept{i}"), "buprenorphine", start)
    for i in range(11):  # stopped at day 90
        _order(world, _oud(world, f"Stopped{i}"), "buprenorphine", start, start + timedelta(days=90))
    figure = _moud(world.program)
    assert figure.status == m.Status.SHOWN
    assert figure.detail.startswith("12 of 23 ")
    assert figure.period_end == TODAY - DAY_180


@pytest.mark.django_db
def test_switching_medication_continues_and_otp_methadone_counts(world):
    start = TODAY - DAY_180 - timedelta(days=60)
    for i in range(11):  # buprenorphine for 30 days, then methadone at an OTP
        p = _oud(world, f"Switch{i}")
        _order(world, p, "buprenorphine", start, start + timedelta(days=30))
        OtpEnrollment.objects.create(
            participant=p,
            otp_name="Eastbay OTP",
            contact_name="Dee",
            contact_phone="510",
            started_on=start + timedelta(days=31),
            recorded_by=world.nurse,
        )
    for i in range(11):
        _order(world, _oud(world, f"Left{i}"), "naltrexone", start, start + timedelta(days=179))
    assert _moud(world.program).detail.startswith("11 of 22 ")


@pytest.mark.django_db
def test_who_is_left_out(world):
    start = TODAY - DAY_180 - timedelta(days=10)
    for i in range(11):
        _order(world, _oud(world, f"In{i}"), "buprenorphine", start)
    # Not opioid use disorder: naltrexone for an alcohol use disorder is not counted.
    _order(world, _oud(world, "Alcohol", code="F10.20"), "naltrexone", start)
    # Started too recently to have reached day 180; started more than a year before the window.
    _order(world, _oud(world, "Recent"), "buprenorphine", TODAY - timedelta(days=20))
    _order(world, _oud(world, "Long ago"), "buprenorphine", TODAY - DAY_180 - timedelta(days=400))
    # Not a medication for opioid use disorder.
    _order(world, _oud(world, "Acamprosate"), "acamprosate", start)
    # Another program's participant.
    _order(world, _oud(world, "Elsewhere", program=world.other_program), "buprenorphine", start)
    figure = _moud(world.program)
    assert figure.sample == 11 and figure.detail.startswith("11 of 11 ")


@pytest.mark.django_db
def test_small_groups_are_suppressed(world):
    start = TODAY - DAY_180 - timedelta(days=10)
    for i in range(5):
        _order(world, _oud(world, f"P{i}"), "buprenorphine", start)
    assert _moud(world.program).status == m.Status.SUPPRESSED
