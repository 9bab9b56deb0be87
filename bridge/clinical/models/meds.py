"""Medication-assisted treatment: orders with their dose history, in-clinic doses, methadone from an OTP."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from bridge.clinical import medication
from bridge.core.dates import dates_in_range, in_db_range


class MedicationOrder(models.Model):
    """A MAT order by a prescriber on the care team. The dose in force is the latest DoseChange."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Once a day"
        BID = "bid", "Twice a day"
        TID = "tid", "Three times a day"
        QID = "qid", "Four times a day"
        QHS = "qhs", "At bedtime"
        WEEKLY = "weekly", "Once a week"
        MONTHLY = "monthly", "Once a month (every 28 days or more)"
        PRN = "prn", "As needed (overdose: one dose, repeat if no response)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Not a column: the latest dose given, set on injectable orders by the chart's queries.
    last_dose: Administration | None
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="medication_orders"
    )
    drug = models.CharField(max_length=30, choices=medication.DRUG_CHOICES)
    dose = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit = models.CharField(max_length=10, default="mg")
    route = models.CharField(max_length=15, choices=medication.ROUTE_CHOICES)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    reason = models.CharField(max_length=200, help_text="Indication, e.g. opioid use disorder")
    # Why a dose outside the catalogue's usual range was confirmed (empty when it is within it).
    unusual_dose_reason = models.CharField(max_length=300, blank=True)
    prescriber = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The prescription-monitoring (PDMP) check behind a controlled-substance order: when, and who
    # looked (the program's rule counts hours, so the moment is kept, not only the day).
    pdmp_checked_at = models.DateTimeField(null=True, blank=True, validators=[in_db_range])
    pdmp_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    start_on = models.DateField(validators=[in_db_range])
    stop_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    stop_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_on"]
        constraints = [
            dates_in_range(
                "clinical_medicationorder_dates_in_range",
                dates=["start_on", "stop_on"],
                moments=["pdmp_checked_at"],
            ),
            models.UniqueConstraint(
                fields=["participant", "drug"],
                condition=Q(stop_on__isnull=True),
                name="one_active_order_per_drug",
            ),
            models.CheckConstraint(
                condition=Q(stop_on__isnull=True) | (Q(stop_on__gte=F("start_on")) & ~Q(stop_reason="")),
                name="order_stop_after_start_with_reason",
            ),
            models.CheckConstraint(
                condition=~Q(drug__in=[c for c, d in medication.DRUGS.items() if d.needs_pdmp])
                | Q(pdmp_checked_at__isnull=False, pdmp_checked_by__isnull=False),
                name="controlled_order_has_pdmp_check",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_drug_display()} {self.dose} {self.unit} {self.get_frequency_display()}"

    @property
    def is_active(self) -> bool:
        return self.stop_on is None

    @property
    def spec(self) -> medication.Drug:
        return medication.DRUGS[self.drug]


class DoseChange(models.Model):
    """One dose in an order's history, from the first dose onwards. Never edited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(MedicationOrder, on_delete=models.PROTECT, related_name="dose_changes")
    dose = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    frequency = models.CharField(max_length=10, choices=MedicationOrder.Frequency.choices)
    effective_on = models.DateField(validators=[in_db_range])
    reason = models.CharField(max_length=200)
    unusual_dose_reason = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [dates_in_range("clinical_dosechange_dates_in_range", dates=["effective_on"])]
        ordering = ["effective_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.dose} from {self.effective_on}"


class Administration(models.Model):
    """A dose given in the clinic (an injection): lot, site, who gave it, and when the next is due."""

    class Site(models.TextChoices):
        ABDOMEN_LEFT = "abdomen_left", "Abdomen, left"
        ABDOMEN_RIGHT = "abdomen_right", "Abdomen, right"
        GLUTEAL_LEFT = "gluteal_left", "Gluteal, left"
        GLUTEAL_RIGHT = "gluteal_right", "Gluteal, right"
        THIGH_LEFT = "thigh_left", "Thigh, left"
        THIGH_RIGHT = "thigh_right", "Thigh, right"
        ARM_LEFT = "arm_left", "Upper arm, left"
        ARM_RIGHT = "arm_right", "Upper arm, right"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(MedicationOrder, on_delete=models.PROTECT, related_name="administrations")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="administrations"
    )
    given_at = models.DateTimeField(validators=[in_db_range])
    dose = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    lot_number = models.CharField(max_length=40)
    site = models.CharField(max_length=15, choices=Site.choices)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    next_due_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    comment = models.CharField(max_length=300, blank=True)
    # Early (before the drug's minimum interval) or at a site the drug is not given in: the warnings
    # shown and the reason the nurse gave to go ahead.
    warnings = models.JSONField(default=list, blank=True)
    warning_reason = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    error_at = models.DateTimeField(null=True, blank=True)
    error_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["participant", "given_at"], name="administration_participant")]
        constraints = [
            dates_in_range(
                "clinical_administration_dates_in_range", dates=["next_due_on"], moments=["given_at"]
            ),
            models.CheckConstraint(condition=~Q(lot_number=""), name="administration_has_lot"),
            models.CheckConstraint(
                condition=Q(error_at__isnull=True) | ~Q(error_reason=""),
                name="administration_error_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(warnings=[]) | ~Q(warning_reason=""), name="injection_warning_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} given {self.given_at:%Y-%m-%d}"


class OtpEnrollment(models.Model):
    """Methadone dispensed by an external opioid treatment program (OTP): who to coordinate with."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="otp_enrollments"
    )
    otp_name = models.CharField("Opioid treatment program", max_length=200)
    contact_name = models.CharField(max_length=150)
    contact_phone = models.CharField(max_length=30)
    reported_dose = models.CharField(
        max_length=60, blank=True, help_text="As reported by the OTP, e.g. 80 mg daily"
    )
    started_on = models.DateField(validators=[in_db_range])
    ended_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    end_reason = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            dates_in_range("clinical_otpenrollment_dates_in_range", dates=["started_on", "ended_on"]),
            models.UniqueConstraint(
                fields=["participant"], condition=Q(ended_on__isnull=True), name="one_active_otp_enrollment"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | (Q(ended_on__gte=F("started_on")) & ~Q(end_reason="")),
                name="otp_end_after_start_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Methadone at {self.otp_name}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class OtpCoordinationNote(models.Model):
    """A contact with the OTP: what was shared or learned (dose changes, missed doses, take-homes)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrollment = models.ForeignKey(OtpEnrollment, on_delete=models.PROTECT, related_name="coordination_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Coordination note {self.created_at:%Y-%m-%d}"


class NaloxoneOffer(models.Model):
    """A naloxone overdose-reversal kit offered to a participant with opioid use disorder, and the answer."""

    class Outcome(models.TextChoices):
        GIVEN = "given", "Accepted: kit given in the clinic"
        PRESCRIBED = "prescribed", "Accepted: prescribed (pharmacy)"
        HAS_ONE = "has_one", "Already has a kit"
        DECLINED = "declined", "Declined"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="naloxone_offers"
    )
    offered_on = models.DateField(validators=[in_db_range])
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    note = models.CharField(max_length=300, blank=True)
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [dates_in_range("clinical_naloxoneoffer_dates_in_range", dates=["offered_on"])]
        ordering = ["-offered_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"Naloxone offered {self.offered_on}: {self.outcome}"


class PdmpSetting(models.Model):
    """A program's prescription-monitoring (PDMP) rule, by its state: how recent a check must be
    before the first controlled-substance prescription, and how often it is repeated after.

    Without a row the California CURES rule applies: within 24 hours before, then every 6 months.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.OneToOneField("programs.Program", on_delete=models.PROTECT, related_name="pdmp_setting")
    state = models.CharField(max_length=2, help_text="Two-letter state code")
    system_name = models.CharField(max_length=60, default="CURES", help_text="e.g. CURES (California)")
    window_hours = models.PositiveSmallIntegerField(
        "Check within (hours) before the first controlled-substance prescription",
        default=medication.PDMP_WINDOW_HOURS,
        validators=[MinValueValidator(1)],
    )
    recheck_days = models.PositiveSmallIntegerField(
        "Check again at least every (days) while it continues",
        default=medication.PDMP_RECHECK_DAYS,
        validators=[MinValueValidator(1)],
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    window_hours__gte=1, window_hours__lte=24 * 30, recheck_days__gte=1, recheck_days__lte=366
                ),
                name="pdmp_setting_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"PDMP rule of {self.program_id}: {self.window_hours} h, every {self.recheck_days} days"
