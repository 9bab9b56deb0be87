"""Self-pay: the sliding-fee tier by household size and income (bounds included), self-pay charges
that never reach an 837, good-faith estimates with the required words, statements that add up,
payments corrected only by reversal, and the pages' access rules."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pypdf
import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.billing import sliding
from bridge.billing.models import Charge, Claim, ClaimFormat, GoodFaithEstimate, PatientPayment, PayerKind
from bridge.billing.services import selfpay
from bridge.billing.services.charges import charges_build
from bridge.billing.services.claims import claims_build
from bridge.billing.tests import clinic
from bridge.billing.tests import factories as f

pytestmark = pytest.mark.django_db
MON = clinic.MONDAY
TIERS: list[dict] = [
    {"up_to_percent": 100, "kind": "nominal", "value": "20.00"},
    {"up_to_percent": 150, "kind": "discount", "value": "75"},
    {"up_to_percent": 200, "kind": "discount", "value": "50"},
    {"up_to_percent": None, "kind": "full", "value": "0"},
]


def _text(body: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)


@pytest.mark.parametrize(
    ("size", "income", "tier"),
    [
        (1, "0", 0),
        (1, "15650", 0),  # exactly 100% of the 2025 guideline for one
        (1, "15651", 1),  # a dollar over
        (4, "32150", 0),  # 15,650 + 3 x 5,500
        (1, "23475", 1),  # exactly 150%
        (1, "23476", 2),
        (2, "42300", 2),  # exactly 200% of 21,150
        (2, "42301", 3),
        (8, "1000000", 3),
    ],
)
def test_the_tier_by_percent_of_poverty_with_bounds_in_the_lower_tier(size, income, tier):
    tiers = sliding.parse_tiers(TIERS)
    percent = sliding.percent_of_poverty(Decimal(income), size, date(2026, 3, 1))
    assert sliding.tier_for(tiers, percent)[0] == tiers[tier]


def test_only_verified_guidelines_are_used():
    years = {g.year: g for g in sliding.guidelines()}
    assert years[2025].verified and years[2025].for_household(4) == Decimal("32150")
    assert "90 FR 5917" in years[2025].source
    assert not years[2026].verified  # from a secondary source: shipped, not used
    assert sliding.guideline_on(date(2026, 6, 1)).year == 2025


def test_tier_prices():
    nominal, quarter, half, full = sliding.parse_tiers(TIERS)
    assert nominal.price(Decimal("150.00")) == Decimal("20.00")
    assert nominal.price(Decimal("15.00")) == Decimal("15.00")  # never more than the charge
    assert quarter.price(Decimal("150.00")) == Decimal("37.50")
    assert half.price(Decimal("150.00")) == Decimal("75.00")
    assert full.price(Decimal("150.00")) == Decimal("150.00")


@pytest.mark.parametrize(
    ("tiers", "words"),
    [
        ([], "at least one tier"),
        ([{"up_to_percent": 100, "kind": "nominal", "value": "5"}], "the last is open"),
        (
            [
                {"up_to_percent": 200, "kind": "full"},
                {"up_to_percent": 100, "kind": "full"},
                {"kind": "full"},
            ],
            "rise",
        ),
        ([{"up_to_percent": None, "kind": "discount", "value": "120"}], "between 1 and 100"),
        ([{"up_to_percent": None, "kind": "free"}], "choose"),
    ],
)
def test_a_bad_scale_is_refused_with_the_reason(tiers, words):
    with pytest.raises(ValueError, match=words):
        sliding.parse_tiers(tiers)


@pytest.fixture
def self_pay(world):
    f.billing_profile(world.program)
    payer = f.payer(world.program, "Self-pay", kind=PayerKind.SELF_PAY, requires_authorization=False)
    f.fee(payer, applies_to="group_therapy", code="90853", rate="120.00")
    f.coverage(world.alex, f.plan(payer, "Sliding fee"), member_id="SELF-PAY")
    clinic.admit(world.alex, world.therapist_a)
    selfpay.scale_save(
        actor=world.director, program=world.program, effective_on=date(2026, 1, 1), tiers=TIERS
    )
    return payer


def _attest(world, size=3, income="30000", on=date(2026, 10, 1)):
    # 3 people: 15,650 + 2 x 5,500 = 26,650; 30,000 is 112.57%: the 75% discount tier.
    return selfpay.income_record(
        actor=world.billing,
        participant=world.alex,
        household_size=size,
        annual_income=Decimal(income),
        attested_on=on,
        source="self",
        attested_by=world.alex.legal_name,
    )


def _group(world, day=MON):
    return clinic.group(world.program, world.therapist_a, day, participants=[world.alex])


def _build(world, through=MON + timedelta(days=6)):
    return charges_build(actor=world.director, program=world.program, first=MON, through=through)


def test_self_pay_services_become_discounted_self_pay_charges_never_on_an_837(world, self_pay, tmp_path):
    _attest(world)
    _group(world)
    result = _build(world)
    assert result.held == []
    charge = Charge.objects.get()
    assert charge.self_pay and charge.status == Charge.Status.SELF_PAY and charge.authorization is None
    assert (charge.code, charge.amount, charge.discount, charge.owed) == (
        "90853",
        Decimal("120.00"),
        Decimal("90.00"),
        Decimal("30.00"),
    )
    assert charge.fee_tier == "101 to 150% of poverty: 75% discount"
    claims = claims_build(
        actor=world.director,
        program=world.program,
        claim_format=ClaimFormat.PROFESSIONAL,
        out_dir=str(tmp_path),
    )
    assert not claims and not Claim.objects.exists() and list(tmp_path.iterdir()) == []
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SELF_PAY and charge.claim is None


def test_the_database_refuses_a_self_pay_charge_on_a_claim_or_ready_for_one(world, self_pay):
    _group(world)
    _build(world)
    charge = Charge.objects.get()
    assert charge.fee_tier == selfpay.NO_INCOME[:80] and charge.discount == 0  # not attested: full fee
    with pytest.raises(IntegrityError), transaction.atomic():
        Charge.objects.filter(pk=charge.pk).update(status=Charge.Status.READY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Charge.objects.filter(pk=charge.pk).update(discount=Decimal("500.00"))


def test_the_attestation_in_effect_on_the_service_date_prices_it(world, self_pay):
    _attest(world, size=1, income="15000", on=MON + timedelta(days=1))  # after Monday's group
    _group(world, MON)
    _group(world, MON + timedelta(days=2))
    _build(world)
    first, second = Charge.objects.order_by("service_date")
    assert first.discount == 0 and second.owed == Decimal("20.00")  # nominal fee from the attestation on


def test_a_payment_is_corrected_only_by_a_reversal(world, self_pay):
    payment = selfpay.payment_record(
        actor=world.billing, participant=world.alex, amount=Decimal("25.00"), method="cash", received_on=MON
    )
    reversal = selfpay.payment_reverse(actor=world.billing, payment=payment, reason="Counted twice", on=MON)
    assert reversal.amount == Decimal("-25.00") and reversal.reverses == payment
    assert selfpay.ledger(world.alex).paid == Decimal("0.00")
    with pytest.raises(Exception, match="already reversed"):
        selfpay.payment_reverse(actor=world.billing, payment=payment, reason="again")
    with pytest.raises(DatabaseError), transaction.atomic():
        PatientPayment.objects.filter(pk=payment.pk).update(amount=Decimal("1.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        PatientPayment.objects.filter(pk=payment.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():  # a reversal must name the payment
        PatientPayment.objects.create(
            program=world.program,
            participant=world.alex,
            kind="reversal",
            amount=Decimal("-5"),
            method="cash",
            received_on=MON,
            reason="x",
            recorded_by=world.billing,
        )
    assert AuditEvent.objects.filter(object_type="patientpayment", action="create").count() == 2


def test_a_payment_sent_twice_is_asked_about_before_it_is_taken_twice(world, login, self_pay):
    """Back and submit again (or a second tab) with the same payment: refused with a question; a
    second payment of the same amount is recorded only when the box says so."""
    client = login(world.frontdesk)
    url = reverse("billing:payment_add", args=[world.alex.pk])
    data = {"amount": "3.33", "method": "cash", "received_on": MON.isoformat()}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 400
    page = again.content.decode()
    assert "A cash payment of $3.33 received on" in page and "tick the box" in page
    assert PatientPayment.objects.filter(participant=world.alex).count() == 1
    # Another check number, or another day, is another payment; so is the same one, when ticked.
    assert client.post(url, {**data, "method": "check", "reference": "1043"}).status_code == 302
    assert client.post(url, {**data, "same_again": "on"}).status_code == 302
    assert PatientPayment.objects.filter(participant=world.alex, amount=Decimal("3.33")).count() == 3


def test_the_statement_adds_up(world, self_pay):
    _attest(world)
    for day in (MON - timedelta(days=7), MON, MON + timedelta(days=2)):  # one in October, two in November
        _group(world, day)
    charges_build(
        actor=world.director,
        program=world.program,
        first=MON - timedelta(days=7),
        through=MON + timedelta(days=6),
    )
    selfpay.payment_record(
        actor=world.billing,
        participant=world.alex,
        amount=Decimal("10.00"),
        method="check",
        received_on=MON - timedelta(days=6),
        reference="101",
    )
    selfpay.payment_record(
        actor=world.billing,
        participant=world.alex,
        amount=Decimal("40.00"),
        method="card",
        received_on=MON + timedelta(days=3),
    )
    november = selfpay.ledger(world.alex, date(2026, 11, 1), date(2026, 11, 30))
    assert november.previous_balance == Decimal("20.00")  # 30 owed in October, 10 paid
    assert (november.charged, november.discounts, november.paid) == (
        Decimal("240.00"),
        Decimal("180.00"),
        Decimal("40.00"),
    )
    assert november.balance == Decimal("40.00")
    body, _ = selfpay.statement_pdf(actor=world.billing, participant=world.alex, year=2026, month=11)
    text = _text(body)
    for words in (
        "Statement",
        "November 1 to November 30, 2026",
        "90853",
        "$120.00",
        "$90.00",
        "Balance due",
        "$40.00",
        "How to pay",
    ):
        assert words in text, words
    event = AuditEvent.objects.get(object_type="self_pay_statement")
    assert (
        event.action == "export"
        and event.detail["to"] == "participant"
        and event.detail["balance"] == "40.00"
    )
    from bridge.privacy.models import Disclosure

    assert not Disclosure.objects.exists()  # a copy to the participant themself is not accounted


def test_a_good_faith_estimate_lists_the_services_and_the_disclaimers(world, self_pay):
    _attest(world)
    _group(world, MON)
    _group(world, MON + timedelta(days=2))
    start = MON + timedelta(days=14)
    gfe = selfpay.gfe_give(
        actor=world.billing,
        participant=world.alex,
        requested_on=MON + timedelta(days=7),
        first_service_on=start,
        weeks=8,
    )
    # Two groups attended in the one week of care before: 2 a week, for 8 weeks.
    assert gfe.lines == [
        {
            "what": "Group therapy",
            "code": "90853",
            "modifiers": "",
            "per_week": 2,
            "count": 16,
            "unit_fee": "120.00",
            "charge": "1920.00",
            "discount": "1440.00",
        }
    ]
    assert (gfe.total_charges, gfe.total_discount, gfe.total_due) == (
        Decimal("1920.00"),
        Decimal("1440.00"),
        Decimal("480.00"),
    )
    # Scheduled Monday Nov 9 for Monday Nov 16 (5 business days ahead): due within 1 business day.
    assert gfe.due_by == date(2026, 11, 10)
    text = _text(bytes(gfe.pdf))
    for words in (
        "Good Faith Estimate",
        gfe.number,
        world.alex.legal_name,
        "NPI 1234567893",
        "941234567",
        "90853",
        "$1,920.00",
        "$480.00",
        "not a contract",
        "$400 or more above",
        "www.cms.gov/nosurprises",
        "120 calendar days",
    ):
        assert words in text, words
    import hashlib

    assert gfe.sha256 == hashlib.sha256(bytes(gfe.pdf)).hexdigest()
    assert AuditEvent.objects.filter(object_type="goodfaithestimate", action="export").count() == 1


def test_gfe_due_dates_follow_45_cfr_149_610():
    monday = date(2026, 11, 2)
    assert selfpay.gfe_due_by(monday, monday + timedelta(days=21)) == date(2026, 11, 5)  # ≥10 days: 3 bd
    assert selfpay.gfe_due_by(monday, monday + timedelta(days=5)) == date(2026, 11, 3)  # 3-9 days: 1 bd
    # Over a weekend and Veterans Day (Wednesday 11 November): Monday, Tuesday, Thursday.
    assert selfpay.gfe_due_by(date(2026, 11, 6), date(2026, 11, 23)) == date(2026, 11, 12)


def test_gfe_due_dates_skip_thanksgiving_and_christmas():
    # Asked on Wednesday 25 November 2026 for a start three weeks on: Thanksgiving (Thursday 26) is
    # not a business day, so the 3 business days are Friday 27, Monday 30 and Tuesday 1 December.
    assert selfpay.gfe_due_by(date(2026, 11, 25), date(2026, 12, 16)) == date(2026, 12, 1)
    # Scheduled on Wednesday 25 November for Tuesday 1 December: Friday, Monday and Tuesday are 3
    # business days ahead (not 4), so the 1-business-day rule: due Friday 27, not Thursday 26.
    assert selfpay.business_days_between(date(2026, 11, 25), date(2026, 12, 1)) == 3
    assert selfpay.gfe_due_by(date(2026, 11, 25), date(2026, 12, 1)) == date(2026, 11, 27)
    # Christmas 2026 is a Friday: asked on Thursday 24 December, 3 business days on is Wednesday 30.
    assert selfpay.gfe_due_by(date(2026, 12, 24), date(2027, 1, 20)) == date(2026, 12, 30)
    # Christmas 2027 is a Saturday, observed Friday 24; New Year's Day 2028 is a Saturday, observed
    # Friday 31 December 2027: asked Thursday 23 December, due Wednesday 29.
    assert selfpay.gfe_due_by(date(2027, 12, 23), date(2028, 1, 24)) == date(2027, 12, 29)
    assert not selfpay.is_business_day(date(2027, 12, 24))
    assert not selfpay.is_business_day(date(2027, 12, 31))
    # Scheduled 2 business days ahead over Thanksgiving (Wednesday for the next Monday): none due
    # before the first service; the first service day is shown.
    assert selfpay.gfe_due_by(date(2026, 11, 25), date(2026, 11, 30)) == date(2026, 11, 30)


def test_no_estimate_for_a_participant_who_is_not_self_pay(world):
    f.coverage(world.alex, f.plan(f.payer(world.program)))
    with pytest.raises(Exception, match="self-pay"):
        selfpay.gfe_estimate(world.alex, first_service_on=MON, weeks=4)


def test_billing_records_income_and_a_payment_and_gives_an_estimate_on_the_pages(world, login, self_pay):
    client = login(world.billing)
    base = reverse("billing:self_pay", args=[world.alex.pk])
    assert client.get(base).status_code == 200
    response = client.post(
        reverse("billing:income_add", args=[world.alex.pk]),
        {
            "household_size": "0",
            "annual_income": "-1",
            "attested_on": "2026-10-01",
            "source": "self",
            "attested_by": "Alex",
        },
    )
    assert response.status_code == 400 and b"household_size" in response.content
    response = client.post(
        reverse("billing:income_add", args=[world.alex.pk]),
        {
            "household_size": "3",
            "annual_income": "30000",
            "attested_on": "2026-10-01",
            "source": "self",
            "attested_by": "Alex",
        },
    )
    assert response.status_code == 302
    page = client.get(base).content.decode()
    assert "75% discount" in page
    response = client.post(
        reverse("billing:payment_add", args=[world.alex.pk]),
        {"amount": "15.00", "method": "cash", "received_on": "2026-11-02"},
    )
    assert response.status_code == 302
    payment = PatientPayment.objects.get()
    response = client.post(
        reverse("billing:payment_reverse", args=[world.alex.pk, payment.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("billing:payment_reverse", args=[world.alex.pk, payment.pk]), {"reason": "Wrong person"}
    )
    assert response.status_code == 302 and selfpay.ledger(world.alex).balance == 0
    # The same form sent again from a tab left open: said above the page, nothing changes.
    again = client.post(
        reverse("billing:payment_reverse", args=[world.alex.pk, payment.pk]),
        {"reason": "Wrong person"},
        follow=True,
    )
    assert "already reversed (perhaps in another tab)" in again.content.decode()
    assert PatientPayment.objects.filter(reverses=payment).count() == 1
    _group(world)
    url = reverse("billing:estimate_new", args=[world.alex.pk])
    data = {
        "requested_on": str(MON + timedelta(days=1)),
        "first_service_on": str(MON + timedelta(days=7)),
        "weeks": "6",
    }
    preview = client.post(url, data)
    assert preview.status_code == 200 and b"$720.00" in preview.content  # 6 x 120, before the discount
    assert not GoodFaithEstimate.objects.exists()
    assert client.post(url, {**data, "give": "1"}).status_code == 302
    gfe = GoodFaithEstimate.objects.get()
    pdf = client.get(reverse("billing:estimate_pdf", args=[world.alex.pk, gfe.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == bytes(gfe.pdf)
    statement = client.get(reverse("billing:statement_pdf", args=[world.alex.pk, 2026, 11]))
    assert statement.status_code == 200 and b"%PDF" in statement.content[:8]


@pytest.mark.parametrize("name", ["self_pay", "estimate_new"])
def test_outsiders_get_404_and_clinicians_403(world, login, self_pay, name):
    url = reverse(f"billing:{name}", args=[world.alex.pk])
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.therapist_a).get(url).status_code == 403  # on the team, but not billing
    assert AuditEvent.objects.filter(action="access_denied").count() == 2


def test_a_statement_of_another_programs_participant_is_404(world, login, self_pay):
    url = reverse("billing:statement_pdf", args=[world.alex.pk, 2026, 11])
    assert login(world.outsider).get(url).status_code == 404
    assert not AuditEvent.objects.filter(object_type="self_pay_statement").exists()


def test_the_scale_is_the_directors_and_billings(world, login, self_pay):
    url = reverse("billing:sliding_fee")
    assert login(world.therapist_a).get(url).status_code == 403
    client = login(world.billing)
    page = client.get(url)
    assert page.status_code == 200 and b"nominal fee $20.00" in page.content and b"unverified" in page.content
    form = {
        "effective_on": "2026-12-01",
        "tier-TOTAL_FORMS": "2",
        "tier-INITIAL_FORMS": "0",
        "tier-MIN_NUM_FORMS": "1",
        "tier-MAX_NUM_FORMS": "8",
        "tier-0-up_to_percent": "200",
        "tier-0-kind": "discount",
        "tier-0-value": "60",
        "tier-1-up_to_percent": "",
        "tier-1-kind": "full",
        "tier-1-value": "",
    }
    assert client.post(url, form).status_code == 302
    assert world.program.sliding_fees.count() == 2
    bad = client.post(url, {**form, "effective_on": "2026-12-02", "tier-1-up_to_percent": "300"})
    assert bad.status_code == 400 and b"the last is open" in bad.content


def test_the_dashboard_counts_self_pay_collections_net_of_reversals(world, login, self_pay):
    for amount in ("25.00", "60.00"):
        payment = selfpay.payment_record(
            actor=world.billing,
            participant=world.alex,
            amount=Decimal(amount),
            method="cash",
            received_on=MON,
        )
    selfpay.payment_reverse(actor=world.billing, payment=payment, reason="Entered twice", on=MON)
    body = login(world.director).get(reverse("billing:dashboard") + "?csv=self_pay").content.decode()
    assert "2026-11,25.00" in body


def test_front_desk_takes_a_payment_and_sees_the_balance_but_not_the_income(world, login, self_pay):
    _attest(world)
    _group(world)
    _build(world)
    gfe = selfpay.gfe_give(
        actor=world.billing,
        participant=world.alex,
        requested_on=MON + timedelta(days=7),
        first_service_on=MON + timedelta(days=14),
        weeks=4,
    )
    client = login(world.frontdesk)
    base = reverse("billing:self_pay", args=[world.alex.pk])
    page = client.get(base)
    body = page.content.decode()
    assert page.status_code == 200 and "Balance due" in body
    # No household income, tier or attestation on the desk's page, and no correction or estimate forms.
    for hidden in ("30000", "75% discount", "Sliding-fee tier", "Record household size", "Reverse"):
        assert hidden not in body, hidden
    assert reverse("billing:estimate_new", args=[world.alex.pk]) not in body
    response = client.post(
        reverse("billing:payment_add", args=[world.alex.pk]),
        {"amount": "10.00", "method": "cash", "received_on": str(MON)},
    )
    assert response.status_code == 302
    payment = PatientPayment.objects.get()
    assert payment.recorded_by == world.frontdesk
    assert (
        client.get(reverse("billing:statement_pdf", args=[world.alex.pk, MON.year, MON.month])).status_code
        == 200
    )
    assert client.get(reverse("billing:estimate_pdf", args=[world.alex.pk, gfe.pk])).status_code == 200
    denied = AuditEvent.objects.filter(action="access_denied").count()
    income = {
        "household_size": "3",
        "annual_income": "90000",
        "attested_on": str(MON),
        "source": "self",
        "attested_by": "Alex",
    }
    assert client.post(reverse("billing:income_add", args=[world.alex.pk]), income).status_code == 403
    reverse_url = reverse("billing:payment_reverse", args=[world.alex.pk, payment.pk])
    assert client.post(reverse_url, {"reason": "Oops"}).status_code == 403
    assert client.get(reverse("billing:estimate_new", args=[world.alex.pk])).status_code == 403
    assert AuditEvent.objects.filter(action="access_denied").count() == denied + 3
    assert world.alex.household_incomes.count() == 1 and PatientPayment.objects.count() == 1
    assert client.get(reverse("billing:sliding_fee")).status_code == 403


def test_the_second_payment_box_shows_only_when_asked(world, login, self_pay):
    client = login(world.frontdesk)
    page = client.get(reverse("billing:self_pay", args=[world.alex.pk])).content.decode()
    assert "Yes, record a second one" not in page
    url = reverse("billing:payment_add", args=[world.alex.pk])
    data = {"amount": "3.33", "method": "cash", "received_on": MON.isoformat()}
    client.post(url, data)
    assert "Yes, record a second one" in client.post(url, data).content.decode()
