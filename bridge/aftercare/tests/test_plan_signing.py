"""The participant signs their aftercare plan on a screen through the privacy app's signature link: the
exact version they read, by hash; the plan page shows who signed which version and when."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bridge.aftercare import services
from bridge.audit.models import AuditEvent
from bridge.privacy.models import SignatureRequest

pytestmark = pytest.mark.django_db

SIGN = {"date_of_birth": "1990-05-17", "typed_name": "Alex Sample", "agreed": "on"}


@pytest.fixture
def plan(world):
    return services.aftercare_plan_save(
        actor=world.therapist_a,
        participant=world.alex,
        triggers="Payday",
        coping="Call Sam",
        contacts=[{"name": "Sam", "phone": "510-555-0100", "relationship": "sponsor"}],
    )


def _link(client, world) -> str:
    page = client.post(reverse("aftercare:plan_sign_request", args=[world.alex.pk]), {"channel": "phone"})
    assert page.status_code == 200
    return page.content.decode().split("/sign/")[1].split("/")[0]


def test_the_participant_signs_the_current_version_of_their_plan(world, login, client, plan):
    staff = login(world.therapist_a)
    token = _link(staff, world)
    request = SignatureRequest.objects.get(kind=SignatureRequest.Kind.AFTERCARE)
    assert request.payload == {"plan": str(plan.pk), "version": 1}
    staff.logout()
    url = reverse("privacy:sign", args=[token])
    shown = client.get(url).content.decode()
    assert "Payday" in shown and "Sam sponsor 510-555-0100" in shown and "I have read this plan" in shown
    assert client.post(url, SIGN).status_code == 200
    request.refresh_from_db()
    assert request.status == "signed" and request.signer_name == "Alex Sample"
    assert request.consent is None and request.acknowledgement is None
    event = AuditEvent.objects.get(action="sign", object_type="signature_request", object_id=str(request.pk))
    assert event.detail["signed"] == {"plan": str(plan.pk), "version": 1}
    assert event.detail["document_sha256"] == request.document_hash
    # The plan page shows it, and says when the plan has changed since.
    services.aftercare_plan_save(actor=world.therapist_a, participant=world.alex, triggers="Payday, paydays")
    page = login(world.therapist_a).get(reverse("aftercare:plan", args=[world.alex.pk])).content.decode()
    assert "Version 1 (the plan has changed since): signed “Alex Sample”" in page


def test_no_plan_no_link(world, login):
    client = login(world.therapist_a)
    response = client.post(reverse("aftercare:plan_sign_request", args=[world.alex.pk]), {"channel": "desk"})
    assert response.status_code == 404 and not SignatureRequest.objects.exists()


def test_a_bad_channel_makes_no_link(world, login, plan):
    client = login(world.therapist_a)
    client.post(reverse("aftercare:plan_sign_request", args=[world.alex.pk]), {"channel": "fax"})
    assert not SignatureRequest.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "therapist_b"])
def test_staff_off_the_team_get_a_404(world, login, plan, persona):
    client = login(getattr(world, persona))
    response = client.post(reverse("aftercare:plan_sign_request", args=[world.alex.pk]), {"channel": "desk"})
    assert response.status_code == 404 and not SignatureRequest.objects.exists()


def test_read_only_staff_get_a_403(world, login, plan):
    client = login(world.peer)
    response = client.post(reverse("aftercare:plan_sign_request", args=[world.alex.pk]), {"channel": "desk"})
    assert response.status_code == 403 and not SignatureRequest.objects.exists()
