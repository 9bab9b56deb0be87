"""Program quality measures: the contract between the directory (which shows them) and the apps
that measure them (`quality.py: measures()`), and the arithmetic with small-cell suppression.
Plain Python, no Django (it was `bridge.directory.measures`; not named `quality`, the
module name apps use for their measures).

A published figure never lets anyone work out a group of 1 to 10 people: a share is withheld when
fewer than 11 people are counted, or when the people it counts, or the people it leaves out, number
1 to 10 (publishing "90% of 50" would tell that 5 people left). Zero is not a small cell.
This follows the cell-size rule the federal data programs (CMS, SAMHSA) apply to published tables.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Protocol

SMALL_CELL = 11
YEAR = timedelta(days=365)

# Every measure's key and label (an app's measure replaces the directory's with the same key).
LABELS = {
    "retention_30": "Still in the program 30 days after starting",
    "retention_90": "Still in the program 90 days after starting",
    "completion": "Finished the program",
    "weekly_hours": "Hours of treatment a week, delivered and required",
    "moud_180": "Opioid use disorder: on medication, and still on it at 180 days",
    "followup_7d": "Follow-up contact within 7 days of leaving",
}
MOUD_METHOD = (
    "People with opioid use disorder who started medication (buprenorphine, methadone or naltrexone), "
    "and the share who continued it for 180 days."
)
FOLLOWUP_METHOD = "People discharged who had a follow-up contact within 7 days of leaving."


class Status(StrEnum):
    SHOWN = "shown"
    SUPPRESSED = "suppressed"  # fewer than 11 people in a cell
    NO_DATA = "no_data"  # the source exists but nothing in the period
    NOT_MEASURED = "not_measured"  # Bridge does not record the source yet


@dataclass(frozen=True)
class Figure:
    """One quality signal for one program and period, ready to show."""

    key: str
    label: str
    status: Status
    method: str
    value: str = ""  # "82%" or "9.5 hours a week"
    detail: str = ""  # "28 of 34 people admitted" / "floor met in 70% of weeks"
    sample: int | None = None  # people counted (None when suppressed or not measured)
    period_start: date | None = None
    period_end: date | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def shown(self) -> bool:
        return self.status == Status.SHOWN


def small(count: int) -> bool:
    return 0 < count < SMALL_CELL


def share_is_suppressed(numerator: int, denominator: int) -> bool:
    if denominator < SMALL_CELL:
        return True
    return small(numerator) or small(denominator - numerator)


def percent(numerator: int, denominator: int) -> str:
    return f"{round(100 * numerator / denominator)}%"


def share(
    *,
    key: str,
    label: str,
    method: str,
    numerator: int,
    denominator: int,
    counted: str,
    period: tuple[date, date],
) -> Figure:
    """A proportion, suppressed when any cell is small. `counted` names the denominator."""
    start, end = period
    if denominator == 0:
        return Figure(key, label, Status.NO_DATA, method, period_start=start, period_end=end)
    if share_is_suppressed(numerator, denominator):
        return Figure(
            key,
            label,
            Status.SUPPRESSED,
            method,
            detail=f"Fewer than {SMALL_CELL} people in a group, so not shown.",
            period_start=start,
            period_end=end,
        )
    return Figure(
        key,
        label,
        Status.SHOWN,
        method,
        value=percent(numerator, denominator),
        detail=f"{numerator} of {denominator} {counted}",
        sample=denominator,
        period_start=start,
        period_end=end,
    )


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def hours_text(hours: float) -> str:
    rounded = round(hours * 2) / 2  # half hours
    text = f"{rounded:.1f}".removesuffix(".0")
    return f"{text} hour{'' if rounded == 1 else 's'}"


# Weekly hours a level of care requires (PRODUCT.md section 4): level 2.1 at least 9 hours for
# adults and 6 for adolescents; level 2.5 at least 20.
WEEKLY_FLOOR: dict[tuple[str, bool], float] = {
    ("2.1", False): 9.0,
    ("2.1", True): 6.0,
    ("2.5", False): 20.0,
    ("2.5", True): 20.0,
}


def weekly_floor(level: str, adolescent: bool) -> float | None:
    return WEEKLY_FLOOR.get((level, adolescent))


def not_measured(key: str, label: str, method: str, why: str) -> Figure:
    return Figure(key, label, Status.NOT_MEASURED, method, detail=why)


class MeasureContext(Protocol):
    """What a measure is computed from: the program, the day measured, and its episodes of care
    (loaded once; the directory's `quality.MeasureContext` is the implementation)."""

    program: Any
    today: date

    def episodes(self) -> list[Any]: ...


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    method: str
    compute: Callable[[MeasureContext], Figure]
    order: int = 50
