"""Aftercare: discharge and its summary, the relapse-prevention plan, the step-down taper, alumni
enrollment, post-discharge check-ins and the outreach they raise.

A discharge summary is a draft until its clinician signs it; then it is locked (in the services and
in the database by triggers, migrations/0002) and changes only by addenda, like a clinical note.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from bridge.core.dates import dates_in_range, in_db_range
from bridge.core.models import AddendumBase, addendum_complete
from bridge.participants.models import CriteriaEdition, LevelOfCare

DEFAULT_CHECKIN_DAYS = [7, 30, 60, 90, 180, 365]


class AftercareSettings(models.Model):
    """A program's aftercare choices: the days after discharge when check-ins fall due."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.OneToOneField(
        "programs.Program", on_delete=models.PROTECT, related_name="aftercare_settings"
    )
    checkin_days = models.JSONField(default=list)
    # Days after a check-in's due date before it counts as missed and raises outreach.
    grace_days = models.PositiveSmallIntegerField(default=3, validators=[MaxValueValidator(30)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "aftercare settings"

    def __str__(self) -> str:
        return f"Aftercare settings of {self.program_id}"

    @classmethod
    def for_program(cls, program) -> AftercareSettings:
        found = cls.objects.filter(program=program).first()
        return found or cls(program=program, checkin_days=list(DEFAULT_CHECKIN_DAYS))


class Discharge(models.Model):
    """The end of one episode of care: how it ended, when, why, and where the person goes next."""

    class Type(models.TextChoices):
        COMPLETED = "completed", "Completed the program"
        STEPPED_DOWN = "stepped_down", "Stepped down to outpatient"
        TRANSFERRED_UP = "transferred_up", "Transferred to a higher level of care"
        LEFT_EARLY = "left_early", "Left before completing"
        ADMINISTRATIVE = "administrative", "Administrative discharge"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    episode = models.OneToOneField(
        "participants.EpisodeOfCare", on_delete=models.PROTECT, related_name="discharge"
    )
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="discharges"
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    discharged_on = models.DateField(validators=[in_db_range])
    reason = models.TextField()
    destination = models.CharField("Where they go next", max_length=200)
    # For a transfer to a higher level (or a step-down to outpatient): the level they go to.
    next_level = models.CharField(max_length=5, choices=LevelOfCare.choices, blank=True)
    edition = models.CharField(
        "criteria edition", max_length=1, choices=CriteriaEdition.choices, default=CriteriaEdition.THIRD
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-discharged_on"]
        constraints = [
            dates_in_range("aftercare_discharge_dates_in_range", dates=["discharged_on"]),
            models.CheckConstraint(condition=~Q(reason=""), name="discharge_has_reason"),
            models.CheckConstraint(condition=~Q(destination=""), name="discharge_has_destination"),
        ]
        indexes = [models.Index(fields=["participant", "discharged_on"], name="discharge_participant")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} on {self.discharged_on}"


class DischargeSummary(models.Model):
    """The clinician's summary of one episode, drafted from the record, then signed and locked.

    `figures` is the snapshot of the record taken when the draft was made (or refreshed): dates,
    levels, hours, first and last scores, drug screens, medications. It is part of what is signed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    discharge = models.OneToOneField(Discharge, on_delete=models.PROTECT, related_name="summary")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="discharge_summaries"
    )
    figures = models.JSONField(default=dict)
    goals = models.JSONField(default=list, blank=True)  # [{"statement": ..., "outcome": met|partly|not_met}]
    course = models.TextField("Course of treatment", blank=True)
    condition = models.TextField("Condition at discharge", blank=True)
    aftercare = models.TextField("Aftercare plan", blank=True)
    recommendations = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signature = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name_plural = "discharge summaries"
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True, signed_by__isnull=True)
                | (Q(signed_at__isnull=False, signed_by__isnull=False) & ~Q(signature="")),
                name="summary_signature_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Discharge summary {self.pk}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class SummaryAddendum(AddendumBase):
    """A later addition to a signed discharge summary: author, time, reason. Never changed."""

    summary = models.ForeignKey(DischargeSummary, on_delete=models.PROTECT, related_name="addenda")

    class Meta(AddendumBase.Meta):
        verbose_name_plural = "summary addenda"
        constraints = [addendum_complete("summary_addendum_complete")]

    def __str__(self) -> str:
        return f"Addendum to {self.summary_id}"


class AftercarePlan(models.Model):
    """The relapse-prevention and aftercare plan written with the participant (one per participant).

    `contacts` is a list of {"name", "phone", "relationship"}; `meetings` a list of
    {"fellowship", "name", "day", "time", "place"}; `crisis_lines` a list of {"name", "phone"}.
    """

    class Fellowship(models.TextChoices):
        AA = "AA", "Alcoholics Anonymous (AA)"
        NA = "NA", "Narcotics Anonymous (NA)"
        SMART = "SMART", "SMART Recovery"
        REFUGE = "Refuge", "Refuge Recovery"
        OTHER = "Other", "Other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.PROTECT, related_name="aftercare_plan"
    )
    triggers = models.TextField(blank=True)
    warning_signs = models.TextField(blank=True)
    coping = models.TextField("Coping strategies", blank=True)
    contacts = models.JSONField(default=list, blank=True)
    meetings = models.JSONField(default=list, blank=True)
    mat_prescriber = models.CharField("Continuing MAT prescriber", max_length=200, blank=True)
    mat_next_appointment = models.DateTimeField(
        "Next MAT appointment", null=True, blank=True, validators=[in_db_range]
    )
    housing = models.TextField("Sober living or housing support", blank=True)
    crisis_lines = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            dates_in_range("aftercare_aftercareplan_dates_in_range", moments=["mat_next_appointment"])
        ]

    def __str__(self) -> str:
        return f"Aftercare plan of {self.participant_id}"


class AftercarePlanVersion(models.Model):
    """The plan as it stood after each save: the plan is edited in place, its history is kept here.

    `content` holds the plan's fields (dates as ISO text). Never changed once written.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(AftercarePlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="aftercare_plan_version_once")]

    def __str__(self) -> str:
        return f"Aftercare plan version {self.number}"


class PlanLink(models.Model):
    """A private link that shows the participant their own plan in plain language. Only its hash is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(AftercarePlan, on_delete=models.PROTECT, related_name="links")
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
                fields=["plan"], condition=Q(revoked_at__isnull=True), name="one_live_plan_link"
            )
        ]

    def __str__(self) -> str:
        return f"plan link …{self.hint}"


class TaperPlan(models.Model):
    """A step-down: weekly hour floors that fall over the weeks (e.g. 9 → 6 → 3 h) in a continuing group.

    `weekly_minutes[i]` is the floor for the week starting `starts_on + 7·i`; the hours ledger reads
    these as planned, not as shortfalls (hours_plans.py).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="taper_plans"
    )
    episode = models.ForeignKey("participants.EpisodeOfCare", on_delete=models.PROTECT, related_name="+")
    series = models.ForeignKey(
        "scheduling.GroupSeries",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Continuing group",
    )
    starts_on = models.DateField(help_text="A Monday", validators=[in_db_range])
    weekly_minutes = models.JSONField()
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ended_on = models.DateField(null=True, blank=True, validators=[in_db_range])

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            dates_in_range("aftercare_taperplan_dates_in_range", dates=["starts_on", "ended_on"]),
            models.UniqueConstraint(
                fields=["participant"], condition=Q(ended_on__isnull=True), name="one_open_taper"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("starts_on")),
                name="taper_ends_after_start",
                violation_error_message="The taper ends before it starts: check the dates.",
            ),
        ]

    def __str__(self) -> str:
        return f"Taper from {self.starts_on} for {self.participant_id}"

    @property
    def ends_on(self) -> date:
        return self.starts_on + timedelta(days=7 * len(self.weekly_minutes) - 1)

    def weeks(self) -> list[tuple[date, int]]:
        return [(self.starts_on + timedelta(days=7 * i), m) for i, m in enumerate(self.weekly_minutes)]

    def floor_for(self, week_start: date) -> int | None:
        if self.ended_on is not None and week_start > self.ended_on:
            return None
        index = (week_start - self.starts_on).days // 7
        if (week_start - self.starts_on).days % 7 or not 0 <= index < len(self.weekly_minutes):
            return None
        return int(self.weekly_minutes[index])


