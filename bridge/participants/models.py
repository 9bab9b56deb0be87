"""Participants (the program's patients) and the care team that is the basis of access."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from bridge.core.dates import dates_in_range, in_db_range


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def visible_to(self, user) -> QuerySet[Participant]:
        """The participants this staff member may see: the one list rule, in access.py."""
        from bridge.participants import access

        return access.visible(self, user)


# Every Participant.Status value, for the CHECK constraint (a test keeps the two lists equal).
STATUS_VALUES = [
    "prospect",
    "screening",
    "active",
    "step_down",
    "on_hold",
    "discharged",
    "alumni",
    "referred",
]
DECLINED = "ASKU"  # HL7 NullFlavor: asked but declined to answer
GENDER_CHOICES = [("female", "Female"), ("male", "Male"), ("other", "Other"), ("unknown", "Unknown")]
BIRTH_SEX_CHOICES = [("F", "Female"), ("M", "Male"), ("UNK", "Unknown"), (DECLINED, "Declined to answer")]
# OMB minimum categories, as CDC Race & Ethnicity codes (urn:oid:2.16.840.1.113883.6.238).
RACE_CHOICES = [
    ("1002-5", "American Indian or Alaska Native"),
    ("2028-9", "Asian"),
    ("2054-5", "Black or African American"),
    ("2076-8", "Native Hawaiian or Other Pacific Islander"),
    ("2106-3", "White"),
    (DECLINED, "Declined to answer"),
]
ETHNICITY_CHOICES = [
    ("2135-2", "Hispanic or Latino"),
    ("2186-5", "Not Hispanic or Latino"),
    (DECLINED, "Declined to answer"),
]


class Participant(models.Model):
    """A person in, or asking about, treatment at one program ("patient" in FHIR)."""

    class Status(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        SCREENING = "screening", "Screening"
        ACTIVE = "active", "Active"
        STEP_DOWN = "step_down", "Step-down"
        # In care (the episode stays open) but away for a while: a hospital stay, residential
        # treatment, travel. Set and cleared only by participant_hold / participant_resume.
        ON_HOLD = "on_hold", "On hold"
        DISCHARGED = "discharged", "Discharged"
        ALUMNI = "alumni", "Alumni"
        # Screened and referred to another provider or level of care instead of admitted here.
        REFERRED = "referred", "Referred elsewhere"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="participants")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(validators=[in_db_range])
    pronouns = models.CharField(max_length=40, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=30, blank=True)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROSPECT)
    # The language of their own app, private links and reminders (settings.LANGUAGES); they choose it.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    # Demographics as US Core records them; empty means "not asked yet", "ASKU" that they declined.
    gender = models.CharField(
        "Administrative gender", max_length=10, choices=GENDER_CHOICES, blank=True, default=""
    )
    sex_at_birth = models.CharField(
        "Sex assigned at birth", max_length=4, choices=BIRTH_SEX_CHOICES, blank=True, default=""
    )
    race = models.JSONField(default=list, blank=True, help_text="OMB race categories (CDC codes), or ASKU")
    ethnicity = models.CharField(max_length=10, choices=ETHNICITY_CHOICES, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["program", "status"], name="participant_program_status"),
            models.Index(fields=["last_name", "first_name"], name="participant_name"),
        ]
        constraints = [
            dates_in_range("participants_participant_dates_in_range", dates=["date_of_birth"]),
            models.CheckConstraint(
                condition=Q(date_of_birth__gt=date(1900, 1, 1)), name="participant_dob_plausible"
            ),
            # Only the workflows' statuses; which one is right is `bridge check-records`' job.
            models.CheckConstraint(condition=Q(status__in=STATUS_VALUES), name="participant_status_known"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"

    @property
    def legal_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date | None = None) -> int:
        day = day or timezone.localdate()
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def is_adolescent(self) -> bool:
        return self.age_on() < 18


class CareTeamMember(models.Model):
    """A staff member assigned to a participant's care team. Ended, never deleted."""

    class TeamRole(models.TextChoices):
        PRIMARY_CLINICIAN = "primary", "Primary clinician"
        CLINICIAN = "clinician", "Clinician"
        PRESCRIBER = "prescriber", "Prescriber"
        NURSE = "nurse", "Nurse"
        PEER = "peer", "Peer support"
        CASE_MANAGER = "case_manager", "Case manager"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="care_team")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_assignments"
    )
    team_role = models.CharField(max_length=20, choices=TeamRole.choices)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(team_role="primary", ended_at__isnull=True),
                name="one_active_primary_clinician",
            ),
            models.UniqueConstraint(
                fields=["participant", "staff"],
                condition=Q(ended_at__isnull=True),
                name="care_team_member_once",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="care_team_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["staff", "ended_at"], name="care_team_staff_active")]

    def __str__(self) -> str:
        return f"{self.staff} ({self.get_team_role_display()}) for {self.participant_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class LevelOfCare(models.TextChoices):
    """Levels of care by their public numbers, of both criteria editions (reference/instruments.md §13).

    A code means what its edition says ("2.5" is partial hospitalization in the 3rd edition and
    high-intensity outpatient in the 4th), so every row that stores a level stores its edition too;
    `bridge.placement.editions` has the names per edition and the crosswalk.
    """

    EARLY_INTERVENTION = "0.5", "0.5 Early intervention (3rd ed.)"
    REMISSION_MONITORING = "1.0", "1.0 Long-term remission monitoring (4th ed.)"
    OUTPATIENT = "1", "1 Outpatient (3rd ed.)"
    OUTPATIENT_THERAPY = "1.5", "1.5 Outpatient therapy (4th ed.)"
    OUTPATIENT_MEDICAL = "1.7", "1.7 Medically managed outpatient (4th ed.)"
    INTENSIVE_OUTPATIENT = "2.1", "2.1 Intensive outpatient"
    PARTIAL_HOSPITALIZATION = (
        "2.5",
        "2.5 Partial hospitalization (3rd ed.) / high-intensity outpatient (4th ed.)",
    )
    INTENSIVE_OUTPATIENT_MEDICAL = "2.7", "2.7 Medically managed intensive outpatient (4th ed.)"
    RESIDENTIAL_LOW = "3.1", "3.1 Clinically managed low-intensity residential"
    RESIDENTIAL_HIGH = "3.5", "3.5 Clinically managed high-intensity residential"
    INPATIENT_MONITORED = (
        "3.7",
        "3.7 Medically monitored inpatient (3rd ed.) / medically managed residential (4th ed.)",
    )
    INPATIENT_MANAGED = "4", "4 Medically managed intensive inpatient"


class CriteriaEdition(models.TextChoices):
    """The edition of the placement criteria a level, rating or decision was made in."""

    THIRD = "3", "3rd edition (2013)"
    FOURTH = "4", "4th edition (2023)"


class EpisodeOfCare(models.Model):
    """One stay in the program, from admission to discharge. The level can change within it."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        FINISHED = "finished", "Finished"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="episodes")
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="episodes")
    # The latest level recorded; `level_on(day)` reads the history for a given day.
    level_of_care = models.CharField(
        max_length=5, choices=LevelOfCare.choices, default=LevelOfCare.INTENSIVE_OUTPATIENT
    )
    edition = models.CharField(
        "criteria edition", max_length=1, choices=CriteriaEdition.choices, default=CriteriaEdition.THIRD
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    admitted_on = models.DateField(validators=[in_db_range])
    discharged_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    consent_to_treatment_signed_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-admitted_on"]
        constraints = [
            dates_in_range(
                "participants_episodeofcare_dates_in_range",
                dates=["admitted_on", "discharged_on", "consent_to_treatment_signed_on"],
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(status="active"),
                name="one_active_episode_per_participant",
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=models.F("admitted_on")),
                name="episode_discharge_after_admission",
                violation_error_message="The discharge date is before the admission date: check the dates.",
            ),
        ]

    def __str__(self) -> str:
        return f"Episode {self.admitted_on} ({self.level_of_care}) for {self.participant_id}"

    def level_on(self, day: date) -> str:
        """The level in effect on `day` (from the change history; the current level if none applies)."""
        changes = sorted(self.level_changes.all(), key=lambda c: (c.effective_on, c.created_at))
        level = changes[0].level_of_care if changes else self.level_of_care
        for change in changes:
            if change.effective_on <= day:
                level = change.level_of_care
        return level


class LevelOfCareChange(models.Model):
    """A level of care taking effect within an episode (admission, step-down, step-up). Never edited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    episode = models.ForeignKey(EpisodeOfCare, on_delete=models.PROTECT, related_name="level_changes")
    level_of_care = models.CharField(max_length=5, choices=LevelOfCare.choices)
    edition = models.CharField(
        "criteria edition", max_length=1, choices=CriteriaEdition.choices, default=CriteriaEdition.THIRD
    )
    effective_on = models.DateField(validators=[in_db_range])
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            dates_in_range("participants_levelofcarechange_dates_in_range", dates=["effective_on"])
        ]
        ordering = ["effective_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.level_of_care} from {self.effective_on}"


class CareHold(models.Model):
    """A pause in care within an open episode: the participant is away (a hospital stay, residential
    treatment, travel) and expected back. Opened by `participant_hold`, ended by `participant_resume`
    or by the discharge; never edited otherwise, never deleted."""

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", "Hospital stay"
        RESIDENTIAL = "residential", "Residential or inpatient treatment"
        TRAVEL = "travel", "Travel"
        FAMILY = "family", "Family or work commitment"
        OTHER = "other", "Other"

    class Ending(models.TextChoices):
        RESUMED = "resumed", "Returned to care"
        DISCHARGED = "discharged", "Discharged while on hold"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="holds")
    episode = models.ForeignKey(EpisodeOfCare, on_delete=models.PROTECT, related_name="holds")
    kind = models.CharField("why they are away", max_length=12, choices=Kind.choices)
    reason = models.TextField()
    starts_on = models.DateField(validators=[in_db_range])
    expected_return_on = models.DateField(validators=[in_db_range])
    # The status to go back to on resuming (Active, or Step-down during a taper).
    status_before = models.CharField(max_length=20, choices=Participant.Status.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ended_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    ending = models.CharField(max_length=12, choices=Ending.choices, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    end_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_on", "-created_at"]
        constraints = [
            dates_in_range(
                "participants_carehold_dates_in_range", dates=["starts_on", "expected_return_on", "ended_on"]
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(ended_on__isnull=True),
                name="one_open_hold_per_participant",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="hold_has_reason"),
            models.CheckConstraint(
                condition=Q(expected_return_on__gte=models.F("starts_on")),
                name="hold_return_after_start",
                violation_error_message="The expected return is before the hold starts: check the dates.",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, ending="")
                | Q(ended_on__gte=models.F("starts_on"), ending__in=["resumed", "discharged"]),
                name="hold_ended_with_how",
            ),
            models.CheckConstraint(
                condition=Q(status_before__in=["active", "step_down"]), name="hold_from_care"
            ),
        ]

    def __str__(self) -> str:
        return f"Hold from {self.starts_on} ({self.kind}) for {self.participant_id}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None
