"""Every date and time Bridge accepts has a sensible range for what it means.

Two layers, so no single forgotten check can let year 0001 or 9999 in:

  * **The database's range** (`DB_FLOOR` ≤ value < `DB_CEILING`, 1900-2099): every date or time a
    person, the API or an import can set has the model validator `in_db_range` (run by `full_clean`
    in services and by ModelForms) and its table a `DatesInRange` CHECK constraint, on SQLite and
    PostgreSQL alike. Outside it, values break pages: 9999-12-31 18:00 in Los Angeles is year 10000
    in UTC, which psycopg (and Python) cannot read back.
  * **The meaning's range** (`Span`): a birth date is 1900-today, a session or event is within a few
    years of today, a record of something done is not in the future. Forms use `DateField(span=…)`
    / `DateTimeField(span=…)` from here; the JSON API and FHIR parameters call `span.check(value)`.
    These depend on today, so they belong at the input, never on the model (an old row must stay
    editable).

A value already stored outside the database's range (from before the constraints) is reported by
`bridge check-records` (bridge/core/record_checks.py), and pages show it rather than fail.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Iterable
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from pydantic import AfterValidator

DB_FLOOR = dt.date(1900, 1, 1)
DB_CEILING = dt.date(2100, 1, 1)  # exclusive
DB_FLOOR_AT = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
DB_CEILING_AT = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def _day(value: dt.date | dt.datetime) -> dt.date:
    """The calendar day of a value, read without time-zone arithmetic (which overflows at year 9999)."""
    return value.date() if isinstance(value, dt.datetime) else value


def _years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Span(enum.Enum):
    """What a date means, and so which dates are sensible for it: (years back, years ahead) of today;
    None is the database's own limit."""

    ANY = (None, None)  # a search filter or report period: anything the database can hold
    BIRTH = (None, 0)  # 1900 to today
    HISTORY = (
        150,
        0,
    )  # (to 1900) something that happened, perhaps long ago (a substance first used, a med started)
    # A record of care: admitted, signed, collected, given, discharged. Not in the future; how far back is
    # the service's to say (e.g. not before the episode began), with its own, clearer message.
    RECORD = (100, 0)
    PLANNED = (2, 5)  # a session, event, appointment, target or review: within a few years of today
    CARE = (100, 5)  # a date in someone's care that may be past or planned (a medication's start or stop)
    EXPIRY = (20, 20)  # a licence, consent or authorisation's expiry

    def bounds(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """(first, last) sensible day, inclusive. A record of today may carry tomorrow's date where the
        program's day runs ahead of the server's, so 'not in the future' allows one day."""
        today = today or timezone.localdate()
        back, ahead = self.value
        first = DB_FLOOR if back is None else max(DB_FLOOR, _years(today, -back))
        last = DB_CEILING - dt.timedelta(days=1)
        if ahead is not None:
            last = min(last, _years(today, ahead) + dt.timedelta(days=1 if ahead == 0 else 0))
        return first, last

    def check(self, value: dt.date | dt.datetime | None, today: dt.date | None = None) -> None:
        """Raise ValidationError (a plain sentence) when the value is outside this meaning's range."""
        if value is None:
            return
        first, last = self.bounds(today)
        if not first <= _day(value) <= last:
            raise ValidationError(
                f"Enter a date between {first:%Y-%m-%d} and {last:%Y-%m-%d}.", code="date_out_of_range"
            )


@deconstructible
class InDbRange:
    """Model validator: the value is one the database will hold (1900-01-01 up to 2099-12-31)."""

    message = "Enter a date between 1900-01-01 and 2099-12-31."

    def __call__(self, value: dt.date | dt.datetime | None) -> None:
        if value is not None and not DB_FLOOR <= _day(value) < DB_CEILING:
            raise ValidationError(self.message, code="date_out_of_range")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InDbRange)


in_db_range = InDbRange()


def in_range_q(name: str, field: models.Field[Any, Any]) -> Q:
    """The condition `name` holds a value the database can read back (NULL passes a CHECK)."""
    if isinstance(field, models.DateTimeField):
        return Q(**{f"{name}__gte": DB_FLOOR_AT, f"{name}__lt": DB_CEILING_AT})
    return Q(**{f"{name}__gte": DB_FLOOR, f"{name}__lt": DB_CEILING})


