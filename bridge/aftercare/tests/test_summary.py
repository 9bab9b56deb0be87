"""The discharge summary: figures computed from the record, signing locks it (in the database too)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from bridge import instruments
from bridge.aftercare import services, stepping
from bridge.aftercare.models import Discharge, DischargeSummary, SummaryAddendum
from bridge.intake.models import InstrumentAdministration
from bridge.scheduling.models import Attendance, Session, SessionKind


def _session(world, day, minutes):
    start = timezone.make_aware(datetime.combine(day, time.min)) + timedelta(hours=18)
    return Session.objects.create(
        program=world.program,
        kind=SessionKind.GROUP,
        staff=world.therapist_a,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
    )


def _attend(session, participant, status=Attendance.Status.PRESENT, minutes=None):
    attended = status in Attendance.ATTENDED
    return Attendance.objects.create(
        session=session, participant=participant, status=status, minutes=minutes if attended else None
    )


def _measure(world, code, responses, on):
    result = instruments.score(code, responses)
    return InstrumentAdministration.objects.create(
        participant=world.alex,
        instrument=code,
        responses=responses,
        total=result.total,
        band=result.band,
        administered_by=world.intake,
        administered_at=timezone.make_aware(datetime.combine(on, time.min)) + timedelta(hours=12),
    )


@pytest.fixture
def discharged(admitted, monday):
    """Three full weeks (admitted Monday, discharged Sunday): 9 h a week required, 20 h attended."""
    start = monday - timedelta(days=21)
    for week in range(3):
        for day in (0, 1, 3):
            _attend(
                _session(admitted, start + timedelta(days=7 * week + day), 180), admitted.alex, minutes=180
            )
    # Partial attendance counts its minutes; absences count nothing.
    _attend(
        _session(admitted, start + timedelta(days=2), 60), admitted.alex, Attendance.Status.LEFT_EARLY, 40
    )
    _attend(_session(admitted, start + timedelta(days=9), 60), admitted.alex, Attendance.Status.NO_SHOW)
    _measure(admitted, "PHQ-9", [2, 2, 2, 2, 2, 2, 1, 1, 0], start - timedelta(days=1))
    _measure(admitted, "PHQ-9", [1, 1, 1, 1, 1, 0, 0, 0, 0], start + timedelta(days=10))
    _measure(admitted, "PHQ-9", [0, 1, 0, 1, 0, 0, 0, 0, 0], start + timedelta(days=19))
    _measure(admitted, "PHQ-9", [3, 3, 3, 3, 3, 3, 3, 3, 3], monday)  # after discharge: not counted
    _measure(admitted, "GAD-7", [2, 2, 2, 2, 1, 1, 1], start)
    discharge = services.discharge_record(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        type=Discharge.Type.COMPLETED,
        discharged_on=monday - timedelta(days=1),
        reason="Completed all phases",
        destination="Alumni group and weekly outpatient",
    )
    return discharge


def test_summary_figures_come_from_the_record(discharged):
    figures = discharged.summary.figures
    assert figures["length_days"] == 21
    # 9 sessions of 180 min + 40 min left early = 1660 min = 27.7 h; 3 weeks x 9 h = 27 h.
    assert figures["hours"] == {"attended": 27.7, "required": 27.0, "percent": 102}
    phq9 = next(m for m in figures["measures"] if m["instrument"] == "PHQ-9")
    assert phq9["count"] == 3
    assert phq9["first"]["score"] == "14" and phq9["last"]["score"] == "2"
    gad7 = next(m for m in figures["measures"] if m["instrument"] == "GAD-7")
    assert gad7["first"] == gad7["last"]
    assert figures["levels"][0]["level"] == "2.1"


def test_taper_weeks_lower_the_hours_required(admitted, monday):
    stepping.taper_start(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        starts_on=monday - timedelta(days=14),
        weekly_hours=[6, 3],
    )
    discharge = services.discharge_record(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        type=Discharge.Type.STEPPED_DOWN,
        discharged_on=monday - timedelta(days=1),
        reason="Taper done",
        destination="Outpatient",
    )
    assert discharge.summary.figures["hours"]["required"] == 18.0  # 9 + 6 + 3


def _complete(summary, world):
    return services.summary_update(
        actor=world.therapist_a,
        summary=summary,
        course="Attended groups; engaged.",
        condition="Stable, abstinent 30 days.",
        aftercare="Alumni group Thursdays; SMART Recovery Mondays.",
        recommendations="Continue outpatient.",
    )


def test_signing_needs_the_parts_and_then_locks(discharged, admitted):
    summary = discharged.summary
    with pytest.raises(ValidationError) as err:
        services.summary_sign(actor=admitted.therapist_a, summary=summary)
    assert "Write the course of treatment." in err.value.messages
    _complete(summary, admitted)
    services.summary_sign(actor=admitted.therapist_a, summary=summary)
    with pytest.raises(ValidationError):
        _complete(summary, admitted)
    # The database refuses a change that slips past the services.
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        DischargeSummary.objects.filter(pk=summary.pk).update(course="rewritten")
    addendum = services.summary_addendum_add(
        actor=admitted.therapist_a, summary=summary, reason="Late lab result", text="Final screen negative."
    )
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        SummaryAddendum.objects.filter(pk=addendum.pk).update(text="changed")


def test_goal_outcomes_must_be_marked_before_signing(discharged, admitted):
    summary = discharged.summary
    summary.goals = [{"statement": "Stay sober at weekends", "outcome": ""}]
    summary.save()
    _complete(summary, admitted)
    with pytest.raises(ValidationError) as err:
        services.summary_sign(actor=admitted.therapist_a, summary=summary)
    assert "plan goal" in " ".join(err.value.messages)
    services.summary_update(actor=admitted.therapist_a, summary=summary, goal_outcomes=["met"])
    services.summary_sign(actor=admitted.therapist_a, summary=summary)
    summary.refresh_from_db()
    assert summary.goals[0]["outcome"] == "met" and summary.signature


def test_medications_at_discharge_are_the_orders_active_that_day(admitted, monday):
    from decimal import Decimal

    from bridge.clinical.models import MedicationOrder

    common = {
        "participant": admitted.alex,
        "route": "oral",
        "frequency": "daily",
        "prescriber": admitted.prescriber,
    }
    MedicationOrder.objects.create(
        drug="naltrexone", dose=Decimal("50.00"), reason="AUD", start_on=monday - timedelta(days=20), **common
    )
    MedicationOrder.objects.create(
        drug="acamprosate",
        dose=Decimal("666"),
        reason="AUD",
        start_on=monday - timedelta(days=20),
        stop_on=monday - timedelta(days=10),
        stop_reason="Side effects",
        **common,
    )
    discharge = services.discharge_record(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        type=Discharge.Type.COMPLETED,
        discharged_on=monday - timedelta(days=1),
        reason="Done",
        destination="Outpatient",
    )
    [med] = discharge.summary.figures["medications"]
    assert med.startswith("Naltrexone (oral) 50 mg once a day")
