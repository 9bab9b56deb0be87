"""Issue 21, finding 6, for the safety plan as for the relapse-prevention plan: each part has a limit
the form shows, a save that changes nothing keeps no version, and a flood of saves is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.safety import services
from bridge.safety.models import PLAN_TEXT_LIMIT, SafetyPlanVersion

PLAN = {"warning_signs": "Payday", "professionals": "988"}


def test_a_part_longer_than_its_limit_is_a_form_error_and_the_field_says_its_limit(world, login):
    client = login(world.therapist_a)
    url = reverse("safety:plan", args=[world.alex.pk])
    page = client.get(url).content.decode()
    assert page.count(f'maxlength="{PLAN_TEXT_LIMIT}"') == 7
    response = client.post(url, {**PLAN, "coping": "x" * (PLAN_TEXT_LIMIT + 1)})
    assert response.status_code == 400
    assert "coping" in response.context["form"].errors
    assert not SafetyPlanVersion.objects.exists()


def test_the_service_refuses_an_oversized_plan_from_any_caller(world):
    with pytest.raises(ValidationError) as refused:
        services.safety_plan_save(
            actor=world.therapist_a, participant=world.alex, **PLAN, coping="y" * 100_000
        )
    assert "coping" in refused.value.message_dict
    assert not SafetyPlanVersion.objects.exists()


def test_saving_the_same_plan_again_keeps_no_new_version(world):
    for _ in range(3):
        services.safety_plan_save(actor=world.therapist_a, participant=world.alex, **PLAN)
    assert SafetyPlanVersion.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="safety_plan").count() == 1
    services.safety_plan_save(actor=world.therapist_a, participant=world.alex, **PLAN, coping="A walk")
    assert SafetyPlanVersion.objects.count() == 2


def test_a_flood_of_saves_of_one_plan_is_refused(world):
    for n in range(services.PLAN_SAVES_PER_MINUTE):
        services.safety_plan_save(actor=world.therapist_a, participant=world.alex, **PLAN, coping=f"v{n}")
    with pytest.raises(ValidationError, match="wait a minute"):
        services.safety_plan_save(actor=world.therapist_a, participant=world.alex, **PLAN, coping="one more")
    assert SafetyPlanVersion.objects.count() == services.PLAN_SAVES_PER_MINUTE


def test_the_flood_refusal_is_shown_on_the_page_not_a_500(world, login):
    client = login(world.therapist_a)
    url = reverse("safety:plan", args=[world.alex.pk])
    for n in range(services.PLAN_SAVES_PER_MINUTE):
        assert client.post(url, {**PLAN, "coping": f"v{n}"}).status_code == 302
    response = client.post(url, {**PLAN, "coping": "one more"})
    assert response.status_code == 400
    assert "wait a minute" in response.content.decode()
