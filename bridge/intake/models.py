"""Intake: screenings, instrument administrations, six-dimension ratings, placement decisions,
referrals out, and each program's choice of alternative cut-offs."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from bridge import instruments
from bridge.core.dates import dates_in_range, in_db_range
from bridge.participants.models import CriteriaEdition, LevelOfCare
from bridge.placement import DIMENSIONS, WM_LEVELS, Context
from bridge.placement.rules import alert_labels


class IntakeSettings(models.Model):
    """One program's choices where published cut-offs disagree (reference/instruments.md §14).

    A program without a row uses the defaults (the first rule given for each instrument).
    """

    class PCL5Cutoff(models.IntegerChoices):
        DEFAULT = 33, "33 (CamCOPS; top of the National Center for PTSD 31-33 range) — default"
        SENSITIVE = 31, "31 (bottom of the National Center for PTSD 31-33 range)"

    class TwoItemCutoff(models.IntegerChoices):
        DEFAULT = 3, "3 (the original cut-off) — default"
        SENSITIVE = 2, "2 (more sensitive, less specific)"

    class CiwaScheme(models.TextChoices):
        ASAM = "asam", "ASAM 2020: under 10 mild, 10-18 moderate, 19+ severe — default"
        CAMCOPS = "camcops", "CamCOPS: under 8 mild, 8-14 moderate, 15+ severe"

    class AuditCScheme(models.TextChoices):
        BRADLEY = "bradley", "Men 4+, women 3+ (Bradley 2003, LOINC) — default"
        MEN_5 = "men_5", "Men 5+, women 3+"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.OneToOneField(
        "programs.Program", on_delete=models.PROTECT, related_name="intake_settings"
    )
    ciwa_scheme = models.CharField("CIWA-Ar bands", max_length=10, choices=CiwaScheme.choices, default="asam")
    pcl5_cutoff = models.PositiveSmallIntegerField("PCL-5 cut-off", choices=PCL5Cutoff.choices, default=33)
    phq2_cutoff = models.PositiveSmallIntegerField("PHQ-2 cut-off", choices=TwoItemCutoff.choices, default=3)
    gad2_cutoff = models.PositiveSmallIntegerField("GAD-2 cut-off", choices=TwoItemCutoff.choices, default=3)
    auditc_scheme = models.CharField(
        "AUDIT-C cut-offs", max_length=10, choices=AuditCScheme.choices, default="bradley"
    )
    bam_use_cutoff = models.PositiveSmallIntegerField(
        "BAM use: any use at", default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    bam_risk_cutoff = models.PositiveSmallIntegerField(
        "BAM risk: elevated at", default=12, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    bam_protective_cutoff = models.PositiveSmallIntegerField(
        "BAM protective: low at or below", default=12, validators=[MaxValueValidator(23)]
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "intake settings"
        constraints = [
            models.CheckConstraint(condition=Q(pcl5_cutoff__in=[31, 33]), name="intake_pcl5_cutoff_known"),
            models.CheckConstraint(condition=Q(phq2_cutoff__in=[2, 3]), name="intake_phq2_cutoff_known"),
            models.CheckConstraint(condition=Q(gad2_cutoff__in=[2, 3]), name="intake_gad2_cutoff_known"),
            models.CheckConstraint(
                condition=Q(bam_use_cutoff__gte=1, bam_use_cutoff__lte=12)
                & Q(bam_risk_cutoff__gte=1, bam_risk_cutoff__lte=24)
                & Q(bam_protective_cutoff__lte=23),
                name="intake_bam_cutoffs_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Intake settings for {self.program}"

    SCORING_FIELDS = (
        "ciwa_scheme",
        "pcl5_cutoff",
        "phq2_cutoff",
        "gad2_cutoff",
        "auditc_scheme",
        "bam_use_cutoff",
        "bam_risk_cutoff",
        "bam_protective_cutoff",
    )

    def scoring(self) -> instruments.ScoringSettings:
        return instruments.ScoringSettings(
            ciwa_scheme=instruments.CiwaScheme(self.ciwa_scheme),
            pcl5_cutoff=self.pcl5_cutoff,  # type: ignore[arg-type]
            phq2_cutoff=self.phq2_cutoff,  # type: ignore[arg-type]
            gad2_cutoff=self.gad2_cutoff,  # type: ignore[arg-type]
            auditc_scheme=instruments.AuditCScheme(self.auditc_scheme),
            bam_use_cutoff=self.bam_use_cutoff,
            bam_risk_cutoff=self.bam_risk_cutoff,
            bam_protective_cutoff=self.bam_protective_cutoff,
        )

    @classmethod
    def for_program(cls, program) -> IntakeSettings:
        """The program's settings, or an unsaved row holding the defaults."""
        found = cls.objects.filter(program=program).first()
        return found if found is not None else cls(program=program)


