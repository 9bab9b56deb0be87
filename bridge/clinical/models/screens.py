"""Drug screens (urine or oral fluid) with one result per substance tested."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bridge.clinical import uds
from bridge.core.dates import dates_in_range, in_db_range


class DrugScreen(models.Model):
    """One collected specimen and its panel; the services keep `unexpected_positive` from the results."""

    class Specimen(models.TextChoices):
        URINE = "urine", "Urine"
        ORAL_FLUID = "oral_fluid", "Oral fluid"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="drug_screens"
    )
    collected_on = models.DateField(validators=[in_db_range])
    specimen = models.CharField(max_length=12, choices=Specimen.choices, default=Specimen.URINE)
    panel = models.CharField(max_length=4, choices=uds.PANEL_CHOICES)
    observed = models.BooleanField(default=False, help_text="Collection was observed")
    comment = models.CharField(max_length=300, blank=True)
    unexpected_positive = models.BooleanField(default=False)
    # Negative for a medication the participant is prescribed (possible non-adherence or diversion).
    unexpected_negative = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    error_at = models.DateTimeField(null=True, blank=True)
    error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    error_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-collected_on", "-recorded_at"]
        indexes = [models.Index(fields=["participant", "collected_on"], name="screen_participant_day")]
        constraints = [
            dates_in_range("clinical_drugscreen_dates_in_range", dates=["collected_on"]),
            models.CheckConstraint(
                condition=Q(error_at__isnull=True) | (Q(error_by__isnull=False) & ~Q(error_reason="")),
                name="screen_error_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Drug screen {self.collected_on} for {self.participant_id}"


class DrugScreenResult(models.Model):
    """One substance's result on a screen, whether a positive was expected (and why), and any confirmation."""

    class Result(models.TextChoices):
        NEGATIVE = "negative", "Negative"
        POSITIVE = "positive", "Positive"
        INVALID = "invalid", "Invalid"

    class Confirmation(models.TextChoices):
        NONE = "", "Not sent for confirmation"
        PENDING = "pending", "Confirmation pending"
        CONFIRMED_POSITIVE = "confirmed_positive", "Confirmed positive by the lab"
        CONFIRMED_NEGATIVE = "confirmed_negative", "Lab found it negative"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    screen = models.ForeignKey(DrugScreen, on_delete=models.PROTECT, related_name="results")
    substance = models.CharField(max_length=5, choices=list(uds.SUBSTANCES.items()))
    result = models.CharField(max_length=10, choices=Result.choices)
    confirmation = models.CharField(max_length=20, choices=Confirmation.choices, blank=True, default="")
    expected = models.BooleanField(default=False)
    expected_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["substance"]
        constraints = [
            models.UniqueConstraint(fields=["screen", "substance"], name="one_result_per_substance"),
            models.CheckConstraint(
                condition=Q(expected=False) | Q(result="positive"), name="only_positives_expected"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.substance}: {self.result}"

    @property
    def classification(self) -> str:
        expected = {self.substance: self.expected_reason} if self.expected else {}
        return uds.classify(self.substance, self.result, expected, self.confirmation)
