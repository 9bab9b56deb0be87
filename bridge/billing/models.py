"""The revenue cycle: payers and plans, each participant's coverages, authorizations and reviews,
Medicare certifications, charges from signed attendance, claims, remittances and denials.

Nothing here is deleted. Coverages end (`ends_on`), authorizations change status, a charge is voided
with a reason, a claim moves through its statuses, and remittance postings are append-only rows.
Figures (units used, days in A/R, denial rates) are computed from these rows; no summary tables.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from bridge.core.dates import dates_in_range, in_db_range
from bridge.participants.models import LevelOfCare


class PayerKind(models.TextChoices):
    MEDICARE = "medicare", "Medicare"
    MEDICAID = "medicaid", "Medicaid / managed Medicaid"
    COMMERCIAL = "commercial", "Commercial"
    SELF_PAY = "self_pay", "Self-pay"
    GRANT = "grant", "Grant"


class ClaimFormat(models.TextChoices):
    PROFESSIONAL = "837p", "837P professional (CMS-1500)"
    INSTITUTIONAL = "837i", "837I institutional (UB-04)"


class BillingProfile(models.Model):
    """The program as a billing provider: NPI, tax id, taxonomy and pay-to address on every claim."""

    program = models.OneToOneField("programs.Program", on_delete=models.PROTECT, related_name="billing")
    organization_name = models.CharField(max_length=120)
    npi = models.CharField("NPI", max_length=10)
    tax_id = models.CharField("EIN", max_length=9)
    taxonomy = models.CharField(max_length=10, default="261QR0405X")  # clinic: substance use disorder
    address = models.CharField(max_length=55)
    city = models.CharField(max_length=30)
    state = models.CharField(max_length=2)
    zip_code = models.CharField(max_length=9)
    submitter_id = models.CharField(max_length=15, default="BRIDGE")
    contact_phone = models.CharField(max_length=10, default="5105550100")

    def __str__(self) -> str:
        return f"{self.organization_name} (NPI {self.npi})"


class Payer(models.Model):
    """An insurer or other source of payment the program bills, with what it requires.

    `rule` links the payer to the scheduling app's qualifying-hours rule (which services count and
    are billable for it); `claim_format` says whether it takes 837P or 837I.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="payers")
    name = models.CharField(max_length=120)
    payer_id = models.CharField("payer id", max_length=20, help_text="The id the clearinghouse knows it by")
    kind = models.CharField(max_length=12, choices=PayerKind.choices)
    claim_format = models.CharField(
        max_length=4, choices=ClaimFormat.choices, default=ClaimFormat.PROFESSIONAL
    )
    rule = models.ForeignKey(
        "scheduling.PayerRule", null=True, blank=True, on_delete=models.PROTECT, related_name="billing_payers"
    )
    requires_authorization = models.BooleanField(default=True)
    requires_certification = models.BooleanField(
        default=False, help_text="Medicare IOP: physician certification"
    )
    review_every_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Concurrent review every N days (empty: none)"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "name"]
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="billing_payer_unique")]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    """A plan (product) of a payer: 'Blue Shield PPO', 'Medi-Cal DMC-ODS Alameda'."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["payer__name", "name"]
        constraints = [models.UniqueConstraint(fields=["payer", "name"], name="billing_plan_unique")]

    def __str__(self) -> str:
        return f"{self.payer.name} — {self.name}"


class Coverage(models.Model):
    """One participant's insurance under one plan, in order (primary first), for a span of dates.

    A change of insurance ends the row (`ends_on`) and starts a new one; corrections of a typo edit
    it (audited with the fields changed). One open coverage per order per participant.
    """

    class Order(models.IntegerChoices):
        PRIMARY = 1, "Primary"
        SECONDARY = 2, "Secondary"
        TERTIARY = 3, "Tertiary"

    class Relationship(models.TextChoices):
        # X12 individual relationship codes (SBR02 / PAT01).
        SELF = "18", "Self"
        SPOUSE = "01", "Spouse"
        CHILD = "19", "Child"
        OTHER = "G8", "Other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="coverages"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="coverages")
    order = models.PositiveSmallIntegerField(choices=Order.choices, default=Order.PRIMARY)
    member_id = models.CharField("member id", max_length=40)
    group_number = models.CharField(max_length=40, blank=True)
    relationship = models.CharField(
        "subscriber is the participant's",
        max_length=2,
        choices=Relationship.choices,
        default=Relationship.SELF,
    )
    subscriber_first_name = models.CharField(max_length=60, blank=True, help_text="When not the participant")
    subscriber_last_name = models.CharField(max_length=60, blank=True)
    subscriber_date_of_birth = models.DateField(null=True, blank=True, validators=[in_db_range])
    effective_on = models.DateField(validators=[in_db_range])
    ends_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "-effective_on"]
        constraints = [
            dates_in_range(
                "billing_coverage_dates_in_range",
                dates=["subscriber_date_of_birth", "effective_on", "ends_on"],
            ),
            models.UniqueConstraint(
                fields=["participant", "order"],
                condition=Q(ends_on__isnull=True),
                name="one_open_coverage_per_order",
                violation_error_message=(
                    "This participant already has an open coverage in that order (primary, secondary…): "
                    "end it first, or choose another order."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("effective_on")),
                name="coverage_ends_after_start",
                violation_error_message="The coverage ends before it starts: check the dates.",
            ),
            models.CheckConstraint(
                condition=Q(relationship="18") | (~Q(subscriber_first_name="") & ~Q(subscriber_last_name="")),
                name="coverage_other_subscriber_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_order_display()}: {self.plan} #{self.member_id}"

    def covers(self, day: date) -> bool:
        return self.effective_on <= day and (self.ends_on is None or day <= self.ends_on)

    @property
    def payer(self) -> Payer:
        return self.plan.payer


# More units than any authorization gives (days, visits or units): a typing slip, not a payer's answer.
MAX_AUTHORIZED_UNITS = 1000


class Authorization(models.Model):
    """A payer's approval of services for a span: level of care, codes, units (or visits/days).

    Units used are counted from the charges against it (`queries.authorization_usage`), so they
    never drift from what was billed.
    """

    class Unit(models.TextChoices):
        DAYS = "days", "Days (per diem)"
        VISITS = "visits", "Visits"
        UNITS = "units", "Units"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        CLOSED = "closed", "Closed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="authorizations"
    )
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="authorizations")
    level_of_care = models.CharField(
        max_length=5, choices=LevelOfCare.choices, default=LevelOfCare.INTENSIVE_OUTPATIENT
    )
    service_codes = models.JSONField(
        default=list, blank=True, help_text="Codes it covers; empty: every IOP code"
    )
    unit = models.CharField(max_length=6, choices=Unit.choices, default=Unit.DAYS)
    units_approved = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    starts_on = models.DateField(validators=[in_db_range])
    ends_on = models.DateField(validators=[in_db_range])
    reference_number = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    next_review_on = models.DateField(
        null=True, blank=True, help_text="Concurrent review due", validators=[in_db_range]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            dates_in_range(
                "billing_authorization_dates_in_range", dates=["starts_on", "ends_on", "next_review_on"]
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="authorization_ends_after_start",
                violation_error_message="The authorization ends before it starts: check the dates.",
            ),
        ]

    def __str__(self) -> str:
        return f"Authorization {self.reference_number} ({self.starts_on} to {self.ends_on})"

    def covers(self, day: date, code: str = "") -> bool:
        return (
            self.status == self.Status.APPROVED
            and self.starts_on <= day <= self.ends_on
            and (not code or not self.service_codes or code in self.service_codes)
        )


class UtilizationReview(models.Model):
    """One concurrent review with the payer: when it was due, what was asked, what came back."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved (units added)"
        DENIED = "denied", "Denied"
        PEER_TO_PEER = "peer_to_peer", "Peer-to-peer requested"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    authorization = models.ForeignKey(Authorization, on_delete=models.PROTECT, related_name="reviews")
    due_on = models.DateField(validators=[in_db_range])
    outcome = models.CharField(max_length=14, choices=Outcome.choices, default=Outcome.PENDING)
    approved_units = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_on", "-recorded_at"]
        constraints = [dates_in_range("billing_utilizationreview_dates_in_range", dates=["due_on"])]

    def __str__(self) -> str:
        return f"Review due {self.due_on}: {self.get_outcome_display()}"


