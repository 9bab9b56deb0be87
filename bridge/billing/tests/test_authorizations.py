"""Authorizations: added by the front desk or billing, usage counted from charges, warnings near the
end or the last units, concurrent reviews that add units and move the next review date."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.billing.models import Authorization, Charge, UtilizationReview
from bridge.billing.queries import usage_for
from bridge.billing.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def coverage(world):
    return f.coverage(world.alex, f.plan(f.payer(world.program)))


def test_billing_adds_an_authorization_with_its_first_review_date(world, login, coverage):
    today = timezone.localdate()
    client = login(world.billing)
    url = reverse("billing:authorization_add", args=[world.alex.pk])
    data = {
        "coverage": coverage.pk,
        "level_of_care": "2.1",
        "service_codes": "H0015",
        "unit": "days",
        "units_approved": 24,
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=56)).isoformat(),
        "reference_number": "DMC-2026-0042",
        "status": "approved",
    }
    assert client.post(url, {**data, "service_codes": "H15"}).status_code == 400
    assert client.post(url, data).status_code == 302
    auth = Authorization.objects.get()
    assert auth.service_codes == ["H0015"] and auth.next_review_on == today + timedelta(days=14)
    assert AuditEvent.objects.filter(
        action="create", object_type="authorization", participant=world.alex
    ).exists()


def test_usage_warns_near_the_end_and_near_the_last_units(world, coverage):
    today = timezone.localdate()
    auth = Authorization.objects.create(
        participant=world.alex,
        coverage=coverage,
        units_approved=10,
        starts_on=today - timedelta(days=20),
        ends_on=today + timedelta(days=30),
        reference_number="A1",
    )
    for k in range(8):
        Charge.objects.create(
            program=world.program,
            participant=world.alex,
            coverage=coverage,
            authorization=auth,
            service_date=today - timedelta(days=k + 1),
            per_diem=True,
            code="H0015",
            amount=Decimal("150"),
            diagnosis="F1020",
            level_of_care="2.1",
            rendering=world.therapist_a,
            rendering_credential="LCSW",
        )
    (usage,) = usage_for([auth], today)
    assert (usage.used, usage.remaining) == (8, 2)
    assert usage.warnings == ["2 of 10 days left"]
    auth.ends_on = today + timedelta(days=4)
    auth.units_approved = 40
    (usage,) = usage_for([auth], today)
    assert usage.warnings == ["ends in 4 days (" + f"{auth.ends_on:%b %-d})"]


def test_an_approved_review_adds_units_and_moves_the_next_review(world, login, coverage):
    today = timezone.localdate()
    auth = Authorization.objects.create(
        participant=world.alex,
        coverage=coverage,
        units_approved=10,
        starts_on=today - timedelta(days=14),
        ends_on=today + timedelta(days=14),
        reference_number="A2",
        next_review_on=today,
    )
    client = login(world.billing)
    url = reverse("billing:review_record", args=[world.alex.pk, auth.pk])
    client.post(url, {"outcome": "approved", "approved_units": "0"})
    assert not UtilizationReview.objects.exists()  # approved needs units
    client.post(url, {"outcome": "approved", "approved_units": "12", "note": "Reviewer: continue IOP"})
    auth.refresh_from_db()
    assert auth.units_approved == 22 and auth.next_review_on == today + timedelta(days=14)
    review = UtilizationReview.objects.get()
    assert review.due_on == today and review.recorded_by == world.billing
    client.post(url, {"outcome": "peer_to_peer", "note": "Asked for a peer-to-peer"})
    assert auth.reviews.count() == 2
    assert login(world.outsider).post(url, {"outcome": "denied"}).status_code == 404
