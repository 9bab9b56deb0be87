"""Self-pay: the program's sliding-fee scale, each participant's household income, good-faith
estimates (No Surprises Act, 45 CFR 149.610), patient payments and reversals, and statements.

Every write is one transaction with its audit event. Payments, income attestations and estimates are
append-only (database triggers); a mistaken payment is corrected by a reversal. A statement or an
estimate handed to the participant is a copy to the person the records are about: audited as an
export to the participant, not entered in the accounting of disclosures (45 CFR 164.528(a)(1)(i);
42 CFR 2.13: a patient may see their own records), like the app's copy of records.
"""

from __future__ import annotations

import functools
import hashlib
import math
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import holidays
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.billing import pdf, sliding
from bridge.billing.models import (
    Charge,
    Coverage,
    FeeLine,
    GoodFaithEstimate,
    HouseholdIncome,
    PatientPayment,
    Payer,
    PayerKind,
    SlidingFeeScale,
)
from bridge.billing.services.eligibility import profile_for
from bridge.scheduling.models import Attendance, Session, SessionType
from bridge.scheduling.qualifying import CATEGORY_OF_KIND

ZERO = Decimal("0.00")
KIND_CATEGORY: dict[str, str] = {str(k): str(v) for k, v in CATEGORY_OF_KIND.items()}
NO_INCOME = "No household income attested: full fee"
NO_SCALE = "No sliding-fee scale set: full fee"


def _audit(action, actor, participant, obj, detail=None, *, object_type=None) -> None:
    audit_record(
        action=action,
        actor=actor,
        participant=participant,
        object_type=object_type or obj._meta.model_name,
        object_id=str(obj.pk),
        detail=detail or {},
    )


# The scale and the tier -----------------------------------------------------------------------


def scale_on(scales, day: date) -> SlidingFeeScale | None:
    """The version of the scale in effect on `day`, of `scales` (newest first)."""
    return next((s for s in scales if s.effective_on <= day), None)


def income_on(incomes, day: date) -> HouseholdIncome | None:
    """The latest attestation on or before `day`, of `incomes` (newest first)."""
    return next((i for i in incomes if i.attested_on <= day), None)


@dataclass(frozen=True)
class TierOn:
    tier: sliding.Tier
    label: str
    percent: Decimal | None
    income: HouseholdIncome | None


def tier_from(scales, incomes, day: date) -> TierOn:
    """The sliding-fee tier of a participant on `day`, from the program's scales and the participant's
    attestations (both newest first): full fee when either is missing."""
    scale = scale_on(scales, day)
    income = income_on(incomes, day)
    if scale is None:
        return TierOn(sliding.FULL_FEE, NO_SCALE, None, income)
    if income is None:
        return TierOn(sliding.FULL_FEE, NO_INCOME, None, None)
    percent = sliding.percent_of_poverty(income.annual_income, income.household_size, day)
    tier, label = sliding.tier_for(sliding.parse_tiers(scale.tiers), percent)
    return TierOn(tier, label, percent, income)


def tier_of(participant, day: date) -> TierOn:
    scales = list(SlidingFeeScale.objects.filter(program_id=participant.program_id).order_by("-effective_on"))
    incomes = list(participant.household_incomes.order_by("-attested_on", "-recorded_at"))
    return tier_from(scales, incomes, day)


def scale_save(*, actor, program, effective_on: date, tiers: list[dict], note: str = "") -> SlidingFeeScale:
    """A new version of the program's sliding-fee scale, effective from `effective_on`."""
    try:
        sliding.parse_tiers(tiers)
    except ValueError as exc:
        raise ValidationError({"tiers": str(exc)}) from exc
    if SlidingFeeScale.objects.filter(program=program, effective_on=effective_on).exists():
        raise ValidationError({"effective_on": "A version already starts on that day; choose another date."})
    with transaction.atomic():
        scale = SlidingFeeScale(
            program=program, effective_on=effective_on, tiers=tiers, note=note, created_by=actor
        )
        scale.full_clean()
        scale.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            object_type="slidingfeescale",
            object_id=str(scale.pk),
            detail={"effective_on": str(effective_on), "tiers": len(tiers)},
        )
    return scale