class AlumniEnrollment(models.Model):
    """A person's opt-in to the alumni community, with their consent to be contacted. Opt-out ends it."""

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone call"
        SMS = "sms", "Text message"
        EMAIL = "email", "Email"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="alumni_enrollments"
    )
    enrolled_on = models.DateField(validators=[in_db_range])
    contact_consent = models.BooleanField(default=False)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.PHONE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    opt_out_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-enrolled_on"]
        constraints = [
            dates_in_range("aftercare_alumnienrollment_dates_in_range", dates=["enrolled_on"]),
            models.UniqueConstraint(
                fields=["participant"], condition=Q(opted_out_at__isnull=True), name="one_active_alumni"
            ),
        ]

    def __str__(self) -> str:
        return f"Alumni {self.participant_id} from {self.enrolled_on}"

    @property
    def is_active(self) -> bool:
        return self.opted_out_at is None


class CheckIn(models.Model):
    """One follow-up contact after discharge, due a set number of days after it.

    Completed by phone with a peer specialist or by the alumnus through a private link (only the
    link's hash is kept). Pending check-ins past their grace days become missed and raise outreach.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Due"
        COMPLETED = "completed", "Completed"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled (opted out)"

    class Method(models.TextChoices):
        PHONE = "phone", "By phone with staff"
        LINK = "link", "By the alumnus (private link)"

    class Housing(models.TextChoices):
        STABLE = "stable", "Stable housing"
        SOBER_LIVING = "sober_living", "Sober living"
        UNSTABLE = "unstable", "Unstable or at risk"
        HOMELESS = "homeless", "Without housing"

    class Work(models.TextChoices):
        WORKING = "working", "Working"
        SCHOOL = "school", "In school or training"
        LOOKING = "looking", "Looking for work"
        NOT_WORKING = "not_working", "Not working"

    # Answers that call for outreach even when the check-in was completed.
    CRAVINGS_WARNING = 7
    PHQ2_WARNING = 3
    HOUSING_WARNING = (Housing.UNSTABLE, Housing.HOMELESS)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    discharge = models.ForeignKey(Discharge, on_delete=models.PROTECT, related_name="checkins")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="checkins"
    )
    day_offset = models.PositiveSmallIntegerField()
    due_on = models.DateField(validators=[in_db_range])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    method = models.CharField(max_length=6, choices=Method.choices, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    any_use = models.BooleanField(null=True, blank=True)
    cravings = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    meetings_attended = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(200)]
    )
    housing = models.CharField(max_length=12, choices=Housing.choices, blank=True)
    work = models.CharField(max_length=12, choices=Work.choices, blank=True)
    phq2_interest = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(3)])
    phq2_mood = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(3)])
    notes = models.TextField(blank=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    link_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on"]
        constraints = [
            dates_in_range("aftercare_checkin_dates_in_range", dates=["due_on"]),
            models.UniqueConstraint(fields=["discharge", "day_offset"], name="one_checkin_per_offset"),
            models.CheckConstraint(condition=Q(cravings__lte=10), name="checkin_cravings_0_10"),
            models.CheckConstraint(
                condition=~Q(status="completed") | (Q(completed_at__isnull=False) & ~Q(method="")),
                name="completed_checkin_has_time_and_method",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="checkin_status_due")]

    def __str__(self) -> str:
        return f"Day-{self.day_offset} check-in of {self.participant_id}"

    @property
    def phq2(self) -> int | None:
        if self.phq2_interest is None or self.phq2_mood is None:
            return None
        return self.phq2_interest + self.phq2_mood

    def warnings(self) -> list[str]:
        """Plain reasons this completed check-in calls for outreach (empty when it does not)."""
        found = []
        if self.any_use:
            found.append("reported use since the last check-in")
        if self.cravings is not None and self.cravings >= self.CRAVINGS_WARNING:
            found.append(f"cravings {self.cravings}/10")
        if self.phq2 is not None and self.phq2 >= self.PHQ2_WARNING:
            found.append(f"PHQ-2 {self.phq2} (positive screen)")
        if self.housing in self.HOUSING_WARNING:
            found.append(f"housing: {self.get_housing_display().lower()}")
        return found


class Outreach(models.Model):
    """The recorded outcome of reaching out to someone after a missed check-in or a warning sign."""

    class Outcome(models.TextChoices):
        REACHED_WELL = "reached_well", "Reached — doing well"
        REACHED_SUPPORT = "reached_support", "Reached — needs support (plan made)"
        STEP_UP = "step_up", "Reached — referred back to a more intensive level"
        LEFT_MESSAGE = "left_message", "Left a message"
        NO_ANSWER = "no_answer", "No answer"
        DECLINED = "declined", "Declined contact"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="outreach"
    )
    checkin = models.ForeignKey(CheckIn, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    work_item = models.ForeignKey(
        "worklist.WorkItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name_plural = "outreach"

    def __str__(self) -> str:
        return f"Outreach {self.get_outcome_display()} for {self.participant_id}"


class Reassessment(models.Model):
    """The placement assessment re-run for a step-up: the six ratings now, the rules' recommendation
    with its reasons (kept whole, with the rules version), and the level the clinician decided."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="reassessments"
    )
    episode = models.ForeignKey("participants.EpisodeOfCare", on_delete=models.PROTECT, related_name="+")
    ratings = models.JSONField()  # {"1": 0-4, ..., "6": 0-4}
    recommended_level = models.CharField(max_length=5, choices=LevelOfCare.choices)
    recommendation = models.JSONField()
    rules_version = models.CharField(max_length=40)
    edition = models.CharField(
        "criteria edition", max_length=1, choices=CriteriaEdition.choices, default=CriteriaEdition.THIRD
    )
    level = models.CharField(max_length=5, choices=LevelOfCare.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Reassessment of {self.participant_id}: {self.recommended_level} → {self.level}"
