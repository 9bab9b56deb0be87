"""Organizations own programs; a program is one site that runs an IOP."""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (for example America/Los_Angeles).")


class Organization(models.Model):
    """A provider company; it owns one or more programs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    """One site that runs an IOP, with its address and the time zone its schedule lives in."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(max_length=200)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, help_text="Two-letter state code")
    # Public holidays (program closures) come from the `holidays` package for this country and state.
    country = models.CharField(max_length=2, default="US", help_text="Two-letter country code")
    zip_code = models.CharField("ZIP code", max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    time_zone = models.CharField(
        max_length=64, default="America/Los_Angeles", validators=[validate_time_zone]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="program_name_unique_in_org"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def address_line(self) -> str:
        parts = [self.street, self.city, f"{self.state} {self.zip_code}".strip()]
        return ", ".join(p for p in parts if p)


class Track(models.Model):
    """A recurring weekly timetable of a program (e.g. evenings Mon/Tue/Thu 18:00-21:00)."""

    class Modality(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        TELEHEALTH = "telehealth", "Telehealth"
        HYBRID = "hybrid", "Hybrid"

    class AgeGroup(models.TextChoices):
        ADULT = "adult", "Adults"
        ADOLESCENT = "adolescent", "Adolescents"

    WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="tracks")
    name = models.CharField(max_length=120)
    # ISO weekday numbers, Monday = 0 ... Sunday = 6, as Python's date.weekday().
    weekdays = models.JSONField(default=list)
    start_time = models.TimeField()
    end_time = models.TimeField()
    modality = models.CharField(max_length=20, choices=Modality.choices, default=Modality.IN_PERSON)
    target_hours_per_week = models.DecimalField(
        max_digits=4, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(40)]
    )
    age_group = models.CharField(max_length=20, choices=AgeGroup.choices, default=AgeGroup.ADULT)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="track_name_unique_in_program"),
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="track_ends_after_start",
                violation_error_message="The track ends before it starts: check the times.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.weekdays, list) or not self.weekdays:
            raise ValidationError({"weekdays": "Choose at least one weekday."})
        if any(not isinstance(d, int) or d < 0 or d > 6 for d in self.weekdays):
            raise ValidationError({"weekdays": "Weekdays are numbers 0 (Monday) to 6 (Sunday)."})
        if len(set(self.weekdays)) != len(self.weekdays):
            raise ValidationError({"weekdays": "A weekday is listed twice."})

    @property
    def weekday_label(self) -> str:
        return "/".join(self.WEEKDAY_NAMES[d] for d in sorted(self.weekdays))

    @property
    def session_minutes(self) -> int:
        start = datetime.combine(date(2000, 1, 3), self.start_time)
        end = datetime.combine(date(2000, 1, 3), self.end_time)
        return int((end - start) / timedelta(minutes=1))

    @property
    def is_evening(self) -> bool:
        return self.start_time.hour >= 16

    @property
    def is_weekend(self) -> bool:
        return all(d >= 5 for d in self.weekdays)
