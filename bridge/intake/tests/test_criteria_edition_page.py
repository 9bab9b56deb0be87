"""The director's page for the placement-criteria edition (3rd or 4th), per program and per payer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.intake.editions import edition_for
from bridge.intake.models import CriteriaEditionSetting
from bridge.scheduling.models import PayerRule

pytestmark = pytest.mark.django_db


def _url(world):
    return reverse("intake:criteria_edition", args=[world.program.pk])


def test_a_director_moves_the_program_and_one_payer_to_the_4th_edition(world, login):
    medicare = PayerRule.objects.create(
        program=world.program,
        name="Medicare",
        kind="medicare",
        code="G0410",
        min_minutes_per_day=180,
        min_days=3,
    )
    client = login(world.director)
    page = client.get(_url(world)).content.decode()
    assert "3rd edition (2013)" in page and "None yet" in page
    today = timezone.localdate()
    assert client.post(_url(world), {"edition": "4", "effective_on": today.isoformat()}).status_code == 302
    assert edition_for(world.program) == "4"
    later = today + timedelta(days=30)
    response = client.post(
        _url(world), {"edition": "3", "effective_on": later.isoformat(), "payer_rule": medicare.pk}
    )
    assert response.status_code == 302
    assert edition_for(world.program, medicare) == "4"  # not yet: the payer's row starts later
    assert edition_for(world.program, medicare, later) == "3"
    page = client.get(_url(world)).content.decode()
    assert "4th edition (2023)" in page and "Medicare" in page
    assert CriteriaEditionSetting.objects.filter(program=world.program).count() == 2
    assert AuditEvent.objects.filter(object_type="criteria_edition").count() == 2


def test_a_past_date_or_no_edition_is_refused_on_the_form(world, login):
    client = login(world.director)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(_url(world), {"edition": "4", "effective_on": yesterday.isoformat()})
    assert response.status_code == 400 and "effective_on" in response.context["form"].errors
    response = client.post(_url(world), {"effective_on": timezone.localdate().isoformat()})
    assert response.status_code == 400 and "edition" in response.context["form"].errors
    assert not CriteriaEditionSetting.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "intake", "therapist_a", "frontdesk"])
def test_only_the_programs_directors_see_it(world, login, persona):
    client = login(world.staff[persona])
    assert client.get(_url(world)).status_code == 404
    assert client.post(_url(world), {"edition": "4", "effective_on": "2030-01-01"}).status_code == 404
    assert not CriteriaEditionSetting.objects.exists()