class ReferralSource(models.TextChoices):
    SELF = "self", "Self"
    FAMILY = "family", "Family or friend"
    PHYSICIAN = "physician", "Doctor or primary care"
    HOSPITAL = "hospital", "Hospital or emergency department"
    CRIMINAL_JUSTICE = "criminal_justice", "Court, probation or parole"
    EMPLOYER = "employer", "Employer or EAP"
    SCHOOL = "school", "School"
    TREATMENT_PROGRAM = "treatment_program", "Another treatment program"
    SELF_CHECK = "self_check", "Bridge self-check (call-back request)"
    OTHER = "other", "Other"


class Substance(models.TextChoices):
    ALCOHOL = "alcohol", "Alcohol"
    OPIOIDS = "opioids", "Opioids (heroin, fentanyl, pain pills)"
    STIMULANTS = "stimulants", "Stimulants (methamphetamine, cocaine)"
    CANNABIS = "cannabis", "Cannabis"
    SEDATIVES = "sedatives", "Sedatives (benzodiazepines, sleeping pills)"
    HALLUCINOGENS = "hallucinogens", "Hallucinogens"
    INHALANTS = "inhalants", "Inhalants"
    TOBACCO = "tobacco", "Tobacco or nicotine"
    OTHER = "other", "Other"


class InsuranceType(models.TextChoices):
    MEDICAID = "medicaid", "Medicaid"
    MEDICARE = "medicare", "Medicare"
    COMMERCIAL = "commercial", "Private or employer plan"
    MILITARY = "military", "TRICARE or VA"
    SELF_PAY = "self_pay", "No insurance (self-pay)"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known yet"


class ScheduleChoice(models.TextChoices):
    EVENINGS = "evenings", "Evenings"
    WEEKENDS = "weekends", "Weekends"
    DAYTIME = "daytime", "Daytime"


class WithdrawalManagement(models.TextChoices):
    NONE = "", "None needed first"
    WM_1 = "1-WM", f"1-WM {WM_LEVELS['1-WM']}"
    WM_2 = "2-WM", f"2-WM {WM_LEVELS['2-WM']}"
    WM_32 = "3.2-WM", f"3.2-WM {WM_LEVELS['3.2-WM']}"
    WM_37 = "3.7-WM", f"3.7-WM {WM_LEVELS['3.7-WM']}"
    WM_4 = "4-WM", f"4-WM {WM_LEVELS['4-WM']}"


