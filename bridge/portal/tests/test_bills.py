"""A self-pay participant's bills in the app: the balance in plain words, the monthly statements and
the good-faith estimates as PDFs, in English and Spanish; only their own (another's estimate is a
404), every read audited, and staff cannot use the app's pages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.billing.models import PayerKind
from bridge.billing.services import selfpay
from bridge.billing.services.charges import charges_build
from bridge.billing.tests import clinic
from bridge.billing.tests import factories as f

pytestmark = pytest.mark.django_db
MON = clinic.MONDAY
TIERS: list[dict] = [
    {"up_to_percent": 100, "kind": "nominal", "value": "20.00"},
    {"up_to_percent": 150, "kind": "discount", "value": "75"},
    {"up_to_percent": None, "kind": "full", "value": "0"},
]


@pytest.fixture
def self_pay(app_world):
    world = app_world
    f.billing_profile(world.program)
    payer = f.payer(world.program, "Self-pay", kind=PayerKind.SELF_PAY, requires_authorization=False)
    f.fee(payer, applies_to="group_therapy", code="90853", rate="120.00")
    plan = f.plan(payer, "Sliding fee")
    f.coverage(world.alex, plan, member_id="SELF-PAY")
    f.coverage(world.blair, plan, member_id="SELF-PAY-B")
    clinic.admit(world.alex, world.therapist_a)
    selfpay.scale_save(
        actor=world.director, program=world.program, effective_on=date(2026, 1, 1), tiers=TIERS
    )
    selfpay.income_record(
        actor=world.billing,
        participant=world.alex,
        household_size=3,
        annual_income=Decimal("30000"),
        attested_on=date(2026, 10, 1),
        source="self",
        attested_by=world.alex.legal_name,
    )
    clinic.group(world.program, world.therapist_a, MON, participants=[world.alex])
    charges_build(actor=world.director, program=world.program, first=MON, through=MON + timedelta(days=6))
    selfpay.payment_record(
        actor=world.frontdesk, participant=world.alex, amount=Decimal("10.00"), method="cash", received_on=MON
    )
    gfe = selfpay.gfe_give(
        actor=world.billing,
        participant=world.alex,
        requested_on=MON + timedelta(days=7),
        first_service_on=MON + timedelta(days=14),
        weeks=4,
    )
    return gfe


def test_the_participant_sees_the_balance_statements_and_estimates(app_client, app_world, self_pay):
    page = app_client.get(reverse("portal:bills"))
    body = page.content.decode()
    assert page.status_code == 200
    # 120 less the 75% discount is 30; 10 paid: 20 owed.
    assert "You owe $20.00." in body and "Your discount is $90.00" in body
    assert self_pay.number in body
    assert AuditEvent.objects.filter(
        action="read",
        participant=app_world.alex,
        object_type="self_pay_account",
        actor_label="participant app",
    ).exists()
    statement = app_client.get(reverse("portal:bill_statement", args=[MON.year, MON.month]))
    assert statement.status_code == 200 and statement.content[:4] == b"%PDF"
    assert reverse("portal:bill_statement", args=[MON.year, MON.month]) in body
    estimate = app_client.get(reverse("portal:bill_estimate", args=[self_pay.pk]))
    assert estimate.status_code == 200 and estimate.content == bytes(self_pay.pdf)
    exports = AuditEvent.objects.filter(
        action="export", participant=app_world.alex, actor_label="participant app"
    )
    assert {e.object_type for e in exports} == {"self_pay_statement", "goodfaithestimate"}
    documents = app_client.get(reverse("portal:documents")).content.decode()
    assert reverse("portal:bills") in documents


def test_in_spanish(app_client, app_world, self_pay):
    app_client.post(reverse("portal:language"), {"language": "es", "next": reverse("portal:home")})
    body = app_client.get(reverse("portal:bills")).content.decode()
    # Amounts as read in the US, in Spanish too: a point before the cents.
    assert "Usted debe $20.00." in body and "Estimados de buena fe" in body


def test_another_participants_estimate_is_404_and_staff_cannot_use_the_app(
    client, app_world, self_pay, login
):
    from bridge.portal.tests.conftest import sign_in

    blairs = app_world.blair
    clinic.admit(blairs, app_world.therapist_a)
    sign_in(client, contact=blairs.phone)
    assert client.get(reverse("portal:bill_estimate", args=[self_pay.pk])).status_code == 404
    page = client.get(reverse("portal:bills")).content.decode()
    assert self_pay.number not in page and "$20.00" not in page and "You owe nothing right now." in page
    assert client.get(reverse("portal:bill_statement", args=[2099, 1])).status_code == 404
    assert not AuditEvent.objects.filter(
        action="export", participant=app_world.alex, actor_label="participant app"
    ).exists()
    client.logout()
    for user in (app_world.billing, app_world.director, app_world.frontdesk):
        staff = login(user)
        for url in (
            reverse("portal:bills"),
            reverse("portal:bill_statement", args=[MON.year, MON.month]),
            reverse("portal:bill_estimate", args=[self_pay.pk]),
        ):
            assert staff.get(url).status_code == 403, (user, url)


def test_someone_not_self_pay_is_told_so(app_client, app_world):
    body = app_client.get(reverse("portal:bills")).content.decode()
    assert "You do not pay for your care yourself" in body
