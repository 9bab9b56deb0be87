"""Demo revenue cycle: four payers (Medi-Cal DMC-ODS, Medicare, Blue Shield PPO, self-pay), each
active participant's coverage from the payer their episode is billed under, authorizations (one
near its end), Medicare certifications (one missing), a month of charges built from the scheduling
and clinical demos (so some are held for each reason those records give), claims written as 837
files, and a remittance posted with payments, a contractual adjustment and two denials: one to work,
one corrected and resubmitted (a replacement claim; the old one kept as replaced).

Self-pay participants have a household-income attestation (a sliding-fee tier each), self-pay charges
priced from the self-pay fee schedule less their discount, and the first of them a payment (with a
mistaken entry reversed) and a good-faith estimate.

Runs after the scheduling and clinical demos (app order), which give the attendance and notes.
Rates are demo figures, not a real fee schedule.
"""

from __future__ import annotations

import contextlib
import tempfile
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from bridge.billing.models import (
    Authorization,
    BillingProfile,
    Certification,
    Claim,
    ClaimFormat,
    Coverage,
    FeeLine,
    Payer,
    PayerKind,
    Plan,
)
from bridge.billing.services.charges import charges_build
from bridge.billing.services.claims import claims_build
from bridge.billing.services.corrections import claim_resubmit
from bridge.billing.services.eligibility import control_number
from bridge.billing.services.remittance import remittance_post
from bridge.billing.x12.remittance import PaidClaim, PaidLine, build_835
from bridge.participants.models import EpisodeOfCare
from bridge.scheduling.models import EpisodePayer, PayerRule


