"""The public directory: imported SAMHSA facilities, and what programs on Bridge publish about themselves.

Two kinds of listing are shown side by side and never mixed up:
  * `Facility` — a row read from SAMHSA FindTreatment.gov data by `bridge directory import`; a
    historical snapshot of a survey answer, never verified by Bridge;
  * a program running Bridge, whose listing is generated on every request from its own records
    (tracks, curriculum, staff credentials, episodes of care) plus the small `ProgramProfile`,
    `ProgramAccreditation` and `ProgramLicense` tables its director keeps.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bridge.core.dates import dates_in_range, in_db_range
from bridge.directory.importer import Format


class ImportRun(models.Model):
    """One run of `bridge directory import`: which file, when, and what happened to its rows."""

    FORMAT_CHOICES = list(Format.LABELS.items())

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source_name = models.CharField(max_length=255, help_text="File name as given to the command")
    source_format = models.CharField(max_length=20, choices=FORMAT_CHOICES)
    source_sha256 = models.CharField(max_length=64)
    source_as_of = models.DateField(
        null=True,
        blank=True,
        help_text="When SAMHSA published the data, if known (--as-of)",
        validators=[in_db_range],
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rejections = models.JSONField(default=list, blank=True)  # [{"line", "reason", "name"}], first 500
    unmapped_labels = models.JSONField(default=dict, blank=True)  # label -> rows, the 50 most frequent
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [dates_in_range("directory_importrun_dates_in_range", dates=["source_as_of"])]
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source_name} read {self.started_at:%Y-%m-%d}"


class Facility(models.Model):
    """A treatment facility as SAMHSA FindTreatment.gov listed it, read by `bridge directory import`.

    `source_key` is SAMHSA's facility id (`frid`) or, for files without one, an id derived from
    name, ZIP code and coordinates; re-importing updates the row with the same key in place.
    `service_codes` holds today's codes space-separated with a space at each end (" IOP MD JC "),
    so a filter is a substring test after the bounding-box prefilter on the indexed coordinates.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source_key = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    name2 = models.CharField(max_length=200, blank=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2)
    zip_code = models.CharField(max_length=5)
    phone = models.CharField(max_length=40, blank=True)
    intake_phone = models.CharField(max_length=40, blank=True)
    website = models.CharField(max_length=300, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    located_by_zip = models.BooleanField(
        default=False, help_text="The source had no coordinates; placed at its ZIP code's center"
    )
    type_facility = models.CharField(max_length=10, blank=True)  # SA, MH, ... when the source says
    treats_substance_use = models.BooleanField(default=True)
    service_codes = models.TextField(blank=True)
    services = models.JSONField(default=list)  # [[section, code or "", label as the source wrote it]]
    fingerprint = models.CharField(max_length=64)
    first_import = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="+")
    last_import = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"
        indexes = [models.Index(fields=["latitude", "longitude"], name="facility_lat_lng")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="facility_coordinates_on_earth",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self.service_codes.split())

    @property
    def address_line(self) -> str:
        parts = [self.street, self.city, f"{self.state} {self.zip_code}".strip()]
        return ", ".join(p for p in parts if p)


def _choice_list_help(kind: str) -> str:
    return f"Codes from the directory's {kind} list (bridge/directory/facets.py)"


