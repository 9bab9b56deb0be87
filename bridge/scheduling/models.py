"""Rooms, the curriculum, group series with rolling membership, sessions and attendance.

These models are shared by the schedule, the clinical record (notes are tied to sessions and
attendance), billing and aftercare. Times are stored in UTC; a session's local time is in its
program's time zone.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from bridge.core.dates import dates_in_range, in_db_range


class Room(models.Model):
    """A room at a program where sessions happen. Telehealth sessions need no room."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=100)
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(500)])
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="room_name_unique_in_program")
        ]

    def __str__(self) -> str:
        return f"{self.name} (seats {self.capacity})"


class SessionKind(models.TextChoices):
    GROUP = "group", "Group session"
    INDIVIDUAL = "individual", "Individual therapy"
    FAMILY = "family", "Family session"
    MEDICATION = "medication", "Medication visit"
    DRUG_SCREEN = "drug_screen", "Drug-screen visit"
    ALUMNI = "alumni", "Alumni group or event"


class RequiredCredential(models.TextChoices):
    """What a staff member must hold to lead a session type (checked against Credential types)."""

    NONE = "none", "No credential required"
    CLINICIAN = "clinician", "Licensed or certified clinician"
    LICENSED = "licensed", "Licensed clinician"
    PRESCRIBER = "prescriber", "Prescriber (MD, DO, NP, PA)"
    NURSE = "nurse", "Nurse or prescriber"


class SessionType(models.Model):
    """A curriculum item: a kind of session and topic with its default length and required credential."""

    class Category(models.TextChoices):
        GROUP_THERAPY = "group_therapy", "Group therapy"
        PSYCHOEDUCATION = "psychoeducation", "Psychoeducation"
        LIFE_SKILLS = "life_skills", "Life skills"
        FAMILY = "family", "Family"
        INDIVIDUAL = "individual", "Individual therapy"
        MEDICAL = "medical", "Medical"
        ALUMNI = "alumni", "Alumni"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="session_types")
    name = models.CharField(max_length=120)  # e.g. "Relapse prevention"
    category = models.CharField(max_length=20, choices=Category.choices)
    kind = models.CharField(max_length=20, choices=SessionKind.choices, default=SessionKind.GROUP)
    default_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    required_credential = models.CharField(
        max_length=12, choices=RequiredCredential.choices, default=RequiredCredential.CLINICIAN
    )
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="session_type_unique_in_program")
        ]

    def __str__(self) -> str:
        return self.name


