"""Fixtures for privacy tests: recipients of Harbor, a consent factory, attendance to disclose."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bridge.privacy import services
from bridge.privacy.models import Recipient
from bridge.privacy.vocab import ConsentType, DataClass, Purpose, RecipientKind
from bridge.scheduling.models import Attendance, Session, SessionKind, SessionType


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded documents land in a temporary folder, never in the working tree."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today(world):
    return timezone.localdate(timezone=world.program.tz)


@pytest.fixture
def recipients(world) -> dict[str, Recipient]:
    def make(name, kind, address):
        return Recipient.objects.create(program=world.program, name=name, kind=kind, address=address)

    return {
        "employer": make("Acme Freight HR", RecipientKind.EMPLOYER, "hr@acme.example"),
        "provider": make("Dr. Lee, Lakeside Clinic", RecipientKind.TREATING_PROVIDER, "1 Lake St, Oakland"),
        "court": make("County Drug Court", RecipientKind.COURT, "1225 Fallon St, Oakland"),
        "elsewhere": Recipient.objects.create(
            program=world.other_program, name="Elsewhere Employer", kind=RecipientKind.EMPLOYER, address="x"
        ),
    }


@pytest.fixture
def make_consent(world, today):
    """`make_consent(**overrides)`: a complete named-recipient consent for alex, signed by the director."""

    def make(**overrides):
        fields = {
            "actor": world.director,
            "participant": world.alex,
            "consent_type": ConsentType.NAMED,
            "patient_name": world.alex.legal_name,
            "discloser": "Harbor",
            "data_classes": [DataClass.ATTENDANCE, DataClass.EPISODES],
            "recipients": [],
            "purposes": [Purpose.EMPLOYMENT],
            "expires_on": today + timedelta(days=180),
            "signature_name": world.alex.legal_name,
            "signed_on": today - timedelta(days=10),
        }
        fields.update(overrides)
        if fields["consent_type"] == ConsentType.TPO:
            fields.setdefault("recipients", [])
        return services.consent_record(**fields)

    return make


@pytest.fixture
def alex_attendance(world, today):
    """Alex attended two group sessions and missed one in the last two weeks; Blair attended one."""
    tz = world.program.tz
    kind = SessionType.objects.create(
        program=world.program, name="Relapse prevention", category="group_therapy", default_minutes=180
    )
    rows = []
    for days_ago, status, minutes in ((3, "present", 180), (5, "late", 150), (7, "no_show", None)):
        start = datetime.combine(today - timedelta(days=days_ago), time(18), tzinfo=tz)
        session = Session.objects.create(
            program=world.program,
            kind=SessionKind.GROUP,
            session_type=kind,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            staff=world.therapist_a,
        )
        rows.append(
            Attendance.objects.create(session=session, participant=world.alex, status=status, minutes=minutes)
        )
        if days_ago == 3:
            Attendance.objects.create(session=session, participant=world.blair, status="present", minutes=180)
    return rows
