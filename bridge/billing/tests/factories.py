"""Small builders for billing tests: a program's billing profile, payers, plans and a coverage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bridge.billing.models import BillingProfile, ClaimFormat, Coverage, FeeLine, Payer, PayerKind, Plan


def billing_profile(program) -> BillingProfile:
    return BillingProfile.objects.get_or_create(
        program=program,
        defaults=dict(
            organization_name=f"{program.name} IOP",
            npi="1234567893",
            tax_id="941234567",
            address="100 Harbor Way",
            city="Oakland",
            state="CA",
            zip_code="946071234",
        ),
    )[0]


def payer(program, name="Medi-Cal DMC-ODS", kind=PayerKind.MEDICAID, **extra) -> Payer:
    defaults = dict(
        payer_id={"medicaid": "MCDCA", "medicare": "MCRJE", "commercial": "BSCA1"}.get(kind, "SELF"),
        kind=kind,
        claim_format=ClaimFormat.INSTITUTIONAL if kind == PayerKind.MEDICARE else ClaimFormat.PROFESSIONAL,
        requires_certification=kind == PayerKind.MEDICARE,
        requires_authorization=kind in (PayerKind.MEDICAID, PayerKind.COMMERCIAL),
        review_every_days=14 if kind == PayerKind.MEDICAID else 7 if kind == PayerKind.COMMERCIAL else None,
    )
    defaults.update(extra)
    return Payer.objects.get_or_create(program=program, name=name, defaults=defaults)[0]


def plan(payer_: Payer, name="Standard") -> Plan:
    return Plan.objects.get_or_create(payer=payer_, name=name)[0]


def coverage(
    participant, plan_: Plan, member_id="91234567A", effective_on=date(2026, 1, 1), **extra
) -> Coverage:
    return Coverage.objects.create(
        participant=participant, plan=plan_, member_id=member_id, effective_on=effective_on, **extra
    )


def fee(payer_: Payer, applies_to="per_diem", code="H0015", rate="150.00", **extra) -> FeeLine:
    return FeeLine.objects.create(
        payer=payer_,
        effective_on=date(2026, 1, 1),
        applies_to=applies_to,
        code=code,
        rate=Decimal(rate),
        **extra,
    )


def tpo_consent(participant, actor):
    """The single treatment, payment and operations consent (what lets claims go to payers)."""
    from bridge.privacy.services import consent_record
    from bridge.privacy.vocab import ConsentType, DataClass, Purpose

    return consent_record(
        actor=actor,
        participant=participant,
        consent_type=ConsentType.TPO,
        patient_name=participant.legal_name,
        discloser=participant.program.name,
        data_classes=[c for c in DataClass.values if c != DataClass.COUNSELING_NOTES],
        recipients=[],
        purposes=[Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS],
        expiry_event="when I revoke it in writing",
        signature_name=participant.legal_name,
        signed_on=date(2026, 1, 1),
    )