class Certification(models.Model):
    """A Medicare IOP certification (at admission) or recertification by a physician or eligible
    practitioner: the need for at least 9 hours a week, the findings, the plan's diagnosis and the
    type, amount, frequency and duration of services. Valid through `valid_through` (at most about
    two months: recertification at least every other month)."""

    class Kind(models.TextChoices):
        CERTIFICATION = "certification", "Certification"
        RECERTIFICATION = "recertification", "Recertification"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="certifications"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    needs_nine_hours = models.BooleanField(help_text="Needs at least 9 hours a week of IOP services")
    findings = models.TextField(help_text="The patient-criteria findings")
    diagnosis = models.CharField(max_length=10, help_text="ICD-10-CM code")
    services_plan = models.CharField(
        max_length=300, help_text="Type, amount, frequency and duration of services"
    )
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField(validators=[in_db_range])
    valid_from = models.DateField(validators=[in_db_range])
    valid_through = models.DateField(validators=[in_db_range])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            dates_in_range(
                "billing_certification_dates_in_range", dates=["signed_on", "valid_from", "valid_through"]
            ),
            models.CheckConstraint(
                condition=Q(valid_through__gte=F("valid_from")), name="certification_span"
            ),
            models.CheckConstraint(
                condition=Q(needs_nine_hours=True), name="certification_states_nine_hours"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.valid_from} to {self.valid_through}"