class Screening(models.Model):
    """One intake encounter with a caller, saved as it goes so it can be resumed.

    Holds the caller's details (referral, substances, insurance, preferred schedule, work hours),
    the intake answers the placement rules read (None = not asked yet, never "no"), and links to
    the instruments given, the six ratings, the decision and the outcome (admission or referral).
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        DECIDED = "decided", "Decided"
        ADMITTED = "admitted", "Admitted"
        REFERRED = "referred", "Referred elsewhere"
        REASSESSED = "reassessed", "Withdrawal management done; reassessed in a new screening"

    OPEN_STATUSES = (Status.IN_PROGRESS, Status.DECIDED)

    class MedicalCondition(models.TextChoices):
        NONE = "none", "None"
        STABLE = "stable", "Stable"
        UNSTABLE = "unstable", "Unstable"

    class DailyFunctioning(models.TextChoices):
        INTACT = "intact", "Intact: keeps up with work, home and self-care"
        IMPAIRED = "impaired", "Impaired: struggling to keep up"
        UNABLE = "unable", "Unable to manage daily life"

    class Readiness(models.TextChoices):
        PRECONTEMPLATION = "precontemplation", "Not yet considering change"
        CONTEMPLATION = "contemplation", "Thinking about change"
        PREPARATION = "preparation", "Preparing to change"
        ACTION = "action", "Making changes now"
        MAINTENANCE = "maintenance", "Keeping changes up"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="screenings"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="screenings")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    # The criteria edition this screening is rated and decided in (the program's, when it started).
    edition = models.CharField(
        "criteria edition", max_length=1, choices=CriteriaEdition.choices, default=CriteriaEdition.THIRD
    )
    # The screening this one reassesses (after withdrawal management was completed).
    follows = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="followed_by"
    )
    # What the person chose to share on the public self-check (answers, outcome), kept as they gave it.
    self_check = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # The caller.
    referral_source = models.CharField(max_length=20, choices=ReferralSource.choices, blank=True)
    referral_detail = models.CharField("Referred by (name, organization)", max_length=200, blank=True)
    substances = models.JSONField(default=list, blank=True)
    primary_substance = models.CharField(max_length=20, choices=Substance.choices, blank=True)
    insurance_type = models.CharField(max_length=12, choices=InsuranceType.choices, blank=True)
    insurance_plan = models.CharField(max_length=120, blank=True)
    # As long as Coverage.member_id, which admission fills from it (a longer id refused admission).
    insurance_member_id = models.CharField("Member ID", max_length=40, blank=True)
    preferred_schedule = models.JSONField(default=list, blank=True)
    work_days = models.JSONField(default=list, blank=True)  # ISO weekday numbers, Monday = 0
    work_start = models.TimeField(null=True, blank=True)
    work_end = models.TimeField(null=True, blank=True)
    work_notes = models.CharField("Other commitments", max_length=200, blank=True)
    notes = models.TextField(blank=True)

    # The intake answers the placement rules read. Null or blank means "not asked yet".
    withdrawal_history_severe = models.BooleanField(null=True, blank=True)
    medical_condition = models.CharField(max_length=10, choices=MedicalCondition.choices, blank=True)
    pregnant = models.BooleanField(null=True, blank=True)
    daily_functioning = models.CharField(max_length=10, choices=DailyFunctioning.choices, blank=True)
    readiness = models.CharField(max_length=20, choices=Readiness.choices, blank=True)
    recent_return_to_use_after_treatment = models.BooleanField(null=True, blank=True)
    home_active_substance_use = models.BooleanField(null=True, blank=True)
    domestic_violence = models.BooleanField(null=True, blank=True)
    stable_housing = models.BooleanField(null=True, blank=True)
    supportive_relationships = models.BooleanField(null=True, blank=True)
    needs_24h_structure = models.BooleanField(null=True, blank=True)

    episode = models.OneToOneField(
        "participants.EpisodeOfCare",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screening",
    )

    class Meta:
        ordering = ["started_at"]
        indexes = [models.Index(fields=["program", "status"], name="screening_program_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(status__in=["in_progress", "decided"]),
                name="one_open_screening_per_participant",
            ),
            models.CheckConstraint(
                condition=Q(work_start__isnull=True)
                | Q(work_end__isnull=True)
                | Q(work_end__gt=F("work_start")),
                name="screening_work_ends_after_start",
                violation_error_message="The work day ends before it starts: check the times.",
            ),
            models.CheckConstraint(
                condition=~Q(status="admitted") | Q(episode__isnull=False),
                name="admitted_screening_has_episode",
            ),
        ]

    def __str__(self) -> str:
        return f"Screening of {self.participant_id} ({self.get_status_display()})"

    CONTEXT_FIELDS = (
        "withdrawal_history_severe",
        "medical_condition",
        "pregnant",
        "daily_functioning",
        "readiness",
        "recent_return_to_use_after_treatment",
        "home_active_substance_use",
        "domestic_violence",
        "stable_housing",
        "supportive_relationships",
        "needs_24h_structure",
    )
    DETAIL_FIELDS = (
        "referral_source",
        "referral_detail",
        "substances",
        "primary_substance",
        "insurance_type",
        "insurance_plan",
        "insurance_member_id",
        "preferred_schedule",
        "work_days",
        "work_start",
        "work_end",
        "work_notes",
        "notes",
    )

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def context(self) -> Context:
        values: dict[str, Any] = {}
        for name in self.CONTEXT_FIELDS:
            value = getattr(self, name)
            values[name] = None if value in (None, "") else value
        return Context(**values)

    @property
    def schedule_labels(self) -> list[str]:
        return [ScheduleChoice(s).label for s in self.preferred_schedule if s in ScheduleChoice.values]

    @property
    def substance_labels(self) -> list[str]:
        return [Substance(s).label for s in self.substances if s in Substance.values]

    @property
    def work_hours_label(self) -> str:
        days = "/".join(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[d] for d in sorted(self.work_days))
        hours = f"{self.work_start:%H:%M}-{self.work_end:%H:%M}" if self.work_start and self.work_end else ""
        return " ".join(p for p in (days, hours, self.work_notes) if p)


class InstrumentAdministration(models.Model):
    """One completed set of answers to one instrument, with the score it got and the cut-offs used.

    Never edited or deleted: a mistake is marked entered-in-error, with a reason, by a service.
    `administered_by` is empty for answers a person gave themselves on the public self-check.
    """

    class Source(models.TextChoices):
        STAFF = "staff", "Given by staff"
        SELF_REPORT = "self_report", "Self-check (self-reported)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="instrument_administrations"
    )
    screening = models.ForeignKey(
        Screening, on_delete=models.PROTECT, null=True, blank=True, related_name="administrations"
    )
    instrument = models.CharField(max_length=20, choices=[(c, c) for c in instruments.CODES])
    responses = models.JSONField()
    sex = models.CharField(max_length=6, blank=True)
    total = models.JSONField(null=True, blank=True)
    band = models.JSONField()
    alerts = models.JSONField(default=list, blank=True)
    scoring_settings = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.STAFF)
    administered_at = models.DateTimeField(default=timezone.now)
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_in_error_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-administered_at"]
        indexes = [
            models.Index(
                fields=["participant", "instrument", "administered_at"], name="administration_history"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(entered_in_error_at__isnull=True) | ~Q(entered_in_error_reason=""),
                name="entered_in_error_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(source="self_report") | Q(administered_by__isnull=False),
                name="staff_administration_has_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} on {self.administered_at:%Y-%m-%d}"

    @property
    def definition(self) -> instruments.Instrument:
        return instruments.get(self.instrument)

    def result(self) -> instruments.ScoreResult:
        return instruments.ScoreResult(self.instrument, self.total, self.band, tuple(self.alerts))

    @property
    def plain_alerts(self) -> list[str]:
        """The alerts in plain words, as the clinician reads them (the codes are for the API)."""
        return alert_labels(self.alerts)

    @property
    def band_label(self) -> str:
        if isinstance(self.band, dict):
            return ", ".join(f"{k} {v.replace('_', ' ')}" for k, v in self.band.items())
        settings_used = instruments.ScoringSettings(**_settings_values(self.scoring_settings))
        sex = instruments.Sex(self.sex) if self.sex else None
        return self.definition.band_label(self.band, settings_used, sex)

    @property
    def total_label(self) -> str:
        if self.total is None:
            return "—"
        if isinstance(self.total, dict):
            return ", ".join(f"{k} {v}" for k, v in self.total.items())
        return str(self.total)

    @property
    def is_entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None


def _settings_values(stored: dict[str, Any]) -> dict[str, Any]:
    known = instruments.ScoringSettings().as_dict()
    return {k: stored.get(k, v) for k, v in known.items()}


class DimensionRating(models.Model):
    """The clinician's rating (0-4) of one of the six dimensions in a screening, with notes.

    `suggested_rating` is what the rules said when it was saved, so a difference is visible later.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="dimension_ratings")
    dimension = models.PositiveSmallIntegerField(choices=[(d, f"{d}. {n}") for d, n in DIMENSIONS.items()])
    rating = models.PositiveSmallIntegerField(validators=[MaxValueValidator(4)])
    suggested_rating = models.PositiveSmallIntegerField(validators=[MaxValueValidator(4)])
    notes = models.TextField(blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dimension"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "dimension"], name="one_rating_per_dimension"),
            models.CheckConstraint(condition=Q(dimension__gte=1, dimension__lte=6), name="dimension_1_to_6"),
            models.CheckConstraint(
                condition=Q(rating__lte=4, suggested_rating__lte=4), name="dimension_rating_0_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"Dimension {self.dimension}: {self.rating}"


class PlacementDecision(models.Model):
    """The clinician's decision on a screening: accept the recommendation, or override it with a reason.

    `recommendation` keeps the whole recommendation as it was shown (ratings, reasons, alerts,
    explanation, rules version), so the decision can be read later exactly as it was made.
    """

    class Decision(models.TextChoices):
        ACCEPT = "accept", "Accept the recommendation"
        OVERRIDE = "override", "Override it"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="decision")
    recommended_level = models.CharField(max_length=5, choices=LevelOfCare.choices)
    recommended_withdrawal_management = models.CharField(
        max_length=8, choices=WithdrawalManagement.choices, blank=True
    )
    recommendation = models.JSONField()
    rules_version = models.CharField(max_length=40)
    edition = models.CharField(
        "criteria edition", max_length=1, choices=CriteriaEdition.choices, default=CriteriaEdition.THIRD
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    level = models.CharField(max_length=5, choices=LevelOfCare.choices)
    withdrawal_management = models.CharField(max_length=8, choices=WithdrawalManagement.choices, blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        decision="accept",
                        level=F("recommended_level"),
                        withdrawal_management=F("recommended_withdrawal_management"),
                    )
                    | (Q(decision="override") & ~Q(reason=""))
                ),
                name="override_needs_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.level}"

    @property
    def is_override(self) -> bool:
        return self.decision == self.Decision.OVERRIDE


class Referral(models.Model):
    """A referral out to another provider when the level decided is not this program's IOP."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="referral")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="referrals_out"
    )
    level = models.CharField(max_length=5, choices=LevelOfCare.choices)
    edition = models.CharField(
        "criteria edition", max_length=1, choices=CriteriaEdition.choices, default=CriteriaEdition.THIRD
    )
    withdrawal_management = models.CharField(max_length=8, choices=WithdrawalManagement.choices, blank=True)
    to_name = models.CharField("Referred to", max_length=200)
    to_contact = models.CharField("Their phone or address", max_length=200, blank=True)
    notes = models.TextField(blank=True)
    referred_on = models.DateField(validators=[in_db_range])
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            dates_in_range("intake_referral_dates_in_range", dates=["referred_on"]),
            models.CheckConstraint(condition=~Q(to_name=""), name="referral_names_where_to"),
        ]

    def __str__(self) -> str:
        return f"Referral to {self.to_name} ({self.level})"


class CriteriaEditionSetting(models.Model):
    """The placement-criteria edition a program uses from a date, for all its payers or for one payer.

    The edition in force on a day is the latest row on or before it for the payer, else for the
    program (payer empty), else the 3rd edition. Rows are added, never edited, so history stays.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="criteria_editions"
    )
    payer_rule = models.ForeignKey(
        "scheduling.PayerRule", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    edition = models.CharField(max_length=1, choices=CriteriaEdition.choices)
    effective_on = models.DateField(validators=[in_db_range])
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["program", "-effective_on"]
        constraints = [
            dates_in_range("intake_criteriaeditionsetting_dates_in_range", dates=["effective_on"]),
            models.UniqueConstraint(
                fields=["program", "effective_on"],
                condition=Q(payer_rule__isnull=True),
                name="one_program_edition_per_day",
            ),
            models.UniqueConstraint(
                fields=["program", "payer_rule", "effective_on"],
                condition=Q(payer_rule__isnull=False),
                name="one_payer_edition_per_day",
            ),
            models.CheckConstraint(condition=Q(edition__in=["3", "4"]), name="criteria_edition_known"),
        ]

    def __str__(self) -> str:
        return f"Edition {self.edition} from {self.effective_on}"


class WithdrawalManagementCompletion(models.Model):
    """A prescriber's record that the withdrawal management a decision called for is complete.

    It closes the decided screening (status "reassessed") and opens a new one that follows it, so a
    new placement decision is made on how the person is now.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="wm_completion")
    withdrawal_management = models.CharField(max_length=8, choices=WithdrawalManagement.choices)
    completed_on = models.DateField(validators=[in_db_range])
    where = models.CharField("Where (or how) it was done", max_length=200)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            dates_in_range("intake_withdrawalmanagementcompletion_dates_in_range", dates=["completed_on"]),
            models.CheckConstraint(condition=~Q(where=""), name="wm_completion_says_where"),
        ]

    def __str__(self) -> str:
        return f"{self.withdrawal_management} complete on {self.completed_on}"