def out_of_range_q(name: str, field: models.Field[Any, Any]) -> Q:
    """The condition a stored value is outside the database's range (for check-records)."""
    if isinstance(field, models.DateTimeField):
        return Q(**{f"{name}__lt": DB_FLOOR_AT}) | Q(**{f"{name}__gte": DB_CEILING_AT})
    return Q(**{f"{name}__lt": DB_FLOOR}) | Q(**{f"{name}__gte": DB_CEILING})


class DatesInRange(models.CheckConstraint):
    """CHECK constraint: each listed date column holds a value between 1900 and 2099 (or NULL).

    Its Python-side validation is left to the fields' `in_db_range` validators, which say the same
    thing without a query per `full_clean`.
    """

    def validate(
        self,
        model: type[models.Model],
        instance: models.Model,
        exclude: Collection[str] | None = None,
        using: str | None = None,
    ) -> None:
        return None


def dates_in_range(name: str, *, dates: Iterable[str] = (), moments: Iterable[str] = ()) -> DatesInRange:
    """The table's CHECK that its `dates` (DateField) and `moments` (DateTimeField) are in range."""
    condition = Q()
    for column in dates:
        condition &= Q(**{f"{column}__isnull": True}) | Q(
            **{f"{column}__gte": DB_FLOOR, f"{column}__lt": DB_CEILING}
        )
    for column in moments:
        condition &= Q(**{f"{column}__isnull": True}) | Q(
            **{f"{column}__gte": DB_FLOOR_AT, f"{column}__lt": DB_CEILING_AT}
        )
    return DatesInRange(condition=condition, name=name, violation_error_message=InDbRange.message)


# --- Form fields ------------------------------------------------------------------------------------


class DateField(forms.DateField):
    """A date field that refuses dates outside its meaning's range (`span`, default the database's)."""

    default_span = Span.ANY

    def __init__(self, *args: Any, span: Span | None = None, **kwargs: Any) -> None:
        self.span = span or self.default_span
        super().__init__(*args, **kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        self.span.check(value)


class DateTimeField(forms.DateTimeField):
    """A date-and-time field that refuses moments outside its meaning's range."""

    default_span = Span.ANY

    def __init__(self, *args: Any, span: Span | None = None, **kwargs: Any) -> None:
        self.span = span or self.default_span
        super().__init__(*args, **kwargs)

    def to_python(self, value: str | dt.datetime | dt.date | None) -> dt.datetime | None:
        # Range-check the wall-clock value before Django attaches the time zone: 9999-12-31 23:59 in
        # Los Angeles would overflow on its way to UTC.
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None:
                self.span.check(parsed)
        try:
            return super().to_python(value)
        except OverflowError:
            raise ValidationError(InDbRange.message, code="date_out_of_range") from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        self.span.check(value)


class BirthDateField(DateField):
    """For a ModelForm's `field_classes`: 1900 to today."""

    default_span = Span.BIRTH


class ExpiryDateField(DateField):
    default_span = Span.EXPIRY


class RecordDateField(DateField):
    default_span = Span.RECORD


class PlannedDateField(DateField):
    default_span = Span.PLANNED


class CareDateField(DateField):
    default_span = Span.CARE


def model_date_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The concrete date and date-time columns of a model."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField) and not isinstance(f, models.TimeField)
    ]


# --- JSON API (pydantic) types ----------------------------------------------------------------------


def _api_check(span: Span) -> AfterValidator:
    def check(value: Any) -> Any:
        try:
            span.check(value)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None
        return value

    return AfterValidator(check)


AnyDate = Annotated[dt.date, _api_check(Span.ANY)]
PlannedDate = Annotated[dt.date, _api_check(Span.PLANNED)]
PlannedMoment = Annotated[dt.datetime, _api_check(Span.PLANNED)]
# An attendance time is also checked against its session (scheduling.services.attendance).
AnyMoment = Annotated[dt.datetime, _api_check(Span.ANY)]