class FeeLine(models.Model):
    """One line of a payer's fee schedule, effective from a date (a new row is a new version).

    `applies_to` is a session category (scheduling.SessionType.Category) or "per_diem" for a daily
    IOP line (H0015, S9480, revenue code 0905/0906) built from the day's qualifying services.
    """

    class UnitRule(models.TextChoices):
        PER_DIEM = "per_diem", "Per diem"
        PER_SESSION = "per_session", "Per session"
        PER_15_MIN = "per_15", "Per 15 minutes"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="fee_lines")
    effective_on = models.DateField(validators=[in_db_range])
    applies_to = models.CharField(max_length=20)
    tier = models.CharField(max_length=12, blank=True, help_text="Medicare per diem: '3' or '4+'")
    code = models.CharField(max_length=5)
    modifiers = models.CharField(max_length=11, blank=True, help_text="Colon-separated, e.g. HF:HQ")
    revenue_code = models.CharField(max_length=4, blank=True)
    place_of_service = models.CharField(max_length=2, default="57")  # non-residential SUD facility
    unit_rule = models.CharField(max_length=12, choices=UnitRule.choices, default=UnitRule.PER_SESSION)
    max_units_per_day = models.PositiveSmallIntegerField(default=1)
    rate = models.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        ordering = ["payer", "applies_to", "-effective_on"]
        constraints = [
            dates_in_range("billing_feeline_dates_in_range", dates=["effective_on"]),
            models.UniqueConstraint(
                fields=["payer", "applies_to", "tier", "effective_on"], name="fee_line_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payer.name} {self.code} from {self.effective_on}"


class Claim(models.Model):
    """One claim to one payer for one participant's charges, and where it stands."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        PAID = "paid", "Paid"
        DENIED = "denied", "Denied"
        ADJUSTED = "adjusted", "Adjusted"
        REPLACED = "replaced", "Replaced"
        VOIDED = "voided", "Voided"

    class Frequency(models.TextChoices):
        # X12 claim frequency type code (CLM05-3; on the 837I the type of bill's last digit).
        ORIGINAL = "1", "Original"
        REPLACEMENT = "7", "Replacement of a prior claim"
        VOID = "8", "Void of a prior claim"

    # A claim in these statuses can be corrected and resubmitted (replaced, voided or sent afresh).
    CORRECTABLE = (Status.REJECTED, Status.DENIED, Status.ADJUSTED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="claims")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="claims"
    )
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="claims")
    claim_format = models.CharField(max_length=4, choices=ClaimFormat.choices)
    number = models.CharField(max_length=20, unique=True, help_text="Patient control number (CLM01)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    paid = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    file_name = models.CharField(max_length=200, blank=True)
    status_reason = models.CharField(
        max_length=500, blank=True, help_text="Why, in words, from the last 999/277CA acknowledgement"
    )
    payer_claim_number = models.CharField(
        max_length=50,
        blank=True,
        help_text="The payer's claim control number (277CA REF*1K or 835 CLP07): sent as REF*F8 "
        "when the claim is replaced or voided",
    )
    frequency = models.CharField(max_length=1, choices=Frequency.choices, default=Frequency.ORIGINAL)
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        help_text="The earlier claim this one replaces, voids or resends (kept, shown as replaced)",
    )
    correction = models.CharField(max_length=300, blank=True, help_text="What was corrected, and why")
    lines_sent = models.JSONField(
        default=list,
        blank=True,
        help_text="The lines as they stood when this claim was replaced (its charges moved on)",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A replacement or void names the payer's claim number of the claim it follows (REF*F8).
            models.CheckConstraint(
                condition=Q(frequency="1") | Q(replaces__isnull=False), name="claim_correction_follows_one"
            ),
        ]

    def __str__(self) -> str:
        return f"Claim {self.number}"

    @property
    def overpaid(self) -> Decimal:
        """What the payer paid beyond the claim's total (0 when not): a refund to the payer may be due."""
        return max(self.paid - self.total, Decimal("0"))


class ClaimAcknowledgement(models.Model):
    """One 999 or 277CA acknowledgement as received, kept whole; claims' statuses follow from it."""

    class Kind(models.TextChoices):
        FILE = "999", "999 (file acknowledgement)"
        CLAIMS = "277CA", "277CA (claim acknowledgement)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    control_number = models.CharField(max_length=9, help_text="The acknowledgement's ISA13")
    file_name = models.CharField(max_length=200)
    content = models.TextField()
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind", "control_number"], name="claim_acknowledgement_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.control_number}"


class Charge(models.Model):
    """One billable line from signed, attended, qualifying services: one session, or one day (per diem).

    Created only by the charge builder when every condition holds; a mistaken charge is voided
    with the reason, never deleted. One live charge per attendance, and one per participant-day for
    per-diem lines (database constraints).
    """

    class Status(models.TextChoices):
        READY = "ready", "Ready to bill"
        BILLED = "billed", "On a claim"
        SELF_PAY = "self_pay", "Self-pay (billed to the participant)"
        VOID = "void", "Voided"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="charges")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="charges"
    )
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="charges")
    authorization = models.ForeignKey(
        Authorization, null=True, blank=True, on_delete=models.PROTECT, related_name="charges"
    )
    service_date = models.DateField(validators=[in_db_range])
    per_diem = models.BooleanField(default=False)
    attendance = models.ForeignKey(
        "scheduling.Attendance", null=True, blank=True, on_delete=models.PROTECT, related_name="charges"
    )
    sessions = models.JSONField(default=list, help_text="Session ids the line stands for")
    code = models.CharField(max_length=5)
    modifiers = models.CharField(max_length=11, blank=True)
    revenue_code = models.CharField(max_length=4, blank=True)
    place_of_service = models.CharField(max_length=2, default="57")
    units = models.PositiveSmallIntegerField(default=1)
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    diagnosis = models.CharField(max_length=10)
    level_of_care = models.CharField(max_length=5, choices=LevelOfCare.choices)
    rendering = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rendering_credential = models.CharField(max_length=12)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.READY)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="lines")
    # Self-pay: the participant's own bill. Never on a claim; priced from the self-pay fee schedule,
    # less the sliding-fee discount of the participant's tier on the service date.
    self_pay = models.BooleanField(default=False)
    discount = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal("0"))
    fee_tier = models.CharField(max_length=80, blank=True, help_text="The sliding-fee tier applied, in words")
    void_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["service_date", "created_at"]
        constraints = [
            dates_in_range("billing_charge_dates_in_range", dates=["service_date"]),
            models.UniqueConstraint(
                fields=["attendance"],
                condition=~Q(status="void") & Q(attendance__isnull=False),
                name="one_live_charge_per_attendance",
            ),
            models.UniqueConstraint(
                fields=["participant", "service_date"],
                condition=~Q(status="void") & Q(per_diem=True),
                name="one_live_per_diem_per_day",
            ),
            models.CheckConstraint(
                condition=~Q(status="void") | ~Q(void_reason=""), name="charge_void_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="billed") | Q(claim__isnull=False), name="billed_charge_has_claim"
            ),
            # A self-pay charge is the participant's bill: never ready for a claim, never on one.
            models.CheckConstraint(
                condition=(Q(self_pay=True) & Q(status__in=["self_pay", "void"]) & Q(claim__isnull=True))
                | (Q(self_pay=False) & ~Q(status="self_pay")),
                name="self_pay_charge_never_claimed",
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0) & Q(discount__lte=F("amount")),
                name="charge_discount_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["program", "status", "service_date"], name="charge_program_status")]

    def __str__(self) -> str:
        return f"{self.code} on {self.service_date} for {self.participant_id}"

    @property
    def owed(self) -> Decimal:
        """What the participant owes for a self-pay line (the amount less the sliding-fee discount)."""
        return self.amount - self.discount


class Remittance(models.Model):
    """One 835 remittance advice as received: who paid, the check/EFT, the file, when it was posted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="remittances")
    payer_name = models.CharField(max_length=120)
    trace_number = models.CharField(max_length=50)
    paid_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    total_paid = models.DecimalField(max_digits=11, decimal_places=2)
    file_name = models.CharField(max_length=200)
    content = models.TextField()
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-posted_at"]
        constraints = [
            dates_in_range("billing_remittance_dates_in_range", dates=["paid_on"]),
            models.UniqueConstraint(fields=["program", "trace_number"], name="remittance_once"),
        ]

    def __str__(self) -> str:
        return f"835 {self.trace_number} from {self.payer_name}"


class Posting(models.Model):
    """One payment or adjustment posted from a remittance to a claim (and a line when given)."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", "Payment"
        ADJUSTMENT = "adjustment", "Adjustment"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, related_name="postings")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="postings")
    charge = models.ForeignKey(
        Charge, null=True, blank=True, on_delete=models.PROTECT, related_name="postings"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    group_code = models.CharField(max_length=2, blank=True)  # CO, PR, OA, PI
    reason_code = models.CharField(max_length=5, blank=True)  # CARC
    remark_codes = models.CharField(max_length=60, blank=True)  # RARC, comma-separated
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} on {self.claim_id}"