def income_record(
    *,
    actor,
    participant,
    household_size: int,
    annual_income: Decimal,
    attested_on: date,
    source: str,
    attested_by: str,
) -> HouseholdIncome:
    with transaction.atomic():
        row = HouseholdIncome(
            participant=participant,
            household_size=household_size,
            annual_income=annual_income,
            attested_on=attested_on,
            source=source,
            attested_by=attested_by,
            recorded_by=actor,
        )
        row.full_clean()
        row.save()
        _audit(Action.CREATE, actor, participant, row, {"source": source})  # not the figures
    return row


# Payments and the balance ---------------------------------------------------------------------


def payment_record(
    *,
    actor,
    participant,
    amount: Decimal,
    method: str,
    received_on: date,
    reference: str = "",
    same_again: bool = False,
) -> PatientPayment:
    """Record a payment. One just like a payment already recorded (same amount, method, day and
    reference, not reversed) is asked about first: a form sent twice must not take the money twice."""
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "A payment is an amount above zero."})
    with transaction.atomic():
        twin = (
            PatientPayment.objects.filter(
                participant=participant,
                kind=PatientPayment.Kind.PAYMENT,
                amount=amount,
                method=method,
                received_on=received_on,
                reference=reference.strip(),
                reversed_by__isnull=True,
            )
            .select_related("recorded_by")
            .order_by("-recorded_at")
            .first()
        )
        if twin is not None and not same_again:
            by = (
                twin.recorded_by.get_full_name() or twin.recorded_by.get_username()
                if twin.recorded_by
                else ""
            )
            raise ValidationError(
                {
                    "same_again": f"A {twin.get_method_display().lower()} payment of ${amount:,.2f} "
                    f"received on {received_on:%b %-d, %Y} is already recorded"
                    + (f" (by {by}, {timezone.localtime(twin.recorded_at):%b %-d %H:%M})" if by else "")
                    + ". If this is another payment, tick the box and save again."
                }
            )
        payment = PatientPayment(
            program_id=participant.program_id,
            participant=participant,
            amount=amount,
            method=method,
            received_on=received_on,
            reference=reference,
            recorded_by=actor,
        )
        payment.full_clean()
        payment.save()
        _audit(Action.CREATE, actor, participant, payment, {"amount": str(amount), "method": method})
    return payment


def payment_reverse(*, actor, payment: PatientPayment, reason: str, on: date | None = None) -> PatientPayment:
    """Reverse a payment (a bounced check, an amount entered wrong): a new row for minus its amount."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the payment is reversed."})
    if payment.kind != PatientPayment.Kind.PAYMENT:
        raise ValidationError("Only a payment can be reversed.")
    with transaction.atomic():
        original = PatientPayment.objects.select_for_update().get(pk=payment.pk)
        if PatientPayment.objects.filter(reverses=original).exists():
            raise ValidationError("This payment is already reversed.")
        reversal = PatientPayment(
            program_id=original.program_id,
            participant_id=original.participant_id,
            kind=PatientPayment.Kind.REVERSAL,
            amount=-original.amount,
            method=original.method,
            reference=original.reference,
            received_on=on or timezone.localdate(),
            reverses=original,
            reason=reason.strip(),
            recorded_by=actor,
        )
        reversal.full_clean()
        reversal.save()
        _audit(
            Action.CREATE,
            actor,
            original.participant,
            reversal,
            {"reverses": str(original.pk), "amount": str(reversal.amount)},
        )
    return reversal


@dataclass
class Ledger:
    """A participant's self-pay account over a span: charges (less discounts) and payments."""

    charges: list[Charge] = field(default_factory=list)
    payments: list[PatientPayment] = field(default_factory=list)
    previous_balance: Decimal = ZERO

    @property
    def charged(self) -> Decimal:
        return sum((c.amount for c in self.charges), ZERO)

    @property
    def discounts(self) -> Decimal:
        return sum((c.discount for c in self.charges), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), ZERO)

    @property
    def balance(self) -> Decimal:
        return self.previous_balance + self.charged - self.discounts - self.paid


def _self_pay_charges(participant):
    return Charge.objects.filter(participant=participant, self_pay=True).exclude(status=Charge.Status.VOID)


def ledger(participant, first: date | None = None, through: date | None = None) -> Ledger:
    """Charges - discounts - payments, for [first, through] (all time when not given), with the
    balance carried in from before `first`."""
    charges = _self_pay_charges(participant)
    payments = PatientPayment.objects.filter(participant=participant)
    result = Ledger()
    if first is not None:
        before = Ledger(
            list(charges.filter(service_date__lt=first)), list(payments.filter(received_on__lt=first))
        )
        result.previous_balance = before.balance
        charges = charges.filter(service_date__gte=first)
        payments = payments.filter(received_on__gte=first)
    if through is not None:
        charges = charges.filter(service_date__lte=through)
        payments = payments.filter(received_on__lte=through)
    result.charges = list(charges.order_by("service_date", "created_at"))
    result.payments = list(payments.order_by("received_on", "recorded_at"))
    return result


