"""FHIR fixtures: a treating provider with a TPO consent for alex, tokens per persona, clinical rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from bridge.clinical.models import (
    DrugScreen,
    Goal,
    Intervention,
    MedicationOrder,
    Note,
    Objective,
    PlanVersion,
    Problem,
    TreatmentPlan,
)
from bridge.clinical.models.meds import Administration
from bridge.clinical.models.screens import DrugScreenResult
from bridge.fhir import services
from bridge.intake.models import InstrumentAdministration
from bridge.participants.models import EpisodeOfCare
from bridge.portal.tests.conftest import app_world  # noqa: F401 (the participant app's fixture)
from bridge.privacy import services as privacy_services
from bridge.privacy.models import Recipient
from bridge.privacy.vocab import GENERAL_CLASSES, ConsentType, Purpose, RecipientKind
from bridge.scheduling.models import Attendance, GroupSeries, Room, SeriesMembership, Session, SessionType
from bridge.testing.personas import unadmit


@pytest.fixture
def clinic(world) -> Recipient:
    """A treating provider outside Harbor: a TPO consent covers it as a class."""
    return Recipient.objects.create(
        program=world.program,
        name="Lakeside Clinic",
        kind=RecipientKind.TREATING_PROVIDER,
        address="1 Lake St",
    )


@pytest.fixture
def employer(world) -> Recipient:
    """An employer: no consent names it, so it receives nothing."""
    return Recipient.objects.create(
        program=world.program, name="Acme Freight HR", kind=RecipientKind.EMPLOYER, address="hr@acme.example"
    )


@pytest.fixture
def alex_tpo_consent(world):
    """Alex's single TPO consent: every general class to treating providers, plans and operations."""
    today = timezone.localdate(timezone=world.program.tz)
    return privacy_services.consent_record(
        actor=world.director,
        participant=world.alex,
        consent_type=ConsentType.TPO,
        patient_name=world.alex.legal_name,
        discloser="Harbor",
        data_classes=list(GENERAL_CLASSES),
        recipients=[],
        purposes=[Purpose.TREATMENT],
        expiry_event="when I revoke it in writing",
        signature_name=world.alex.legal_name,
        signed_on=today - timedelta(days=5),
    )