def build(ctx) -> None:
    program, today = ctx.program, ctx.today
    staff = ctx.staff
    BillingProfile.objects.create(
        program=program,
        organization_name="Harbor Light IOP",
        npi="1234567893",
        tax_id="941234567",
        address=program.street,  # pay-to is the program itself: statements and the app agree
        city="Oakland",
        state="CA",
        zip_code="946071234",
    )
    rules = {r.kind: r for r in PayerRule.objects.filter(program=program)}
    K = PayerKind
    medi_cal = Payer.objects.create(
        program=program,
        name="Medi-Cal DMC-ODS",
        payer_id="MCDCA",
        kind=K.MEDICAID,
        claim_format=ClaimFormat.PROFESSIONAL,
        rule=rules.get(PayerRule.Kind.MEDICAID),
        review_every_days=14,
    )
    medicare = Payer.objects.create(
        program=program,
        name="Medicare",
        payer_id="MCRJE",
        kind=K.MEDICARE,
        claim_format=ClaimFormat.INSTITUTIONAL,
        rule=rules.get(PayerRule.Kind.MEDICARE),
        requires_authorization=False,
        requires_certification=True,
    )
    blue = Payer.objects.create(
        program=program,
        name="Blue Shield of California",
        payer_id="BSCA1",
        kind=K.COMMERCIAL,
        claim_format=ClaimFormat.PROFESSIONAL,
        rule=rules.get(PayerRule.Kind.COMMERCIAL),
        review_every_days=7,
    )
    self_pay = Payer.objects.create(
        program=program, name="Self-pay", payer_id="SELF", kind=K.SELF_PAY, requires_authorization=False
    )
    plans = {
        medi_cal.pk: Plan.objects.create(payer=medi_cal, name="DMC-ODS Alameda County"),
        medicare.pk: Plan.objects.create(payer=medicare, name="Original Medicare"),
        blue.pk: Plan.objects.create(payer=blue, name="PPO"),
        self_pay.pk: Plan.objects.create(payer=self_pay, name="Sliding fee"),
    }
    start = today - timedelta(days=120)
    FeeLine.objects.bulk_create(
        [
            FeeLine(
                payer=medi_cal,
                effective_on=start,
                applies_to="per_diem",
                code="H0015",
                modifiers="HF",
                rate=Decimal("146.13"),
                unit_rule=FeeLine.UnitRule.PER_DIEM,
            ),
            FeeLine(
                payer=blue,
                effective_on=start,
                applies_to="per_diem",
                code="S9480",
                revenue_code="0906",
                rate=Decimal("425.00"),
                unit_rule=FeeLine.UnitRule.PER_DIEM,
            ),
            FeeLine(
                payer=medicare,
                effective_on=start,
                applies_to="per_diem",
                tier="3",
                code="90853",
                revenue_code="0906",
                rate=Decimal("259.13"),
                unit_rule=FeeLine.UnitRule.PER_DIEM,
            ),
            FeeLine(
                payer=medicare,
                effective_on=start,
                applies_to="per_diem",
                tier="4+",
                code="90853",
                revenue_code="0906",
                rate=Decimal("284.00"),
                unit_rule=FeeLine.UnitRule.PER_DIEM,
            ),
        ]
    )
    by_rule = {medi_cal.rule_id: medi_cal, medicare.rule_id: medicare, blue.rule_id: blue}
    payer_of = dict(
        EpisodePayer.objects.filter(episode__program=program).values_list("episode_id", "rule_id")
    )
    episodes = list(
        EpisodeOfCare.objects.filter(program=program, status=EpisodeOfCare.Status.ACTIVE)
        .select_related("participant")
        .order_by("admitted_on", "participant__last_name")
    )
    coverages: list[Coverage] = []
    for k, e in enumerate(episodes):
        payer = by_rule.get(payer_of.get(e.pk), self_pay)
        member: dict[str, str] = {
            K.MEDICAID: f"9{k:07d}A",
            K.MEDICARE: f"1EG4TE5MK{k:02d}",
            K.COMMERCIAL: f"XZB{k:06d}",
        }
        coverages.append(
            Coverage(
                participant=e.participant,
                plan=plans[payer.pk],
                member_id=member.get(payer.kind, "SELF-PAY"),
                group_number="HL200" if payer.kind == K.COMMERCIAL else "",
                effective_on=e.admitted_on,
                created_by=staff["frontdesk"],
            )
        )
    Coverage.objects.bulk_create(coverages)
    near_done = False
    medicare_seen = 0
    for k, c in enumerate(coverages):
        payer = c.plan.payer
        first = max(c.effective_on, today - timedelta(days=40))
        if payer.requires_authorization:
            near = not near_done and payer.kind == K.MEDICAID
            Authorization.objects.create(
                participant=c.participant,
                coverage=c,
                service_codes=[],
                units_approved=12 if near else 40,
                starts_on=first,
                ends_on=today + timedelta(days=3 if near else 45),
                reference_number=f"{payer.payer_id}-{c.member_id[-4:]}",
                next_review_on=today + timedelta(days=2 + k % 12),
                created_by=staff["frontdesk"],
            )
            near_done = near_done or near
        if payer.requires_certification:
            medicare_seen += 1
            if medicare_seen == 1:
                continue  # one Medicare participant has no certification: their days are held
            Certification.objects.create(
                participant=c.participant,
                kind=Certification.Kind.CERTIFICATION,
                needs_nine_hours=True,
                findings="Needs a structured program of at least 9 hours a week to avoid inpatient care.",
                diagnosis="F10.20",
                services_plan="IOP groups 3 evenings a week (9 h), individual therapy weekly, 8 weeks",
                signed_by=staff["prescriber"],
                signed_on=first,
                valid_from=first,
                valid_through=first + timedelta(days=59),
            )
    self_pay_people = _self_pay_setup(program, staff, self_pay, coverages, start)
    # A month of charges from what was attended and documented; claims for the first three weeks.
    charges_build(
        actor=None, program=program, first=today - timedelta(days=35), through=today - timedelta(days=1)
    )
    out = tempfile.mkdtemp(prefix="bridge-demo-claims-")
    for fmt in (ClaimFormat.PROFESSIONAL, ClaimFormat.INSTITUTIONAL):
        # The last 12 days stay ready for the next batch.
        # The nightly run's responsible person (BRIDGE_BILLING_DISCLOSER) is the director.
        claims_build(
            actor=None,
            program=program,
            claim_format=fmt,
            out_dir=out,
            through=today - timedelta(days=13),
            discloser=staff["director"],
        )
    _remit(program, medi_cal, today)
    _correct(program, staff, out)
    _self_pay_account(program, staff, self_pay_people, today)


def _self_pay_setup(program, staff, payer, coverages, start) -> list:
    """The sliding-fee scale, the self-pay fee schedule, and each self-pay participant's household
    income as they attested it at admission (the first on the nominal-fee tier, the next at 75% off,
    then 50% off, then the full fee)."""
    from bridge.billing.services.selfpay import income_record, scale_save

    scale_save(
        actor=staff["director"],
        program=program,
        effective_on=start,
        tiers=[
            {"up_to_percent": 100, "kind": "nominal", "value": "20.00"},
            {"up_to_percent": 150, "kind": "discount", "value": "75"},
            {"up_to_percent": 200, "kind": "discount", "value": "50"},
            {"up_to_percent": None, "kind": "full", "value": "0"},
        ],
        note="Board-approved scale (demo figures)",
    )
    FeeLine.objects.bulk_create(
        [
            FeeLine(payer=payer, effective_on=start, applies_to=category, code=code, rate=Decimal(rate))
            for category, code, rate in (
                ("group_therapy", "90853", "120.00"),
                ("psychoeducation", "H2035", "90.00"),
                ("life_skills", "H2035", "90.00"),
                ("individual", "90834", "160.00"),
                ("family", "90847", "170.00"),
            )
        ]
    )
    people = [c.participant for c in coverages if c.plan.payer_id == payer.pk]
    incomes = [(1, "14000"), (3, "31000"), (2, "38000"), (4, "90000")]
    for k, person in enumerate(people):
        size, income = incomes[k % len(incomes)]
        episode_start = min(c.effective_on for c in coverages if c.participant_id == person.pk)
        income_record(
            actor=staff["frontdesk"],
            participant=person,
            household_size=size,
            annual_income=Decimal(income),
            attested_on=episode_start,
            source="self",
            attested_by=person.legal_name,
        )
    return people