def statement_months(participant, today: date) -> list[date]:
    """The months with self-pay activity, newest first, with this month (a statement for each)."""
    found = {d.replace(day=1) for d in _self_pay_charges(participant).values_list("service_date", flat=True)}
    found |= {d.replace(day=1) for d in participant.patient_payments.values_list("received_on", flat=True)}
    found.add(today.replace(day=1))
    return sorted(found, reverse=True)[:24]


def _month(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def _header(program) -> dict:
    profile = profile_for(program)
    return {
        "name": profile.organization_name,
        "address": f"{profile.address}, {profile.city}, {profile.state} {profile.zip_code[:5]}",
        "phone": _phone(profile.contact_phone or program.phone),
        "npi": profile.npi,
        "tax_id": profile.tax_id,
    }


def _phone(digits: str) -> str:
    d = "".join(ch for ch in digits if ch.isdigit())
    return f"({d[:3]}) {d[3:6]}-{d[6:10]}" if len(d) == 10 else digits


def statement_pdf(*, actor, participant, year: int, month: int) -> tuple[bytes, str]:
    """The monthly statement as a PDF and its file name; audited as a copy to the participant."""
    first, last = _month(year, month)
    book = ledger(participant, first, last)
    today = timezone.localdate()
    header = _header(participant.program)
    lines = [
        pdf.StatementLine(c.service_date, c.code, _describe(c), c.amount, c.discount, c.fee_tier)
        for c in book.charges
    ]
    paid = [
        pdf.StatementPayment(
            p.received_on,
            f"{p.get_method_display()}{f' #{p.reference}' if p.reference else ''}"
            + (f" (reversal: {p.reason})" if p.kind == PatientPayment.Kind.REVERSAL else ""),
            p.amount,
        )
        for p in book.payments
    ]
    statement = pdf.Statement(
        program=header,
        participant_name=participant.legal_name,
        participant_address=participant.address,
        account=str(participant.pk)[:8].upper(),
        period_first=first,
        period_last=last,
        prepared_on=today,
        due_on=today + timedelta(days=30),
        previous_balance=book.previous_balance,
        lines=tuple(lines),
        payments=tuple(paid),
    )
    body = pdf.statement_pdf(statement)
    name = f"statement-{year}-{month:02d}-{statement.account}.pdf"
    audit_record(
        action=Action.EXPORT,
        actor=actor,
        participant=participant,
        object_type="self_pay_statement",
        object_id=f"{participant.pk}:{year}-{month:02d}",
        detail={
            "to": "participant",
            "document": "statement",
            "period": f"{year}-{month:02d}",
            "balance": str(statement.balance),
            "sha256": hashlib.sha256(body).hexdigest(),
        },
    )
    return body, name


CATEGORY_WORDS = {"per_diem": "Intensive outpatient program day", **dict(SessionType.Category.choices)}


def _describe(charge: Charge) -> str:
    if charge.per_diem:
        return "Intensive outpatient program day"
    return {
        "90853": "Group therapy",
        "90832": "Individual therapy, 30 min",
        "90834": "Individual therapy, 45 min",
        "90837": "Individual therapy, 60 min",
        "90846": "Family therapy (without you)",
        "90847": "Family therapy",
        "H0001": "Assessment",
        "H2035": "Substance use treatment",
    }.get(charge.code, "Treatment service")


# Good-faith estimates -------------------------------------------------------------------------


def self_pay_coverage(participant, day: date) -> Coverage | None:
    """The participant's primary coverage on `day` when it is self-pay."""
    live = [c for c in participant.coverages.select_related("plan__payer") if c.covers(day)]
    primary = min(live, key=lambda c: c.order) if live else None
    return primary if primary is not None and primary.plan.payer.kind == PayerKind.SELF_PAY else None


@functools.lru_cache(maxsize=16)
def _federal_holidays(year: int) -> frozenset[date]:
    """The United States federal holidays of `year`, with their observed days (a holiday on a
    Saturday is observed on the Friday before), from the `holidays` package (nothing downloaded)."""
    return frozenset(holidays.country_holidays("US", years=year))


def is_business_day(day: date) -> bool:
    """Monday to Friday, and not a federal holiday (or its observed day).

    The estimate's clock is federal, so the program's own closures do not move it: a program closed
    for a training day still owes the estimate on the day the rule says."""
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def add_business_days(day: date, n: int) -> date:
    """`n` business days after `day` (weekends and federal holidays not counted)."""
    while n > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            n -= 1
    return day


def business_days_between(first: date, last: date) -> int:
    """Business days after `first` up to and including `last`."""
    n, day = 0, first
    while day < last:
        day += timedelta(days=1)
        if is_business_day(day):
            n += 1
    return n


def gfe_due_by(requested_on: date, first_service_on: date) -> date:
    """45 CFR 149.610(b)(1)(vi): services scheduled at least 10 business days ahead, or an estimate
    asked for: within 3 business days; scheduled 3 to 9 business days ahead: within 1 business day.
    (Scheduled fewer than 3 business days ahead none is required; the first service day is shown.)"""
    ahead = business_days_between(requested_on, first_service_on)
    if ahead >= 10:
        return add_business_days(requested_on, 3)
    if ahead >= 3:
        return add_business_days(requested_on, 1)
    return max(requested_on, first_service_on)


@dataclass(frozen=True)
class Expected:
    what: str
    code: str
    modifiers: str
    per_week: int
    count: int
    unit_fee: Decimal
    charge: Decimal
    discount: Decimal

    @property
    def due(self) -> Decimal:
        return self.charge - self.discount

    def as_json(self) -> dict:
        return {
            "what": self.what,
            "code": self.code,
            "modifiers": self.modifiers,
            "per_week": self.per_week,
            "count": self.count,
            "unit_fee": str(self.unit_fee),
            "charge": str(self.charge),
            "discount": str(self.discount),
        }


def _weekly_pattern(participant, around: date) -> tuple[dict[str, int], int, dict[str, int]]:
    """(services a week per category, days a week with a service, typical minutes per category), from
    the participant's calendar in the four weeks from `around` (sessions they are expected at), or,
    when nothing is scheduled, from the four weeks before it they attended."""
    tz = participant.program.tz
    start = datetime.combine(around, time(0), tzinfo=tz)
    ahead = Attendance.objects.filter(
        participant=participant,
        session__starts_at__gte=start,
        session__starts_at__lt=start + timedelta(days=28),
        session__status=Session.Status.SCHEDULED,
        status=Attendance.Status.EXPECTED,
    )
    rows = list(
        ahead.values(
            "session__kind", "session__session_type__category", "session__starts_at", "session__ends_at"
        )
    )
    if not rows:
        behind = Attendance.objects.filter(
            participant=participant,
            session__starts_at__gte=start - timedelta(days=28),
            session__starts_at__lt=start,
        ).filter(Q(status=Attendance.Status.PRESENT) | Q(status=Attendance.Status.LATE))
        rows = list(
            behind.values(
                "session__kind", "session__session_type__category", "session__starts_at", "session__ends_at"
            )
        )
    counts: dict[str, int] = defaultdict(int)
    minutes: dict[str, list[int]] = defaultdict(list)
    days = set()
    for r in rows:
        category = r["session__session_type__category"] or (KIND_CATEGORY.get(r["session__kind"]) or "")
        counts[category] += 1
        minutes[category].append(int((r["session__ends_at"] - r["session__starts_at"]).total_seconds() // 60))
        days.add(timezone.localtime(r["session__starts_at"], tz).date())
    # Per week over the weeks that have any session (a participant two weeks into care, or a calendar
    # filled two weeks ahead, is not averaged over four).
    weeks = max(1, len({d.isocalendar()[:2] for d in days}))
    per_week = {k: math.ceil(n / weeks) for k, n in counts.items()}
    typical = {k: round(sum(v) / len(v)) for k, v in minutes.items()}
    return per_week, math.ceil(len(days) / weeks), typical


def gfe_estimate(participant, *, first_service_on: date, weeks: int) -> tuple[list[Expected], TierOn, Payer]:
    """The expected services for `weeks` weeks from `first_service_on`, priced from the self-pay fee
    schedule and discounted by the participant's tier. ValidationError when there is nothing to price."""
    coverage = self_pay_coverage(participant, first_service_on)
    if coverage is None:
        raise ValidationError(
            "A good-faith estimate here is for a participant whose primary coverage is self-pay."
        )
    payer = coverage.plan.payer
    fees: dict[str, FeeLine] = {}
    for line in FeeLine.objects.filter(payer=payer, effective_on__lte=first_service_on).order_by(
        "-effective_on"
    ):
        fees.setdefault(line.applies_to, line)
    if not fees:
        raise ValidationError(f"{payer.name} has no fee schedule to price the services from.")
    per_week, days_a_week, typical = _weekly_pattern(participant, first_service_on)
    if not per_week:
        raise ValidationError(
            {
                "first_service_on": "Nothing is on the participant's calendar (or attended lately) "
                "to estimate from."
            }
        )
    tier = tier_of(participant, first_service_on)
    lines: list[Expected] = []

    def add(what: str, fee: FeeLine, n_week: int, units: int = 1) -> None:
        unit_fee = (fee.rate * units).quantize(Decimal("0.01"))
        count = n_week * weeks
        charge = unit_fee * count
        discount = (unit_fee - tier.tier.price(unit_fee)) * count
        lines.append(Expected(what, fee.code, fee.modifiers, n_week, count, unit_fee, charge, discount))

    if "per_diem" in fees:
        add(CATEGORY_WORDS["per_diem"], fees["per_diem"], days_a_week)
    else:
        for category, n in sorted(per_week.items()):
            fee = fees.get(category)
            if fee is None:
                continue
            units = 1
            if fee.unit_rule == FeeLine.UnitRule.PER_15_MIN:
                units = max(1, min(fee.max_units_per_day, (typical.get(category, 60) + 7) // 15))
            add(CATEGORY_WORDS.get(category, category.replace("_", " ").capitalize()), fee, n, units)
    if not lines:
        raise ValidationError(f"{payer.name}'s fee schedule has no fee for the services on the calendar.")
    return lines, tier, payer


def gfe_give(
    *, actor, participant, requested_on: date, first_service_on: date, weeks: int
) -> GoodFaithEstimate:
    """Make, keep and audit a good-faith estimate (the PDF as given, its SHA-256, who, when)."""
    lines, tier, _ = gfe_estimate(participant, first_service_on=first_service_on, weeks=weeks)
    header = _header(participant.program)
    diagnosis = (
        participant.charges.exclude(diagnosis="")
        .order_by("-service_date")
        .values_list("diagnosis", flat=True)
        .first()
        or ""
    )
    now = timezone.now()
    number = f"GFE-{uuid.uuid4().hex[:8].upper()}"
    due_by = gfe_due_by(requested_on, first_service_on)
    doc = pdf.Estimate(
        number=number,
        program=header,
        participant_name=participant.legal_name,
        date_of_birth=participant.date_of_birth,
        given_on=timezone.localdate(),
        requested_on=requested_on,
        first_service_on=first_service_on,
        weeks=weeks,
        tier=tier.label,
        diagnosis=diagnosis,
        lines=tuple(
            pdf.EstimateLine(
                e.what, e.code, e.modifiers, e.per_week, e.count, e.unit_fee, e.charge, e.discount
            )
            for e in lines
        ),
    )
    body = pdf.estimate_pdf(doc)
    digest = hashlib.sha256(body).hexdigest()
    with transaction.atomic():
        gfe = GoodFaithEstimate(
            program_id=participant.program_id,
            participant=participant,
            number=number,
            requested_on=requested_on,
            first_service_on=first_service_on,
            weeks=weeks,
            due_by=due_by,
            lines=[e.as_json() for e in lines],
            total_charges=doc.total_charges,
            total_discount=doc.total_discount,
            total_due=doc.total_charges - doc.total_discount,
            fee_tier=tier.label[:80],
            pdf=body,
            sha256=digest,
            given_by=actor,
            given_at=now,
        )
        gfe.full_clean(exclude=["pdf"])
        gfe.save()
        _audit(
            Action.EXPORT,
            actor,
            participant,
            gfe,
            {
                "to": "participant",
                "document": "good_faith_estimate",
                "sha256": digest,
                "total": str(gfe.total_due),
            },
        )
    return gfe


def gfe_download(*, actor, gfe: GoodFaithEstimate) -> bytes:
    """The estimate as it was given (a copy to the participant again: audited, not accounted)."""
    body = bytes(gfe.pdf)
    _audit(
        Action.EXPORT,
        actor,
        gfe.participant,
        gfe,
        {"to": "participant", "document": "good_faith_estimate", "sha256": gfe.sha256, "copy": True},
    )
    return body
