"""Before admission the chart's pages are not offered: a participant in screening has no treatment
plan, notes, drug screens or medications yet; their direct URLs say so in plain words (never a 500)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bridge.clinical.models import (
    DrugScreen,
    MedicationOrder,
    NaloxoneOffer,
    Note,
    OtpEnrollment,
    TreatmentPlan,
)
from bridge.participants.models import CareTeamMember, Participant
from bridge.testing.personas import add_to_team

pytestmark = pytest.mark.django_db

CHART_PAGES = ("clinical:plan", "clinical:notes", "clinical:screens", "clinical:meds")
CHART_FORMS = ("clinical:note_create", "clinical:screen_create", "clinical:order_create")


@pytest.fixture
def screening(world):
    """Casey in screening, the prescriber on her care team (they may write every chart record)."""
    world.casey.status = Participant.Status.SCREENING
    world.casey.save(update_fields=["status"])
    add_to_team(world.casey, world.prescriber, CareTeamMember.TeamRole.PRESCRIBER)
    return world.casey


def test_the_participant_page_of_someone_in_screening_offers_no_chart_tabs(world, screening, client, login):
    casey = screening
    login(world.prescriber)
    page = client.get(f"/participants/{casey.pk}/").content.decode()
    for name in CHART_PAGES:
        assert reverse(name, args=[casey.pk]) not in page
    # Once admitted, the same page offers them.
    page = client.get(f"/participants/{world.alex.pk}/").content.decode()  # the prescriber's alex
    for name in CHART_PAGES:
        assert reverse(name, args=[world.alex.pk]) in page


@pytest.mark.parametrize("name", CHART_PAGES + CHART_FORMS)
def test_a_chart_url_of_someone_in_screening_says_why_it_is_empty(world, screening, client, login, name):
    casey = screening
    login(world.prescriber)
    response = client.get(reverse(name, args=[casey.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "is not admitted yet" in page and "open at admission" in page
    assert "Start a treatment plan" not in page and "Write a note" not in page


@pytest.mark.parametrize(
    "name", ("clinical:plan", *CHART_FORMS, "clinical:naloxone_offer", "clinical:otp_record")
)
def test_nothing_is_written_to_the_chart_of_someone_in_screening(world, screening, client, login, name):
    casey = screening
    login(world.prescriber)
    response = client.post(reverse(name, args=[casey.pk]), {})
    assert response.status_code == 400
    assert "is not admitted yet" in response.content.decode()
    assert not TreatmentPlan.objects.filter(participant=casey).exists()
    assert not Note.objects.filter(participant=casey).exists()
    assert not DrugScreen.objects.filter(participant=casey).exists()
    assert not MedicationOrder.objects.filter(participant=casey).exists()
    assert not NaloxoneOffer.objects.filter(participant=casey).exists()
    assert not OtpEnrollment.objects.filter(participant=casey).exists()