def _self_pay_account(program, staff, people, today) -> None:
    """The first self-pay participant pays part of their bill (and a mistaken entry is reversed), and
    is given a good-faith estimate for the next eight weeks."""
    from django.core.exceptions import ValidationError

    from bridge.billing.services.selfpay import gfe_give, payment_record, payment_reverse

    if not people:
        return
    person = people[0]
    payment_record(
        actor=staff["frontdesk"],
        participant=person,
        amount=Decimal("40.00"),
        method="cash",
        received_on=today - timedelta(days=10),
    )
    wrong = payment_record(
        actor=staff["frontdesk"],
        participant=person,
        amount=Decimal("400.00"),
        method="check",
        received_on=today - timedelta(days=3),
        reference="1042",
    )
    payment_reverse(
        actor=staff["billing"],
        payment=wrong,
        reason="Entered $400 for a $40 check",
        on=today - timedelta(days=3),
    )
    payment_record(
        actor=staff["frontdesk"],
        participant=person,
        amount=Decimal("40.00"),
        method="check",
        received_on=today - timedelta(days=3),
        reference="1042",
    )
    with contextlib.suppress(ValidationError):  # nothing on their calendar: the page offers it later
        gfe_give(
            actor=staff["billing"],
            participant=person,
            requested_on=today,
            first_service_on=today + timedelta(days=1),
            weeks=8,
        )


def _correct(program, staff, out: str) -> None:
    """The claim Medi-Cal denied for a billing error (CO-16) is corrected and replaced (frequency 7,
    the payer's claim number in REF*F8); the old claim stays, shown as replaced. The other denial
    (CO-197, no authorization) stays on the work list."""
    denied = (
        Claim.objects.filter(program=program, status=Claim.Status.DENIED, denials__reason_code="16")
        .order_by("number")
        .first()
    )
    if denied is not None:
        claim_resubmit(
            actor=staff["billing"],
            claim=denied,
            action="replace",
            reason="Rendering provider NPI added (the payer's CO-16 / MA130)",
            out_dir=out,
        )


def _remit(program, payer, today) -> None:
    """Medi-Cal pays most of its claims, cuts one by the fee schedule, denies one (no authorization)."""
    claims = list(
        Claim.objects.filter(program=program, coverage__plan__payer=payer)
        .select_related("participant", "coverage")
        .prefetch_related("lines")
        .order_by("number")
    )[:8]
    paid_claims = []
    for k, claim in enumerate(claims):
        lines = []
        for charge in claim.lines.all():
            if k == 0:
                lines.append(
                    PaidLine(
                        charge.code,
                        tuple(charge.modifiers.split(":")),
                        charge.service_date,
                        charge.amount,
                        Decimal("0"),
                        (("CO", "197", charge.amount),),
                        "N54",
                    )
                )
            elif k == 2:
                # Denied for a billing error: corrected and resubmitted below (a replaced claim).
                lines.append(
                    PaidLine(
                        charge.code,
                        tuple(charge.modifiers.split(":")),
                        charge.service_date,
                        charge.amount,
                        Decimal("0"),
                        (("CO", "16", charge.amount),),
                        "MA130",
                    )
                )
            elif k == 1:
                cut = Decimal("20.00")
                lines.append(
                    PaidLine(
                        charge.code,
                        tuple(charge.modifiers.split(":")),
                        charge.service_date,
                        charge.amount,
                        charge.amount - cut,
                        (("CO", "45", cut),),
                    )
                )
            else:
                lines.append(
                    PaidLine(
                        charge.code,
                        tuple(charge.modifiers.split(":")),
                        charge.service_date,
                        charge.amount,
                        charge.amount,
                    )
                )
        p = claim.participant
        paid_claims.append(
            PaidClaim(claim.number, claim.coverage.member_id, p.first_name, p.last_name, tuple(lines))
        )
    if not paid_claims:
        return
    when = timezone.localtime(timezone.now(), program.tz)
    text = build_835(
        payer_name=payer.name,
        payer_id=payer.payer_id,
        payee_name="Harbor Light IOP",
        payee_npi="1234567893",
        trace=f"EFT{today:%Y%m%d}",
        claims=paid_claims,
        paid_on=today - timedelta(days=2),
        control=control_number(),
        when=when,
    )
    remittance_post(actor=None, program=program, text=text, file_name=f"medi-cal-{today:%Y%m%d}.835")
