"""Fixtures for the clinical record: admitted participants, sessions with attendance, a signed plan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bridge.clinical.services import plans
from bridge.participants.models import LevelOfCare
from bridge.participants.services import episode_open
from bridge.scheduling.models import Attendance, GroupSeries, Session, SessionKind, SessionType
from bridge.testing.personas import unadmit


@pytest.fixture
def admitted(world):
    """Alex and Blair admitted to IOP (2.1) three weeks ago."""
    day = timezone.localdate() - timedelta(days=21)
    for p in (world.alex, world.blair):
        unadmit(p)  # replaces the world's admission of today
        episode_open(
            actor=world.intake, participant=p, level_of_care=LevelOfCare.INTENSIVE_OUTPATIENT, admitted_on=day
        )
    return world


def make_session(
    world, *, kind=SessionKind.INDIVIDUAL, staff=None, days_ago=1, minutes=50, series=None, session_type=None
):
    start = timezone.now().replace(microsecond=0) - timedelta(days=days_ago)
    return Session.objects.create(
        program=world.program,
        kind=kind,
        staff=staff or world.therapist_a,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        series=series,
        session_type=session_type,
    )


def attend(session, participant, status=Attendance.Status.PRESENT, minutes=None):
    attended = status in Attendance.ATTENDED
    return Attendance.objects.create(
        session=session,
        participant=participant,
        status=status,
        minutes=(minutes or session.scheduled_minutes) if attended else None,
    )


@pytest.fixture
def individual_session(admitted):
    session = make_session(admitted)
    attend(session, admitted.alex)
    return session


@pytest.fixture
def group_type(world):
    return SessionType.objects.create(
        program=world.program,
        name="Relapse prevention",
        category="group_therapy",
        kind="group",
        default_minutes=90,
    )


@pytest.fixture
def group_session(admitted, group_type):
    """A 90-minute relapse-prevention group led by therapist B; Alex and Blair attended."""
    w = admitted
    series = GroupSeries.objects.create(
        program=w.program,
        track=w.program.tracks.first(),
        name="Evening process group",
        session_type=group_type,
        facilitator=w.therapist_b,
        starts_on=timezone.localdate() - timedelta(days=60),
    )
    session = make_session(
        w, kind=SessionKind.GROUP, staff=w.therapist_b, minutes=90, series=series, session_type=group_type
    )
    attend(session, w.alex)
    attend(session, w.blair, Attendance.Status.LATE, minutes=70)
    return session


def signed_plan(world, participant, clinician):
    plan = plans.plan_start(actor=clinician, participant=participant)
    version = plan.versions.get()
    problem = plans.plan_problem_add(actor=clinician, version=version, code="F11.20")
    goal = plans.plan_goal_add(
        actor=clinician,
        version=version,
        problem=problem,
        statement="I want to stay off pills and keep my job.",
    )
    plans.plan_objective_add(
        actor=clinician,
        version=version,
        goal=goal,
        text="Attend 3 groups a week with 90% attendance",
        target_on=timezone.localdate() + timedelta(days=60),
    )
    plans.plan_intervention_add(
        actor=clinician, version=version, goal=goal, modality="cbt", responsible=clinician, frequency="Weekly"
    )
    plans.plan_version_sign(
        actor=clinician,
        version=version,
        clinician_signature="Therapist Test",
        participant_signature=participant.first_name,
    )
    plan.refresh_from_db()
    return plan


@pytest.fixture
def alex_plan(admitted):
    return signed_plan(admitted, admitted.alex, admitted.therapist_a)