class GroupSeries(models.Model):
    """An ongoing group within a track, with rolling (open) admission, a size cap and a waitlist."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="group_series")
    track = models.ForeignKey("programs.Track", on_delete=models.PROTECT, related_name="group_series")
    name = models.CharField(max_length=120)
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="series")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_series"
    )
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="series")
    size_cap = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(40)]
    )
    rolling_admission = models.BooleanField(default=True)
    starts_on = models.DateField(validators=[in_db_range])
    ends_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "name"]
        verbose_name_plural = "group series"
        constraints = [
            dates_in_range("scheduling_groupseries_dates_in_range", dates=["starts_on", "ends_on"]),
            models.UniqueConstraint(fields=["program", "name"], name="series_name_unique_in_program"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="series_ends_after_start",
                violation_error_message="The series ends before it starts: check the dates.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SeriesMembership(models.Model):
    """A participant's place in a group series over a span of dates, or on its waitlist.

    Roster edits never touch past sessions: joining adds the participant to sessions from
    `joined_on`; leaving sets `left_on` and removes them from later sessions only.
    """

    class Status(models.TextChoices):
        WAITLISTED = "waitlisted", "On the waitlist"
        ACTIVE = "active", "Member"
        ON_HOLD = "on_hold", "On hold"
        TRANSFERRED = "transferred", "Transferred"
        DISCHARGED = "discharged", "Discharged"
        LEFT = "left", "Left the group"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    series = models.ForeignKey(GroupSeries, on_delete=models.PROTECT, related_name="memberships")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="series_memberships"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    requested_at = models.DateTimeField(default=timezone.now)  # waitlist order
    joined_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    left_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["series", "requested_at"]
        constraints = [
            dates_in_range("scheduling_seriesmembership_dates_in_range", dates=["joined_on", "left_on"]),
            models.UniqueConstraint(
                fields=["series", "participant"],
                condition=Q(status__in=["waitlisted", "active", "on_hold"]),
                name="one_open_membership_per_series",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(joined_on__isnull=False),
                name="membership_left_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} in {self.series_id} ({self.status})"


class Session(models.Model):
    """One scheduled occurrence: a group, individual, family, medication or drug-screen session."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Modality(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        TELEHEALTH = "telehealth", "Telehealth (video)"
        AUDIO_ONLY = "audio_only", "Telephone (audio only)"

    REMOTE = (Modality.TELEHEALTH, Modality.AUDIO_ONLY)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(max_length=20, choices=SessionKind.choices)
    session_type = models.ForeignKey(
        SessionType, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    series = models.ForeignKey(
        GroupSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    track = models.ForeignKey(
        "programs.Track", null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    title = models.CharField(max_length=160, blank=True)
    starts_at = models.DateTimeField(validators=[in_db_range])
    ends_at = models.DateTimeField(validators=[in_db_range])
    modality = models.CharField(max_length=12, choices=Modality.choices, default=Modality.IN_PERSON)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions")
    telehealth_url = models.URLField(blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_sessions")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(max_length=200, blank=True)
    rescheduled_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["program", "starts_at"], name="session_program_time"),
            models.Index(fields=["staff", "starts_at"], name="session_staff_time"),
            models.Index(fields=["series", "starts_at"], name="session_series_time"),
        ]
        constraints = [
            dates_in_range("scheduling_session_dates_in_range", moments=["starts_at", "ends_at"]),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="cancelled_session_has_reason"
            ),
            # A cancelled session (e.g. the original of a moved one) does not hold its time: the
            # session can move back to it.
            models.UniqueConstraint(
                fields=["series", "starts_at"],
                condition=Q(series__isnull=False) & ~Q(status="cancelled"),
                name="one_live_series_session_per_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title or self.get_kind_display()} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def display_title(self) -> str:
        """What the session is called on schedule screens (staff-facing; feeds say less)."""
        if self.title:
            return self.title
        if self.session_type is not None:
            return self.session_type.name
        return self.get_kind_display()

    @property
    def scheduled_minutes(self) -> int:
        return int((self.ends_at - self.starts_at) / timedelta(minutes=1))


class Attendance(models.Model):
    """One participant on one session's roster: whether they came and for how many minutes.

    A row exists for everyone expected at the session; attendance is recorded on it. Rows of
    past sessions are never removed by roster changes.
    """

    class Status(models.TextChoices):
        EXPECTED = "expected", "Expected"
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        LEFT_EARLY = "left_early", "Left early"
        EXCUSED = "excused", "Excused absence"
        UNEXCUSED = "unexcused", "Unexcused absence"
        NO_SHOW = "no_show", "No-show"

    ATTENDED = (Status.PRESENT, Status.LATE, Status.LEFT_EARLY)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.EXPECTED)
    arrived_at = models.DateTimeField(null=True, blank=True, validators=[in_db_range])
    departed_at = models.DateTimeField(null=True, blank=True, validators=[in_db_range])
    minutes = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(24 * 60)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session__starts_at"]
        constraints = [
            dates_in_range("scheduling_attendance_dates_in_range", moments=["arrived_at", "departed_at"]),
            models.UniqueConstraint(fields=["session", "participant"], name="attendance_once_per_session"),
            models.CheckConstraint(
                condition=Q(departed_at__isnull=True)
                | Q(arrived_at__isnull=True)
                | Q(departed_at__gte=F("arrived_at")),
                name="attendance_departs_after_arrival",
                violation_error_message="The departure time is before the arrival time: check the times.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["present", "late", "left_early"])
                | Q(minutes__isnull=True)
                | Q(minutes=0),
                name="absent_means_no_minutes",
            ),
        ]
        indexes = [models.Index(fields=["participant", "session"], name="attendance_participant")]

    def __str__(self) -> str:
        return f"{self.participant_id} at {self.session_id}: {self.status}"

    @property
    def attended(self) -> bool:
        return self.status in self.ATTENDED


class AttendanceChange(models.Model):
    """One correction of an attendance record after it was first taken: who, when, from what to what.

    The attendance row holds the current values; these rows keep every earlier version, so an
    edit after the fact never hides what was recorded before. Never edited or deleted.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    attendance = models.ForeignKey(Attendance, on_delete=models.PROTECT, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=12, choices=Attendance.Status.choices)
    to_status = models.CharField(max_length=12, choices=Attendance.Status.choices)
    from_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    to_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    from_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["changed_at"]

    def __str__(self) -> str:
        return f"{self.attendance_id}: {self.from_status} -> {self.to_status}"


class PayerRule(models.Model):
    """A payer's day rule for IOP billing, as data (e.g. H0015: at least 3 h on at least 3 days a week).

    `kind` says what sort of payer it is: Medicare's IOP benefit counts in-person therapeutic
    services only and is paid per diem by services a day (3, or 4 and more).
    """

    class Kind(models.TextChoices):
        MEDICARE = "medicare", "Medicare"
        MEDICAID = "medicaid", "Medicaid"
        COMMERCIAL = "commercial", "Commercial insurance"
        OTHER = "other", "Other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="payer_rules")
    name = models.CharField(max_length=120)  # e.g. "Medi-Cal DMC-ODS"
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    code = models.CharField(max_length=20)  # e.g. "H0015"
    min_minutes_per_day = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    min_days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(7)])
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="payer_rule_unique_in_program"),
            models.CheckConstraint(
                condition=Q(min_days__gte=1, min_days__lte=7), name="payer_rule_days_in_week"
            ),
            models.CheckConstraint(
                condition=Q(min_minutes_per_day__gte=1, min_minutes_per_day__lte=24 * 60),
                name="payer_rule_minutes_in_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class EpisodePayer(models.Model):
    """Which payer rule an episode of care is billed under (one per episode; changed, never deleted)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    episode = models.OneToOneField(
        "participants.EpisodeOfCare", on_delete=models.PROTECT, related_name="payer"
    )
    rule = models.ForeignKey(PayerRule, on_delete=models.PROTECT, related_name="episodes")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.episode_id} billed under {self.rule_id}"


class StepDownException(models.Model):
    """A time-limited allowance of fewer weekly hours for one participant during step-down.

    Covers `weeks` ISO weeks (1 or 2, enforced by the database) from the Monday `first_week`;
    in those weeks the ledger uses `floor_minutes` and marks the row as excepted. It expires by
    itself: later weeks use the level's floor again.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="step_down_exceptions"
    )
    first_week = models.DateField(
        help_text="The Monday of the first week it covers", validators=[in_db_range]
    )
    weeks = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    floor_minutes = models.PositiveSmallIntegerField(validators=[MaxValueValidator(40 * 60)])
    reason = models.CharField(max_length=300)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-first_week"]
        constraints = [
            dates_in_range("scheduling_stepdownexception_dates_in_range", dates=["first_week"]),
            models.CheckConstraint(
                condition=Q(weeks__gte=1, weeks__lte=2), name="step_down_at_most_two_weeks"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="step_down_has_reason"),
        ]
        indexes = [models.Index(fields=["participant", "first_week"], name="step_down_participant_week")]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.floor_minutes} min from {self.first_week} for {self.weeks} wk"

    @property
    def last_week(self):
        return self.first_week + timedelta(weeks=self.weeks - 1)

    def covers(self, week_start) -> bool:
        return self.first_week <= week_start <= self.last_week

    def clean(self) -> None:
        if self.first_week and self.first_week.weekday() != 0:
            raise ValidationError({"first_week": "A week starts on a Monday."})


class ServiceRule(models.Model):
    """Whether a session type counts, for one payer or (payer empty) as the program's default.

    `counts_toward_hours`: its minutes count toward the level of care's weekly hours;
    `billable_service`: it is a billable IOP service (the payer's day rule and Medicare's services a
    day count only these); the modalities say which ways of attending count. A session type
    without a row uses the built-in defaults (bridge/scheduling/qualifying.py).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="service_rules")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="service_rules")
    payer = models.ForeignKey(
        PayerRule, null=True, blank=True, on_delete=models.PROTECT, related_name="service_rules"
    )
    counts_toward_hours = models.BooleanField("Counts toward level-of-care hours", default=True)
    billable_service = models.BooleanField("Billable IOP service", default=True)
    in_person = models.BooleanField("In person counts", default=True)
    video = models.BooleanField("Video counts", default=True)
    audio_only = models.BooleanField("Audio-only counts", default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session_type__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session_type", "payer"],
                condition=Q(payer__isnull=False),
                name="one_rule_per_type_payer",
            ),
            models.UniqueConstraint(
                fields=["session_type"], condition=Q(payer__isnull=True), name="one_default_rule_per_type"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_type_id} for {self.payer_id or 'program default'}"


