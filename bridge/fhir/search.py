"""Search parameters: parse the query string into filters, or say exactly which parameter is wrong.

Unknown parameters are refused (400 OperationOutcome naming them), never silently ignored: a client
that asked for `?birthdate=…` and got every patient back would believe it had filtered.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.utils.dateparse import parse_date, parse_datetime

from bridge.core.dates import Span
from bridge.fhir.outcome import FhirError
from bridge.fhir.registry import COMMON_PARAMS, ResourceType, Source

DEFAULT_COUNT = 50
MAX_COUNT = 500
PAGING = ("_offset",)  # our own `next` links carry it
IGNORED = ("_format",)  # only JSON is served; `_format=json` is accepted and changes nothing
PREFIXES = ("eq", "ge", "le", "gt", "lt")


@dataclass
class Query:
    count: int = DEFAULT_COUNT
    offset: int = 0
    ids: list[str] | None = None
    patients: list[str] | None = None
    # (path kind, prefix, value) filters applied per source
    dates: list[tuple[str, str, str]] = field(default_factory=list)
    updated: list[tuple[str, str, str]] = field(default_factory=list)
    codes: list[str] | None = None
    statuses: list[str] | None = None
    include_patient: bool = False  # _include=<Type>:patient (or :subject): the Patients referenced


def _int(params: QueryDict, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise FhirError(400, f"{name} must be a whole number.", expression=name) from None
    if not low <= value <= high:
        raise FhirError(400, f"{name} must be between {low} and {high}.", expression=name)
    return value


def _split_prefix(name: str, raw: str) -> tuple[str, str]:
    prefix, value = (raw[:2], raw[2:]) if raw[:2] in PREFIXES else ("eq", raw)
    try:  # well formed but impossible (2026-02-30) raises rather than returning None
        valid = parse_date(value) is not None or parse_datetime(value) is not None
    except ValueError:
        valid = False
    if not valid:
        raise FhirError(
            400,
            f"{name}={raw!r}: use a date (2026-03-01) or a dateTime, optionally after ge/le/gt/lt.",
            expression=name,
        )
    # A search bound outside what the database holds (0001-01-01, 9999-12-31) would overflow on its
    # way to UTC; it is refused plainly rather than answered with a 500.
    moment = parse_datetime(value)
    try:
        Span.ANY.check(moment or parse_date(value))
    except ValidationError as exc:
        raise FhirError(400, f"{name}={raw!r}: {exc.messages[0]}", expression=name) from None
    return prefix, value


def parse(rtype: ResourceType, params: QueryDict) -> Query:
    allowed = set(COMMON_PARAMS) | set(rtype.params) | set(PAGING) | set(IGNORED)
    if rtype.includes:
        allowed.add("_include")
    unknown = sorted(k for k in params if k not in allowed)
    if unknown:
        raise FhirError(
            400,
            f"Unknown search parameter(s) for {rtype.name}: {', '.join(unknown)}. "
            f"Supported: {', '.join(sorted(set(COMMON_PARAMS) | set(rtype.params)))}.",
            expression=unknown[0],
        )
    fmt = params.get("_format")
    if fmt is not None and fmt not in ("json", "application/json", "application/fhir+json"):
        raise FhirError(400, "Only JSON is served (_format=json).", expression="_format")
    q = Query(
        count=_int(params, "_count", DEFAULT_COUNT, 1, MAX_COUNT), offset=_int(params, "_offset", 0, 0, 10**9)
    )
    if "_id" in params:
        q.ids = [v for raw in params.getlist("_id") for v in raw.split(",") if v]
    refs = params.getlist("patient") + params.getlist("subject")
    if refs:
        q.patients = []
        for raw in refs:
            for value in raw.split(","):
                q.patients.append(value.removeprefix("Patient/"))
    for raw in params.getlist("date"):
        q.dates.append(("date", *_split_prefix("date", raw)))
    for raw in params.getlist("_lastUpdated"):
        q.updated.append(("_lastUpdated", *_split_prefix("_lastUpdated", raw)))
    if "code" in params:
        # token search: `system|code` or `code`; a comma means "any of".
        q.codes = [v.rsplit("|", 1)[-1] for raw in params.getlist("code") for v in raw.split(",") if v]
    if "status" in params:
        q.statuses = [v for raw in params.getlist("status") for v in raw.split(",") if v]
    for raw in params.getlist("_include"):
        for value in raw.split(","):
            if value not in rtype.includes:
                raise FhirError(
                    400,
                    f"_include={value!r} is not offered; use one of {', '.join(rtype.includes)}.",
                    expression="_include",
                )
            q.include_patient = True
    if "active" in params:
        # Patient.active (R4: a boolean token); the source's "active"/"inactive" status filters.
        values = {v.rsplit("|", 1)[-1] for raw in params.getlist("active") for v in raw.split(",") if v}
        if not values or not values <= {"true", "false"}:
            raise FhirError(400, "active must be true or false.", expression="active")
        q.statuses = ["active" if v == "true" else "inactive" for v in sorted(values)]
    return q


def _valid_uuids(values: list[str]) -> list[uuid.UUID]:
    out = []
    for value in values:
        try:
            out.append(uuid.UUID(value))
        except ValueError:
            continue  # an id that cannot exist matches nothing, like any other missing id
    return out


def _valid_numbers(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 18]


def bounds(prefix: str, value: str, is_datetime: bool):
    """The lookup and the value for one `date`-style comparison on a date or a dateTime column."""
    moment = parse_datetime(value)
    day = parse_date(value) if moment is None else None
    if is_datetime:
        if moment is None:
            assert day is not None
            start = datetime.combine(day, time.min, tzinfo=UTC)
            end = start + timedelta(days=1)
        else:
            start = end = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return {
            "eq": [("gte", start), ("lt", end)] if moment is None else [("exact", start)],
            "ge": [("gte", start)],
            "gt": [("gte", end)] if moment is None else [("gt", start)],
            "le": [("lt", end)] if moment is None else [("lte", start)],
            "lt": [("lt", start)],
        }[prefix]
    d: date = moment.date() if moment is not None else day  # type: ignore[assignment]
    return {
        "eq": [("exact", d)],
        "ge": [("gte", d)],
        "gt": [("gt", d)],
        "le": [("lte", d)],
        "lt": [("lt", d)],
    }[prefix]


def source_filter(rtype: ResourceType, source: Source, q: Query) -> Q | None:
    """The filter for one source, or None when the query cannot match anything in it."""
    where = Q()
    if q.ids is not None:
        ids = _valid_numbers(q.ids) if source.numbered_ids else _valid_uuids(q.ids)
        where &= Q(pk__in=ids)
    if q.patients is not None:
        if source.participant is None:
            return None
        where &= Q(fhir_participant__in=_valid_uuids(q.patients))
    for _, prefix, value in q.dates:
        if source.date is None:
            return None
        for lookup, bound in bounds(prefix, value, source.date_is_datetime):
            where &= Q(**{f"{source.date}__{lookup}": bound})
    for _, prefix, value in q.updated:
        for lookup, bound in bounds(prefix, value, True):
            where &= Q(**{f"fhir_updated__{lookup}": bound})
    if q.codes is not None:
        if source.code is None:
            return None
        aliases = source.code_aliases() if source.code_aliases is not None else {}
        where &= Q(**{f"{source.code}__in": [aliases.get(c, c) for c in q.codes]})
    if q.statuses is not None:
        unknown = [s for s in q.statuses if s not in rtype_statuses(rtype)]
        if unknown:
            raise FhirError(
                400,
                f"status={unknown[0]!r} is not a status of {rtype.name}; "
                f"use one of {', '.join(sorted(rtype_statuses(rtype)))}.",
                expression="status",
            )
        matched = [source.status[s] for s in q.statuses if s in source.status]
        if not matched:
            return None
        either = Q(pk__in=[])
        for clause in matched:
            either |= clause
        where &= either
    return where


def rtype_statuses(rtype: ResourceType) -> set[str]:
    return {s for source in rtype.sources for s in source.status}
