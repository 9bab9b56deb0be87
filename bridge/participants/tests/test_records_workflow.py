"""Records change only through their workflows: no free status field, front desk edits contact
details only, and `bridge check-records` finds any status that disagrees with the episodes."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from bridge.core.records import all_findings
from bridge.participants import services
from bridge.participants.models import EpisodeOfCare, Participant
from bridge.testing.personas import unadmit


def test_the_demo_has_no_record_that_disagrees_with_its_workflow(demo):
    assert all_findings() == []
    out = io.StringIO()
    call_command("check_records", stdout=out)
    assert "Every record agrees with its workflow." in out.getvalue()


def test_the_test_world_has_no_record_that_disagrees_with_its_workflow(world):
    """Every test starts from states the workflows allow: Active participants have their open episode."""
    assert all_findings() == []
    for participant in (world.alex, world.blair, world.elsewhere_participant):
        participant.refresh_from_db()
        assert participant.status == Participant.Status.ACTIVE
        assert participant.episodes.get(status=EpisodeOfCare.Status.ACTIVE).level_changes.count() == 1
    assert not world.casey.episodes.exists()
    out = io.StringIO()
    call_command("check_records", stdout=out)
    assert "Every record agrees with its workflow." in out.getvalue()


def test_check_records_lists_active_without_episode_and_discharged_with_open_episode(world):
    unadmit(world.alex)  # still "Active", with no open episode
    Participant.objects.filter(pk=world.blair.pk).update(status=Participant.Status.DISCHARGED)
    found = {f.pk: f for f in all_findings()}
    assert "no open episode" in found[str(world.alex.pk)].problem
    assert "still open" in found[str(world.blair.pk)].problem
    assert "discharge" in found[str(world.blair.pk)].fix
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"record\(s\) need attention"):
        call_command("check_records", stdout=out)
    assert "Fix:" in out.getvalue()


def test_no_form_offers_a_free_status_select(world, login):
    client = login(world.director)
    for url in (reverse("participants:create"), reverse("participants:edit", args=[world.alex.pk])):
        page = client.get(url).content.decode()
        assert 'name="status"' not in page
    before = world.alex.status
    data = {
        "first_name": "Alex",
        "last_name": "Sample",
        "date_of_birth": world.alex.date_of_birth.isoformat(),
        "status": "alumni",
    }
    client.post(reverse("participants:edit", args=[world.alex.pk]), data)
    world.alex.refresh_from_db()
    assert world.alex.status == before


def test_front_desk_edits_contact_details_only(world, login):
    client = login(world.frontdesk)
    page = client.get(reverse("participants:edit", args=[world.alex.pk])).content.decode()
    assert 'name="phone"' in page and 'name="first_name"' not in page and 'name="date_of_birth"' not in page
    response = client.post(
        reverse("participants:edit", args=[world.alex.pk]),
        {"phone": "(510) 555-0199", "first_name": "Changed"},
    )
    assert response.status_code == 302
    world.alex.refresh_from_db()
    assert world.alex.phone == "(510) 555-0199" and world.alex.first_name == "Alex"
    with pytest.raises(PermissionDenied):
        services.participant_update(actor=world.frontdesk, participant=world.alex, first_name="Changed")


def test_a_new_participant_always_starts_as_a_prospect(world):
    p = services.participant_create(
        actor=world.intake,
        program=world.program,
        first_name="Dee",
        last_name="Nguyen",
        date_of_birth=timezone.localdate().replace(year=1988),
    )
    assert p.status == Participant.Status.PROSPECT
    assert not EpisodeOfCare.objects.filter(participant=p).exists()
