"""Issue 21, finding 6: the relapse-prevention plan has size limits, keeps a version only when
something changed, and refuses a flood of saves."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bridge.aftercare import services
from bridge.aftercare.models import AftercarePlanVersion
from bridge.audit.models import AuditEvent


def test_a_plan_part_longer_than_its_limit_is_a_form_error_and_the_field_says_its_limit(admitted, login):
    client = login(admitted.therapist_a)
    url = reverse("aftercare:plan_edit", args=[admitted.alex.pk])
    assert f'maxlength="{services.PLAN_TEXT_LIMIT}"' in client.get(url).content.decode()
    response = client.post(url, {"triggers": "x" * (services.PLAN_TEXT_LIMIT + 1)})
    assert "triggers" in response.context["form"].errors
    assert not AftercarePlanVersion.objects.exists()


def test_the_service_refuses_an_oversized_plan_from_any_caller(admitted):
    with pytest.raises(ValidationError):
        services.aftercare_plan_save(
            actor=admitted.therapist_a, participant=admitted.alex, coping="y" * 100_000
        )
    assert not AftercarePlanVersion.objects.exists()


def test_saving_the_same_plan_again_keeps_no_new_version(admitted):
    for _ in range(3):
        services.aftercare_plan_save(actor=admitted.therapist_a, participant=admitted.alex, triggers="Payday")
    assert AftercarePlanVersion.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="aftercareplan").count() == 1


def test_a_flood_of_saves_of_one_plan_is_refused(admitted):
    for n in range(services.PLAN_SAVES_PER_MINUTE):
        services.aftercare_plan_save(actor=admitted.therapist_a, participant=admitted.alex, triggers=f"v{n}")
    with pytest.raises(ValidationError, match="wait a minute"):
        services.aftercare_plan_save(
            actor=admitted.therapist_a, participant=admitted.alex, triggers="one more"
        )
    assert AftercarePlanVersion.objects.count() == services.PLAN_SAVES_PER_MINUTE


def test_any_form_field_beyond_the_ceiling_is_400(admitted, login):
    client = login(admitted.therapist_a)
    url = reverse("aftercare:plan_edit", args=[admitted.alex.pk])
    assert client.post(url, {"triggers": "z" * 60_000}).status_code == 400


def test_a_plan_with_the_next_mat_appointment_saves_instead_of_a_server_error(admitted, login):
    # Found by the record crawl: the size check measured the appointment (a datetime) as JSON: 500.
    from datetime import timedelta

    from django.utils import timezone

    client = login(admitted.therapist_a)
    url = reverse("aftercare:plan_edit", args=[admitted.alex.pk])
    when = timezone.localtime() + timedelta(days=3)
    response = client.post(
        url, {"triggers": "Payday", "mat_next_appointment": when.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    plan = admitted.alex.aftercare_plan
    assert plan.mat_next_appointment is not None
    assert timezone.localtime(plan.mat_next_appointment).strftime("%Y-%m-%d %H:%M") == when.strftime(
        "%Y-%m-%d %H:%M"
    )
