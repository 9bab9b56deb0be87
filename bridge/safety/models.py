"""Clinical safety: signals of risk raised from any channel and what was done about each (the
disposition), and the participant's safety plan (Stanley-Brown structure) with its private link."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bridge.core.dates import dates_in_range, in_db_range


class Urgency(models.TextChoices):
    NOW = "now", "Act now (within the hour)"
    SAME_DAY = "same_day", "Today"
    ROUTINE = "routine", "Routine"


class Source(models.TextChoices):
    SELF_CHECK = "self_check", "Public self-check"
    MEASURE_LINK = "measure_link", "Private measure link"
    STAFF_ENTRY = "staff_entry", "Entered by staff"
    INTAKE = "intake_screening", "Intake screening"
    CHECKIN = "checkin", "Aftercare check-in"
    PARTICIPANT_APP = "participant_app", "Participant app"


class SafetySignal(models.Model):
    """One sign of risk about a participant (or an intake lead), raised by a rule from any channel.

    It stays open until someone records the disposition: who (closed_by), when (closed_at) and what
    was done (action_taken) — the database refuses a closed signal without all three. `dedup_key`
    names the record that raised it (a screening, an administration, a check-in) so the same cause
    never raises the same signal twice.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Disposition recorded"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="safety_signals"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    code = models.CharField(max_length=60)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    route = models.TextField(blank=True)
    screening = models.ForeignKey(
        "intake.Screening", on_delete=models.PROTECT, null=True, blank=True, related_name="safety_signals"
    )
    administration = models.ForeignKey(
        "intake.InstrumentAdministration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="safety_signals",
    )
    dedup_key = models.CharField(max_length=100, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_by = models.DateTimeField(validators=[in_db_range])
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action_taken = models.TextField("What was done", blank=True)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [
            models.Index(fields=["participant", "status"], name="safety_signal_participant"),
            models.Index(fields=["program", "status", "urgency"], name="safety_signal_program"),
        ]
        constraints = [
            dates_in_range("safety_safetysignal_dates_in_range", moments=["due_by"]),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (
                    Q(status="closed", closed_at__isnull=False, closed_by__isnull=False) & ~Q(action_taken="")
                ),
                name="closed_signal_says_who_when_what",
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=["now", "same_day", "routine"]), name="safety_signal_urgency_known"
            ),
            models.UniqueConstraint(
                fields=["participant", "code", "dedup_key"],
                condition=~Q(dedup_key=""),
                name="one_signal_per_cause",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.urgency}) for {self.participant_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_by < timezone.now()


# Characters in one part of the safety plan: a page of lines, more than any plan needs, and a bound on
# what one save can store (every change is kept as a version).
PLAN_TEXT_LIMIT = 4000


def _plan_text(label: str) -> models.TextField:
    """One part of the plan: its limit shown by the form (maxlength) and checked by `full_clean`."""
    return models.TextField(
        label, blank=True, max_length=PLAN_TEXT_LIMIT, validators=[MaxLengthValidator(PLAN_TEXT_LIMIT)]
    )


class SafetyPlan(models.Model):
    """The participant's safety plan, written with them (Stanley-Brown structure), one per participant.

    Each list field holds one entry a line. Edited in place; every save that changes it is kept as a
    version.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.PROTECT, related_name="safety_plan"
    )
    warning_signs = _plan_text("1. My warning signs")
    coping = _plan_text("2. Things I can do on my own to take my mind off problems")
    social_distractions = _plan_text("3. People and places that help me feel better")
    people_to_ask = _plan_text("4. People I can ask for help (name and phone)")
    professionals = _plan_text("5. Professionals and services I can call in a crisis")
    safe_environment = _plan_text("6. Making my surroundings safer")
    reason_for_living = _plan_text("The thing most important to me, worth living for")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    FIELDS = (
        "warning_signs",
        "coping",
        "social_distractions",
        "people_to_ask",
        "professionals",
        "safe_environment",
        "reason_for_living",
    )

    def __str__(self) -> str:
        return f"Safety plan of {self.participant_id}"

    def _label(self, name: str) -> str:
        field = self._meta.get_field(name)
        assert isinstance(field, models.Field)  # FIELDS are the plan's own text columns
        return str(field.verbose_name)

    def sections(self) -> list[tuple[str, list[str]]]:
        """(heading, lines) for each part, in order, for the printable and phone pages."""
        return [
            (
                self._label(name),
                [ln for ln in getattr(self, name).splitlines() if ln.strip()],
            )
            for name in self.FIELDS
        ]


class SafetyPlanVersion(models.Model):
    """The safety plan as it stood after each save. Never changed once written."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="safety_plan_version_once")]

    def __str__(self) -> str:
        return f"Safety plan version {self.number}"


class SafetyPlanLink(models.Model):
    """A private link that opens the participant's safety plan on their phone. Only its hash is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"], condition=Q(revoked_at__isnull=True), name="one_live_safety_plan_link"
            )
        ]

    def __str__(self) -> str:
        return f"safety plan link …{self.hint}"