@pytest.fixture
def chart(world):
    """Clinical rows for alex and blair: an episode, a signed plan problem, a drug screen, a MAT order."""
    today = timezone.localdate(timezone=world.program.tz)
    rows: dict[str, Any] = {}
    for who, clinician in ((world.alex, world.therapist_a), (world.blair, world.therapist_b)):
        unadmit(who)  # replaces the world's admission of today
        episode = EpisodeOfCare.objects.create(
            participant=who, program=world.program, admitted_on=today - timedelta(days=30)
        )
        plan = TreatmentPlan.objects.create(participant=who, episode=episode, created_by=clinician)
        version = PlanVersion.objects.create(plan=plan, number=1, created_by=clinician)
        problem = Problem.objects.create(version=version, code="F11.20", description="Opioid use disorder")
        goal = Goal.objects.create(version=version, problem=problem, statement="I want to stay off pills")
        Objective.objects.create(
            version=version,
            goal=goal,
            text="Negative screens for 8 weeks",
            target_on=today + timedelta(days=56),
        )
        Intervention.objects.create(
            version=version, goal=goal, modality="cbt", responsible=clinician, frequency="3 groups a week"
        )
        PlanVersion.objects.filter(pk=version.pk).update(
            signed_at=timezone.now() - timedelta(days=20), signed_by=clinician, clinician_signature="x"
        )
        TreatmentPlan.objects.filter(pk=plan.pk).update(current_version=version)
        screen = DrugScreen.objects.create(
            participant=who, collected_on=today - timedelta(days=3), panel="5", recorded_by=clinician
        )
        DrugScreenResult.objects.create(screen=screen, substance="OPI", result="negative")
        DrugScreenResult.objects.create(screen=screen, substance="COC", result="positive")
        order = MedicationOrder.objects.create(
            participant=who,
            drug="buprenorphine",
            dose=Decimal("8"),
            route="sublingual",
            frequency="daily",
            reason="Opioid use disorder",
            prescriber=world.prescriber,
            start_on=today - timedelta(days=25),
            pdmp_checked_at=timezone.now() - timedelta(days=26),
            pdmp_checked_by=world.prescriber,
        )
        rows[who.first_name.lower()] = {
            "episode": episode,
            "problem": problem,
            "screen": screen,
            "order": order,
        }
    injection = MedicationOrder.objects.create(
        participant=world.alex,
        drug="naltrexone_xr",
        dose=Decimal("380"),
        route="intramuscular",
        frequency="monthly",
        reason="Alcohol use disorder",
        prescriber=world.prescriber,
        start_on=today - timedelta(days=10),
    )
    rows["injection"] = Administration.objects.create(
        order=injection,
        participant=world.alex,
        given_at=timezone.now() - timedelta(days=9),
        dose=Decimal("380"),
        lot_number="L123",
        site="gluteal_left",
        given_by=world.nurse,
    )
    session_type = SessionType.objects.create(
        program=world.program, name="Relapse prevention", category="group_therapy", default_minutes=90
    )
    series = GroupSeries.objects.create(
        program=world.program,
        track=world.program.tracks.first(),
        name="Evening relapse prevention",
        session_type=session_type,
        facilitator=world.therapist_a,
        starts_on=today - timedelta(days=60),
    )
    for who in (world.alex, world.blair):
        SeriesMembership.objects.create(series=series, participant=who, joined_on=today - timedelta(days=20))
    rows["group"] = series
    room = Room.objects.create(program=world.program, name="Room A", capacity=12)
    start = timezone.now() - timedelta(days=2)
    session = Session.objects.create(
        program=world.program,
        kind="group",
        session_type=session_type,
        series=series,
        title="Relapse prevention",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        room=room,
        staff=world.therapist_a,
        status="completed",
    )
    rows["session"] = session
    rows["attendance"] = {
        "alex": Attendance.objects.create(
            session=session, participant=world.alex, status="present", minutes=180
        ),
        "blair": Attendance.objects.create(session=session, participant=world.blair, status="no_show"),
    }
    rows["note"] = Note.objects.create(
        program=world.program,
        kind="individual",
        template="dap",
        participant=world.alex,
        session=session,
        author=world.therapist_a,
        data="Alex reports three weeks without use.",
        assessment="Engaged; cravings lower.",
        plan="Continue IOP; review relapse plan.",
        signed_at=timezone.now() - timedelta(days=1),
    )
    Note.objects.create(  # a draft is not the record yet: never offered
        program=world.program,
        kind="individual",
        template="dap",
        participant=world.blair,
        session=session,
        author=world.therapist_a,
        data="Unfinished",
    )
    rows["phq9"] = InstrumentAdministration.objects.create(
        participant=world.alex,
        instrument="PHQ-9",
        responses=[1, 1, 1, 1, 1, 1, 1, 1, 1],
        total=9,
        band="mild",
        administered_by=world.therapist_a,
    )
    return rows


@pytest.fixture
def token_for(world):
    """`token_for(user=…, scopes=…)` or `token_for(recipient=…)`: the secret of a fresh token."""

    def make(*, user=None, recipient=None, scopes=None, purpose=Purpose.TREATMENT):
        if scopes is None:
            scopes = "user/*.read" if user is not None else "system/*.read"
        return services.token_create(
            actor=world.director if recipient is not None else None,
            name="test",
            scopes=scopes,
            user=user,
            recipient=recipient,
            purpose=purpose,
        ).secret

    return make


@pytest.fixture
def fhir(client):
    """`fhir(secret, path, **params)`: GET /fhir/<path> with the token; returns the response."""

    def get(secret, path, method="get", **params):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
        return getattr(client, method)(f"/fhir/{path}", params or None, **headers)

    return get