class ProgramProfile(models.Model):
    """The few facts a program publishes that Bridge does not already hold: a director keeps them.

    Everything else in a live listing (tracks, curriculum, credentials, accreditations, quality
    signals) is read from the program's own records when the page is shown.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.OneToOneField(
        "programs.Program", on_delete=models.PROTECT, related_name="directory_profile"
    )
    published = models.BooleanField(default=False, help_text="Show this program in the public directory")
    admitting = models.BooleanField(default=True, help_text="Taking new participants now")
    summary = models.TextField(blank=True, max_length=1000)
    website = models.URLField(blank=True)
    intake_phone = models.CharField(max_length=30, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text=_choice_list_help("language"))
    payment = models.JSONField(default=list, blank=True, help_text=_choice_list_help("payment"))
    approaches = models.JSONField(default=list, blank=True, help_text=_choice_list_help("approach"))
    medications = models.JSONField(default=list, blank=True, help_text="MAT medications offered")
    accepts_outside_mat = models.BooleanField(
        default=True, help_text="Welcomes people on medication prescribed elsewhere"
    )
    dual_diagnosis = models.BooleanField(default=False)
    aftercare = models.JSONField(default=list, blank=True, help_text="aftercare, stepdown, alumni")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Directory profile of {self.program}"

    def clean(self) -> None:
        from bridge.directory import profile_choices

        errors = {}
        for name, allowed in profile_choices.ALLOWED.items():
            value = getattr(self, name)
            if not isinstance(value, list) or not set(value) <= allowed:
                errors[name] = f"Choose from the listed options ({', '.join(sorted(allowed))})."
            elif len(set(value)) != len(value):
                errors[name] = "An option is listed twice."
        if errors:
            raise ValidationError(errors)


class _ProgramRecognition(models.Model):
    """Shared shape of an accreditation and a license: number, expiry, and how it ended."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=60)
    expires_on = models.DateField(validators=[in_db_range])
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    EXPIRING_SOON_DAYS = 60

    class Meta:
        abstract = True

    def is_expired(self, today: date | None = None) -> bool:
        return self.expires_on < (today or timezone.localdate())

    def is_current(self, today: date | None = None) -> bool:
        return self.ended_at is None and not self.is_expired(today)

    @property
    def status(self) -> str:
        if self.ended_at is not None:
            return "ended"
        if self.is_expired():
            return "expired"
        if (self.expires_on - timezone.localdate()).days <= self.EXPIRING_SOON_DAYS:
            return "expiring"
        return "current"


class ProgramAccreditation(_ProgramRecognition):
    """An accreditation a program holds (The Joint Commission, CARF, ...), until it expires or ends."""

    class Body(models.TextChoices):
        JC = "JC", "The Joint Commission"
        CARF = "CARF", "CARF (Commission on Accreditation of Rehabilitation Facilities)"
        COA = "COA", "Council on Accreditation (COA)"
        HFAP = "HFAP", "Healthcare Facilities Accreditation Program (HFAP)"
        NCQA = "NCQA", "National Committee for Quality Assurance (NCQA)"

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="accreditations")
    body = models.CharField(max_length=8, choices=Body.choices)

    class Meta:
        ordering = ["body", "-expires_on"]
        constraints = [
            dates_in_range("directory_programaccreditation_dates_in_range", dates=["expires_on"]),
            models.UniqueConstraint(
                fields=["program", "body"],
                condition=Q(ended_at__isnull=True),
                name="one_open_accreditation_per_body",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | ~Q(end_reason=""), name="ended_accreditation_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()} #{self.number}"


class ProgramLicense(_ProgramRecognition):
    """A license or certification from a state authority (or the DEA / SAMHSA for opioid treatment)."""

    class Authority(models.TextChoices):
        SSA = "SSA", "State substance use treatment agency"
        STMH = "STMH", "State mental health department"
        STDH = "STDH", "State department of health"
        HLA = "HLA", "Hospital licensing authority"
        SOTP = "SOTP", "SAMHSA opioid treatment program certification"

    STATE_AUTHORITIES = ("SSA", "STMH", "STDH", "HLA")

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="licenses")
    authority = models.CharField(max_length=8, choices=Authority.choices)
    issuer = models.CharField(
        max_length=200, help_text="Who issued it, e.g. California Department of Health Care Services"
    )
    state = models.CharField(
        max_length=2, blank=True, validators=[RegexValidator(r"^[A-Z]{2}$", "Use the two-letter state code.")]
    )

    class Meta:
        ordering = ["authority", "-expires_on"]
        constraints = [
            dates_in_range("directory_programlicense_dates_in_range", dates=["expires_on"]),
            models.UniqueConstraint(
                fields=["program", "authority", "number"],
                condition=Q(ended_at__isnull=True),
                name="one_open_license_per_number",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | ~Q(end_reason=""), name="ended_license_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_authority_display()} #{self.number}"
