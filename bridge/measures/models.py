"""Measurement-based care: how often measures are given, private links to answer one, and the
acknowledgement of a safety alert. The answers and scores themselves are intake's
InstrumentAdministration rows (screening empty), so every instrument is stored, scored and
disclosed one way."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from bridge.core.dates import dates_in_range, in_db_range
from bridge.measures.schedule import EVERY_CHOICES, MAX_EVERY_DAYS, MIN_EVERY_DAYS, SCHEDULABLE

INSTRUMENT_CHOICES = [(c, c) for c in SCHEDULABLE]


class MeasureSchedule(models.Model):
    """How often one instrument is given: a program's setting (no participant) or one participant's.

    `every_days` 0 takes the instrument off the schedule. Without a row the defaults in
    schedule.DEFAULT_EVERY_DAYS apply (PHQ-9 and GAD-7 every 14 days, BAM every 30).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measure_schedules",
    )
    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    every_days = models.PositiveSmallIntegerField(choices=EVERY_CHOICES)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "instrument"],
                condition=Q(participant__isnull=True),
                name="one_program_schedule_per_instrument",
            ),
            models.UniqueConstraint(
                fields=["participant", "instrument"],
                condition=Q(participant__isnull=False),
                name="one_participant_schedule_per_instrument",
            ),
            models.CheckConstraint(
                condition=Q(every_days=0) | Q(every_days__gte=MIN_EVERY_DAYS, every_days__lte=MAX_EVERY_DAYS),
                name="measure_schedule_every_days_in_range",
            ),
            models.CheckConstraint(
                condition=Q(instrument__in=list(SCHEDULABLE)), name="measure_schedule_instrument_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} every {self.every_days} days"


class MeasureLink(models.Model):
    """A private link for a participant to answer one assigned measure on their own, without a login.

    The URL carries a random token; only its hash is kept, so the link is shown once when it is made.
    It works once (completing it records the administration), not after `expires_at`, and not once
    staff revoke it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="measure_links"
    )
    instrument = models.CharField(max_length=20, choices=INSTRUMENT_CHOICES)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text="The token's last characters, to tell links apart")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(validators=[in_db_range])
    completed_at = models.DateTimeField(null=True, blank=True)
    administration = models.OneToOneField(
        "intake.InstrumentAdministration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measure_link",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            dates_in_range("measures_measurelink_dates_in_range", moments=["expires_at"]),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="measure_link_expires_later"
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True, administration__isnull=True)
                | Q(completed_at__isnull=False, administration__isnull=False),
                name="completed_measure_link_has_administration",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(completed_at__isnull=True),
                name="measure_link_revoked_or_completed_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} link …{self.hint}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class AlertAcknowledgement(models.Model):
    """A clinician saw a safety alert (PHQ-9 item 9, C-SSRS) on one administration and acted on it.

    Until this row exists the alert stays at the top of the participant's chart.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    administration = models.OneToOneField(
        "intake.InstrumentAdministration", on_delete=models.PROTECT, related_name="acknowledgement"
    )
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="alert_acknowledgements"
    )
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(default=timezone.now)
    note = models.TextField("What was done")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="acknowledgement_says_what_was_done")
        ]

    def __str__(self) -> str:
        return f"Alert on {self.administration_id} acknowledged"
