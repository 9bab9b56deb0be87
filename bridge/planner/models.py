"""Availability, appointment requirements and the solver's proposals for a week.

Times of day here are local to the program (wall-clock), weekdays are 0 = Monday … 6 = Sunday.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from bridge.core.dates import dates_in_range, in_db_range
from bridge.core.weeks import WEEKDAY_NAMES
from bridge.planner.problem import REASON_TEXT, Reason
from bridge.scheduling.models import RequiredCredential, SessionKind

TAKEN_SINCE_PREVIEW = "taken_since_preview"

WEEKDAY_CHOICES = list(WEEKDAY_NAMES.items())
WEEKDAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Modality(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    TELEHEALTH = "telehealth", "Telehealth"
    EITHER = "either", "In person or telehealth"


def _weekly_block_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name=f"{prefix}_ends_after_start"),
        models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name=f"{prefix}_weekday_valid"),
    ]


class ParticipantTimeBlock(models.Model):
    """A weekly span of a participant's time: when they work or care for family, or prefer to come."""

    class Kind(models.TextChoices):
        WORK = "work", "Work"
        FAMILY = "family", "Family or caregiving"
        SCHOOL = "school", "School"
        OTHER = "other", "Other commitment"
        PREFERRED = "preferred", "Preferred time for appointments"

    BUSY = (Kind.WORK, Kind.FAMILY, Kind.SCHOOL, Kind.OTHER)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="time_blocks"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAY_CHOICES)
    start_time = models.TimeField()
    end_time = models.TimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = _weekly_block_constraints("ptime")

    def __str__(self) -> str:
        span = f"{self.start_time:%H:%M}-{self.end_time:%H:%M}"
        return f"{self.get_kind_display()} {WEEKDAY_SHORT[self.weekday]} {span}"

    @property
    def is_busy(self) -> bool:
        return self.kind in self.BUSY


class ClinicianSchedule(models.Model):
    """A staff member's appointment capacity and telehealth room at one program."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinician_schedules"
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="clinician_schedules"
    )
    weekly_capacity_minutes = models.PositiveSmallIntegerField(
        "Appointment capacity (minutes a week)",
        default=20 * 60,
        validators=[MinValueValidator(0), MaxValueValidator(60 * 60)],
        help_text="Individual, family and medication appointments the solver may give them in a week.",
    )
    telehealth_url = models.URLField(
        "Telehealth room link", blank=True, help_text="Where participants join telehealth appointments."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "program"], name="one_clinician_schedule")]

    def __str__(self) -> str:
        return f"{self.staff} at {self.program}: {self.weekly_capacity_minutes} min/week"


class ClinicianHours(models.Model):
    """A weekly span in which a staff member works and can see participants at one program."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinician_hours"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="clinician_hours")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAY_CHOICES)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        verbose_name_plural = "clinician hours"
        constraints = _weekly_block_constraints("chours")

    def __str__(self) -> str:
        return f"{self.staff} {WEEKDAY_SHORT[self.weekday]} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class AppointmentRule(models.Model):
    """A program's standing requirement: e.g. a 50-minute individual session every week with the
    participant's primary clinician. Participants may have it changed or waived (ParticipantRequirement)."""

    class ClinicianFrom(models.TextChoices):
        PRIMARY = "primary", "Their primary clinician"
        PRESCRIBER = "prescriber", "A prescriber on their care team"
        ANY = "any", "Any qualified clinician of the program"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="appointment_rules"
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=SessionKind.choices)
    session_type = models.ForeignKey(
        "scheduling.SessionType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(10), MaxValueValidator(240)])
    every_weeks = models.PositiveSmallIntegerField(
        "Every … weeks", default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    clinician_from = models.CharField(
        max_length=12, choices=ClinicianFrom.choices, default=ClinicianFrom.PRIMARY
    )
    required_credential = models.CharField(
        max_length=12, choices=RequiredCredential.choices, default=RequiredCredential.CLINICIAN
    )
    modality = models.CharField(max_length=12, choices=Modality.choices, default=Modality.EITHER)
    seats = models.PositiveSmallIntegerField(
        "Seats needed in the room", default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    applies_by_default = models.BooleanField(
        default=True, help_text="Off: only participants for whom it is switched on need it."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind"],
                condition=Q(is_active=True),
                name="one_active_rule_per_kind",
                violation_error_message=(
                    "This program already has an active rule for this kind of appointment. "
                    "Switch that rule off first, or save this one as not active."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["individual", "family", "medication", "drug_screen"]),
                name="rule_kind_is_an_appointment",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ParticipantRequirement(models.Model):
    """One participant's change to a program rule: waived, switched on, or a different cadence."""

    class Status(models.TextChoices):
        REQUIRED = "required", "Needed"
        WAIVED = "waived", "Not needed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="appointment_requirements"
    )
    rule = models.ForeignKey(AppointmentRule, on_delete=models.PROTECT, related_name="overrides")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUIRED)
    every_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(10), MaxValueValidator(240)]
    )
    modality = models.CharField(max_length=12, choices=Modality.choices, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "rule"], name="one_override_per_rule")]

    def __str__(self) -> str:
        return f"{self.rule} for {self.participant_id}: {self.status}"