class ProgramClosure(models.Model):
    """A day the program is closed, or (closed=False) a public holiday on which it stays open.

    Public holidays for the program's country and state come from the `holidays` package and
    are closed unless a row says otherwise; a row with closed=True adds a one-off closure (a
    staff training day). Rows are edited, never deleted.
    """

    class Source(models.TextChoices):
        HOLIDAY = "holiday", "Public holiday"
        PROGRAM = "program", "Program closure"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="closures")
    day = models.DateField(validators=[in_db_range])
    name = models.CharField(max_length=120)
    closed = models.BooleanField(default=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PROGRAM)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day"]
        constraints = [
            dates_in_range("scheduling_programclosure_dates_in_range", dates=["day"]),
            models.UniqueConstraint(fields=["program", "day"], name="one_closure_row_per_day"),
            models.CheckConstraint(condition=~Q(name=""), name="closure_has_name"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.name} ({'closed' if self.closed else 'open'})"


class ConflictAcceptance(models.Model):
    """A soft conflict someone confirmed with a reason (outside a participant's work or family
    hours, outside the clinician's working hours): for one session, or for a participant's whole
    membership of a group series (every session it covers)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.PROTECT, related_name="accepted_conflicts"
    )
    membership = models.ForeignKey(
        SeriesMembership, null=True, blank=True, on_delete=models.PROTECT, related_name="accepted_conflicts"
    )
    participant = models.ForeignKey(
        "participants.Participant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=12)
    message = models.CharField(max_length=300)
    reason = models.CharField(max_length=300)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["accepted_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="accepted_conflict_has_reason"),
            models.CheckConstraint(
                condition=Q(session__isnull=False) | Q(membership__isnull=False),
                name="accepted_conflict_has_subject",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["work_hours", "staff_hours"]), name="only_soft_conflicts_accepted"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} accepted: {self.reason}"


class ArrivalCall(models.Model):
    """The desk called someone who had not arrived: what they said (a note on one roster row)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    attendance = models.ForeignKey(Attendance, on_delete=models.PROTECT, related_name="calls")
    note = models.CharField(max_length=300)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    called_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["called_at"]
        constraints = [models.CheckConstraint(condition=~Q(note=""), name="arrival_call_has_note")]

    def __str__(self) -> str:
        return f"{self.attendance_id} called at {self.called_at:%H:%M}"
