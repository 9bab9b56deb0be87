"""Treatment plans: one per episode of care, kept as numbered versions that never change once signed."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bridge.clinical import cadence, icd10
from bridge.core.dates import dates_in_range, in_db_range


class ReviewPolicy(models.Model):
    """How often a program reviews treatment plans: its default, or a payer's rule (e.g. Medicare)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="plan_review_policies"
    )
    name = models.CharField(max_length=80, help_text="e.g. Program default, Medicare, a commercial payer")
    interval_days = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(366)])
    interval_months = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(12)])
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["program", "-is_default", "name"]
        verbose_name_plural = "review policies"
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="review_policy_name_unique"),
            models.UniqueConstraint(
                fields=["program"], condition=Q(is_default=True), name="one_default_review_policy"
            ),
            models.CheckConstraint(
                condition=(Q(interval_days__gt=0) & Q(interval_months=0))
                | (Q(interval_days=0) & Q(interval_months__gt=0)),
                name="review_policy_one_interval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.interval_label})"

    @property
    def interval_label(self) -> str:
        if self.interval_months:
            return (
                "every other month" if self.interval_months == 2 else f"every {self.interval_months} months"
            )
        return f"every {self.interval_days} days"

    def next_review_on(self, last):
        return cadence.next_review_on(last, days=self.interval_days, months=self.interval_months)


class TreatmentPlan(models.Model):
    """The treatment plan of one episode of care; its content is in versions, `current_version` in force."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    episode = models.OneToOneField(
        "participants.EpisodeOfCare", on_delete=models.PROTECT, related_name="treatment_plan"
    )
    review_policy = models.ForeignKey(
        ReviewPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    current_version = models.ForeignKey(
        "clinical.PlanVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept by the services (sign, review, policy change) so home pages can list due reviews in one query.
    next_review_on = models.DateField(null=True, blank=True, db_index=True, validators=[in_db_range])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [dates_in_range("clinical_treatmentplan_dates_in_range", dates=["next_review_on"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Treatment plan for {self.participant_id} ({self.episode_id})"

    @property
    def review_state(self) -> str:
        return cadence.review_state(self.next_review_on, timezone.localdate())

    @property
    def interval_label(self) -> str:
        if self.review_policy is not None:
            return self.review_policy.interval_label
        return f"every {cadence.DEFAULT_REVIEW_DAYS} days"

    def next_review_from(self, last):
        if self.review_policy is not None:
            return self.review_policy.next_review_on(last)
        return cadence.next_review_on(last)


class PlanVersion(models.Model):
    """One revision of a plan. A draft while being written; signed by the clinician it is locked for good.

    The participant signs too (typed name and time); their signature may be added once after the
    clinician's. Earlier versions stay readable: a revision copies the content into a new draft.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    change_summary = models.TextField(blank=True, help_text="What changed from the previous version, and why")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clinician_signature = models.CharField(max_length=150, blank=True)
    participant_signature = models.CharField(max_length=150, blank=True)
    participant_signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
            models.UniqueConstraint(
                fields=["plan"], condition=Q(signed_at__isnull=True), name="one_draft_per_plan"
            ),
            models.CheckConstraint(
                condition=(Q(signed_at__isnull=True) & Q(signed_by__isnull=True) & Q(clinician_signature=""))
                | (Q(signed_at__isnull=False) & Q(signed_by__isnull=False) & ~Q(clinician_signature="")),
                name="plan_version_signature_complete",
            ),
            models.CheckConstraint(
                condition=(Q(participant_signed_at__isnull=True) & Q(participant_signature=""))
                | (
                    Q(participant_signed_at__isnull=False)
                    & ~Q(participant_signature="")
                    & Q(signed_at__isnull=False)
                ),
                name="plan_version_participant_signature_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan version {self.number} ({'signed' if self.signed_at else 'draft'})"

    @property
    def is_draft(self) -> bool:
        return self.signed_at is None


class PlanItem(models.Model):
    """Shared columns of a plan's parts. `lineage` stays the same when a revision copies the part."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="+")
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Problem(PlanItem):
    """A problem the plan addresses, coded in ICD-10-CM (substance use and co-occurring conditions)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="problems")
    code = models.CharField(
        "ICD-10-CM code",
        max_length=8,
        validators=[RegexValidator(icd10.CODE_FORMAT, "Enter an ICD-10-CM code such as F11.20 or F32.A.")],
    )
    description = models.CharField(max_length=200)

    class Meta(PlanItem.Meta):
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="problem_code_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class Goal(PlanItem):
    """A goal for a problem, in the participant's own words."""

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="goals")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="goals")
    statement = models.TextField(help_text="In the participant's own words")

    def __str__(self) -> str:
        return self.statement[:80]


class Objective(PlanItem):
    """A measurable step towards a goal, with a target date."""

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="objectives")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="objectives")
    text = models.TextField(help_text="Measurable: what, how much, how it is measured")
    target_on = models.DateField(validators=[in_db_range])

    class Meta:
        constraints = [dates_in_range("clinical_objective_dates_in_range", dates=["target_on"])]

    def __str__(self) -> str:
        return self.text[:80]


class Intervention(PlanItem):
    """What the program does towards a goal: the approach, who is responsible and how often."""

    class Modality(models.TextChoices):
        CBT = "cbt", "Cognitive behavioral therapy (CBT)"
        MI = "mi", "Motivational interviewing"
        TSF = "tsf", "12-step facilitation"
        DBT = "dbt", "DBT skills"
        FAMILY = "family", "Family therapy"
        MAT = "mat", "Medication-assisted treatment"
        HOLISTIC = "holistic", "Holistic practices (mindfulness, yoga, nutrition)"
        RELAPSE_PREVENTION = "relapse_prevention", "Relapse prevention"
        CASE_MANAGEMENT = "case_management", "Case management"
        PEER = "peer", "Peer support"

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="interventions")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="interventions")
    modality = models.CharField(max_length=20, choices=Modality.choices)
    description = models.TextField(blank=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    frequency = models.CharField(max_length=60, help_text="e.g. 3 groups a week, weekly individual session")

    def __str__(self) -> str:
        return f"{self.get_modality_display()}, {self.frequency}"


class PlanReview(models.Model):
    """A signed review that kept the plan in force unchanged (a revision is a new version instead)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="reviews")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="reviews")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    signature = models.CharField(max_length=150)
    summary = models.TextField(help_text="Progress since the last review and why the plan continues as it is")
    next_review_on = models.DateField(validators=[in_db_range])

    class Meta:
        constraints = [dates_in_range("clinical_planreview_dates_in_range", dates=["next_review_on"])]
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"Review of {self.plan_id} on {self.reviewed_at:%Y-%m-%d}"
