"""`bridge demo` loads a plausible program once; running it again keeps the data."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from bridge.accounts.models import Credential, User
from bridge.audit.models import AuditEvent
from bridge.audit.services import audit_verify
from bridge.demo import builder
from bridge.fhir.models import ApiToken
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
    "billing",
}


@pytest.mark.django_db
def test_demo_loads_once_and_keeps_data_on_rerun(settings):
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "Demo loaded: 43 participants" in out.getvalue()
    assert settings.BRIDGE_DEMO_PASSWORD in out.getvalue()
    changed = Participant.objects.filter(status="prospect").update(phone="(000) 000-0000")
    again = io.StringIO()
    call_command("demo", stdout=again)
    assert "already loaded" in again.getvalue()
    assert Organization.objects.count() == 1 and Participant.objects.count() == 43
    assert changed == 5 and Participant.objects.filter(phone="(000) 000-0000").count() == changed
    assert audit_verify().ok


def test_demo_has_every_role_track_and_stage(demo, settings):
    assert set(User.objects.values_list("username", flat=True)) == LOGINS
    director = demo.staff["director"]
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
    ctx = builder.build(scale=2)
    # 40 per scale step, plus the three fixed safety examples (bridge/safety/demo.py).
    assert Participant.objects.count() == 83
    assert len(ctx.therapists) == 4


def _rows() -> dict[str, int]:
    return {
        "organizations": Organization.objects.count(),
        "users": User.objects.count(),
        "participants": Participant.objects.count(),
        "tokens": ApiToken.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.django_db
def test_demo_refuses_the_production_profile_and_writes_nothing(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match=r"production profile is on.*Nothing was written"):
        call_command("demo", stdout=io.StringIO())
    assert set(_rows().values()) == {0}


@pytest.mark.django_db
def test_demo_refuses_a_database_with_a_real_program_and_writes_nothing(world):
    before = _rows()
    with pytest.raises(CommandError) as refused:
        call_command("demo", stdout=io.StringIO())
    message = str(refused.value)
    assert "already holds data that is not the demo" in message and "Nothing was written" in message
    assert (
        f"{before['users']} staff accounts" in message and f"{before['participants']} participants" in message
    )
    assert _rows() == before
    assert not builder.demo_loaded()


@pytest.mark.django_db
def test_demo_refuses_a_database_holding_only_one_staff_account():
    User.objects.create_user(username="admin", password="a long enough password")
    with pytest.raises(CommandError, match=r"\(1 staff account\)"):
        call_command("demo", stdout=io.StringIO())
    assert Organization.objects.count() == 0 and User.objects.count() == 1


def test_a_loaded_demo_is_kept_even_beside_other_data(demo):
    User.objects.create_user(username="admin", password="a long enough password")
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert Participant.objects.count() == 43