class Denial(models.Model):
    """A denied claim or line on the denials work list, with the reason and the next step."""

    class NextStep(models.TextChoices):
        CORRECT = "correct", "Correct and resubmit"
        APPEAL = "appeal", "Appeal"
        WRITE_OFF = "write_off", "Write off"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="denials")
    charge = models.ForeignKey(
        Charge, null=True, blank=True, on_delete=models.PROTECT, related_name="denials"
    )
    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, related_name="denials")
    group_code = models.CharField(max_length=2)
    reason_code = models.CharField(max_length=5)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    next_step = models.CharField(max_length=10, choices=NextStep.choices, blank=True)
    resolution = models.CharField(max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["resolved_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | (~Q(next_step="") & ~Q(resolution="")),
                name="denial_resolution_complete",
            )
        ]

    def __str__(self) -> str:
        return f"Denial {self.group_code}-{self.reason_code} on {self.claim_id}"


class EligibilityCheck(models.Model):
    """One 270 eligibility request for a coverage and, once read, its 271 response in plain words."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="eligibility_checks")
    control_number = models.CharField(max_length=9)
    request = models.TextField()
    response = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"270 {self.control_number} for {self.coverage_id}"


class SlidingFeeScale(models.Model):
    """The program's sliding-fee scale for self-pay participants, effective from a date (a new row is a
    new version; the one in effect on a service date prices it).

    `tiers`: in order, each {"up_to_percent": int or null (the last, open tier), "kind": "nominal" or
    "discount" or "full", "value": "20.00" (nominal fee per charge line) or "50" (percent off)}. A
    household at exactly a tier's bound belongs to that tier (at 100% of poverty: the "up to 100%" tier).
    """

    class Kind(models.TextChoices):
        NOMINAL = "nominal", "Nominal fee per service"
        DISCOUNT = "discount", "Percent discount"
        FULL = "full", "Full fee"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="sliding_fees")
    effective_on = models.DateField(validators=[in_db_range])
    tiers = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["program", "-effective_on"]
        constraints = [
            dates_in_range("billing_slidingfeescale_dates_in_range", dates=["effective_on"]),
            models.UniqueConstraint(fields=["program", "effective_on"], name="sliding_fee_version_unique"),
        ]

    def __str__(self) -> str:
        return f"Sliding-fee scale from {self.effective_on}"


class HouseholdIncome(models.Model):
    """A participant's household size and yearly income, as attested on a date (self-attestation is
    allowed), for the sliding-fee scale. A new attestation is a new row; the latest on or before a
    service date applies. Never edited or deleted."""

    class Source(models.TextChoices):
        SELF = "self", "Self-attested by the participant"
        DOCUMENTS = "documents", "Documents seen (pay stubs, tax return, benefit letter)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="household_incomes"
    )
    household_size = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    annual_income = models.DecimalField(max_digits=10, decimal_places=2)
    attested_on = models.DateField(validators=[in_db_range])
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SELF)
    attested_by = models.CharField(
        max_length=120, help_text="Who attested: the participant's name, or who saw the documents"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-attested_on", "-recorded_at"]
        constraints = [
            dates_in_range("billing_householdincome_dates_in_range", dates=["attested_on"]),
            models.CheckConstraint(
                condition=Q(household_size__gte=1) & Q(household_size__lte=30), name="household_size_sane"
            ),
            models.CheckConstraint(condition=Q(annual_income__gte=0), name="household_income_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Household of {self.household_size}, ${self.annual_income} a year ({self.attested_on})"


class GoodFaithEstimate(models.Model):
    """A good-faith estimate given to a self-pay participant (No Surprises Act, 45 CFR 149.610):
    the expected services and charges, kept as given (the PDF, its SHA-256, who and when)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="good_faith_estimates"
    )
    number = models.CharField(max_length=20, unique=True)
    requested_on = models.DateField(
        validators=[in_db_range], help_text="When the services were scheduled or the estimate asked for"
    )
    first_service_on = models.DateField(validators=[in_db_range])
    weeks = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    due_by = models.DateField(validators=[in_db_range], help_text="The latest day 45 CFR 149.610 allows")
    lines = models.JSONField(help_text="The expected services as estimated")
    total_charges = models.DecimalField(max_digits=10, decimal_places=2)
    total_discount = models.DecimalField(max_digits=10, decimal_places=2)
    total_due = models.DecimalField(max_digits=10, decimal_places=2)
    fee_tier = models.CharField(max_length=80)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(default=timezone.now, validators=[in_db_range])

    class Meta:
        ordering = ["-given_at"]
        constraints = [
            dates_in_range(
                "billing_gfe_dates_in_range",
                dates=["requested_on", "first_service_on", "due_by"],
                moments=["given_at"],
            ),
            models.CheckConstraint(
                condition=Q(total_due=F("total_charges") - F("total_discount")) & Q(total_discount__gte=0),
                name="gfe_totals_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"Good-faith estimate {self.number}"


class PatientPayment(models.Model):
    """A payment from a self-pay participant, or the reversal of one (a bounced check, a mistake).

    Append-only: never edited or deleted (database triggers). A mistaken payment is corrected by a
    reversal row for the negative of its amount, naming it and the reason.
    """

    class Kind(models.TextChoices):
        PAYMENT = "payment", "Payment"
        REVERSAL = "reversal", "Reversal"

    class Method(models.TextChoices):
        CASH = "cash", "Cash"
        CHECK = "check", "Check"
        CARD = "card", "Debit or credit card"
        MONEY_ORDER = "money_order", "Money order"
        OTHER = "other", "Other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="patient_payments"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PAYMENT)
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    method = models.CharField(max_length=12, choices=Method.choices)
    reference = models.CharField(max_length=40, blank=True, help_text="Check or receipt number")
    received_on = models.DateField(validators=[in_db_range])
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_on", "recorded_at"]
        constraints = [
            dates_in_range("billing_patientpayment_dates_in_range", dates=["received_on"]),
            models.CheckConstraint(
                condition=(Q(kind="payment") & Q(amount__gt=0) & Q(reverses__isnull=True))
                | (Q(kind="reversal") & Q(amount__lt=0) & Q(reverses__isnull=False) & ~Q(reason="")),
                name="patient_payment_or_reversal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} on {self.received_on}"
