"""`bridge demo` loads a plausible program once; running it again keeps the data."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from bridge.accounts.models import Credential, User
from bridge.audit.services import audit_verify
from bridge.demo import builder
from bridge.participants.models import CareTeamMember, Participant
from bridge.programs.models import Organization, Track

LOGINS = {
    "director",
    "intake",
    "therapist1",
    "therapist2",
    "prescriber",
    "nurse",
    "frontdesk",
    "peer",
    "auditor",
}


@pytest.mark.django_db
def test_demo_loads_once_and_keeps_data_on_rerun(settings):
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "Demo loaded: 42 participants" in out.getvalue()
    assert settings.BRIDGE_DEMO_PASSWORD in out.getvalue()
    changed = Participant.objects.filter(status="prospect").update(phone="(000) 000-0000")
    again = io.StringIO()
    call_command("demo", stdout=again)
    assert "already loaded" in again.getvalue()
    assert Organization.objects.count() == 1 and Participant.objects.count() == 42
    assert changed == 5 and Participant.objects.filter(phone="(000) 000-0000").count() == changed
    assert audit_verify().ok


@pytest.mark.django_db
def test_demo_has_every_role_track_and_stage(settings):
    call_command("demo", stdout=io.StringIO())
    assert set(User.objects.values_list("username", flat=True)) == LOGINS
    director = User.objects.get(username="director")
    assert director.check_password(settings.BRIDGE_DEMO_PASSWORD)
    tracks = {t.name: t for t in Track.objects.all()}
    assert tracks["Weekday evening"].weekday_label == "Mon/Tue/Thu"
    assert (tracks["Weekday evening"].start_time.hour, tracks["Weekday evening"].end_time.hour) == (18, 21)
    assert tracks["Weekend mornings"].weekday_label == "Sat/Sun"
    stages = Counter(Participant.objects.values_list("status", flat=True))
    assert set(stages) == set(Participant.Status.values)
    primaries = Counter(
        CareTeamMember.objects.filter(team_role="primary").values_list("staff__username", flat=True)
    )
    assert (
        set(primaries) == {"therapist1", "therapist2"}
        and abs(primaries["therapist1"] - primaries["therapist2"]) <= 1
    )
    assert any(c.is_expired() for c in Credential.objects.all()), "the demo shows an expired license"


@pytest.mark.django_db
def test_demo_is_deterministic():
    def names():
        with transaction.atomic():
            builder.build(scale=1)
            result = list(
                Participant.objects.order_by("created_at", "last_name").values_list(
                    "first_name", "last_name", "status", "date_of_birth"
                )
            )
            transaction.set_rollback(True)
        return result

    assert names() == names()


@pytest.mark.django_db
def test_scale_multiplies_participants_and_staff():
    ctx = builder.build(scale=3)
    # 40 per scale step, plus the two fixed safety examples (bridge/safety/demo.py).
    assert Participant.objects.count() == 122
    assert len(ctx.therapists) == 6