class ScheduleRun(models.Model):
    """One run of the solver for a program's ISO week: a proposal, then (once) committed."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        COMMITTED = "committed", "Committed"
        DISCARDED = "discarded", "Discarded"
        ADDED = "added", "Added to the committed week"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="schedule_runs")
    week_start = models.DateField(help_text="The Monday of the ISO week", validators=[in_db_range])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    solver = models.CharField(max_length=12, default="cp-sat")
    solver_status = models.CharField(max_length=20, blank=True)
    seconds = models.FloatField(default=0)
    objective = models.IntegerField(default=0)
    requested = models.PositiveIntegerField(default=0)
    placed = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=list, blank=True)
    # Per clinician at proposal time: [{"staff": id, "name", "booked", "added", "capacity"}] in minutes.
    loads = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True)
    # A top-up: made after the week was committed, it places only what is still due (new admissions,
    # changed needs) around everything already on the calendar.
    is_top_up = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            dates_in_range("planner_schedulerun_dates_in_range", dates=["week_start"]),
            models.UniqueConstraint(
                fields=["program", "week_start"],
                condition=Q(status="committed"),
                name="one_committed_run_per_week",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["committed", "added"]) | Q(committed_at__isnull=False),
                name="committed_run_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.iso_week} {self.get_status_display()}"

    @property
    def iso_week(self) -> str:
        year, week, _ = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    def clean(self) -> None:
        if self.week_start and self.week_start.weekday() != 0:
            raise ValidationError({"week_start": "A week starts on a Monday."})


class PlannedAppointment(models.Model):
    """One required appointment in a run: placed (who, when, where) or not, with the reason."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run = models.ForeignKey(ScheduleRun, on_delete=models.CASCADE, related_name="appointments")
    participant = models.ForeignKey("participants.Participant", on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(AppointmentRule, null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=SessionKind.choices)
    minutes = models.PositiveSmallIntegerField()
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(null=True, blank=True, validators=[in_db_range])
    ends_at = models.DateTimeField(null=True, blank=True, validators=[in_db_range])
    modality = models.CharField(max_length=12, choices=Modality.choices, blank=True)
    room = models.ForeignKey(
        "scheduling.Room", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    preferred_time = models.BooleanField(default=False)
    same_as_last_time = models.BooleanField(default=False)
    reason = models.CharField(max_length=40, blank=True)
    reason_detail = models.CharField(max_length=300, blank=True)
    session = models.OneToOneField(
        "scheduling.Session", null=True, blank=True, on_delete=models.PROTECT, related_name="planned_from"
    )

    class Meta:
        ordering = ["starts_at", "kind"]
        constraints = [
            dates_in_range("planner_plannedappointment_dates_in_range", moments=["starts_at", "ends_at"]),
            models.CheckConstraint(
                condition=(
                    Q(starts_at__isnull=False, ends_at__isnull=False, staff__isnull=False, reason="")
                    | Q(starts_at__isnull=True, ends_at__isnull=True, session__isnull=True) & ~Q(reason="")
                ),
                name="planned_is_placed_or_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="planned_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.participant_id}: {self.starts_at or self.reason}"

    @property
    def placed(self) -> bool:
        return self.starts_at is not None

    @property
    def reason_text(self) -> str:
        if self.reason == TAKEN_SINCE_PREVIEW:
            return "The time was taken after the preview"
        try:
            return REASON_TEXT[Reason(self.reason)]
        except ValueError:
            return self.reason
