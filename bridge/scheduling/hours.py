"""Hours arithmetic for the weekly ledger: floors by level and age, payer day rules. No Django.

All amounts are whole minutes: 8 h 59 min (539) is below a 9-hour floor (540), with no rounding
anywhere that could turn one into the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

# Level 2.1 (intensive outpatient): at least 9 hours a week for adults, 6 for adolescents.
IOP_ADULT_FLOOR = 9 * 60
IOP_ADOLESCENT_FLOOR = 6 * 60
# Level 2.5 (partial hospitalization) starts at 20 hours a week.
PHP_FLOOR = 20 * 60

ADOLESCENT_BELOW_AGE = 18


def level_floor(level: str, *, adolescent: bool) -> int | None:
    """The weekly floor in minutes for a level of care, or None when the level has none."""
    if level == "2.1":
        return IOP_ADOLESCENT_FLOOR if adolescent else IOP_ADULT_FLOOR
    if level == "2.5":
        return PHP_FLOOR
    return None


def shortfall(attended: int, floor: int | None) -> int:
    """Minutes missing to reach the floor (0 when met or when there is no floor)."""
    if floor is None:
        return 0
    return max(0, floor - attended)


@dataclass(frozen=True)
class DayRule:
    """A payer's rule: the program must deliver `min_minutes_per_day` on at least `min_days` days."""

    min_minutes_per_day: int
    min_days: int


def qualifying_days(minutes_by_day: Mapping[date, int], min_minutes_per_day: int) -> int:
    return sum(1 for minutes in minutes_by_day.values() if minutes >= min_minutes_per_day)


def day_rule_met(minutes_by_day: Mapping[date, int], rule: DayRule) -> bool:
    return qualifying_days(minutes_by_day, rule.min_minutes_per_day) >= rule.min_days


def minutes_by_day(rows: Iterable[tuple[date, int]]) -> dict[date, int]:
    """Sum (day, minutes) pairs per day."""
    totals: dict[date, int] = {}
    for day, minutes in rows:
        totals[day] = totals.get(day, 0) + minutes
    return totals


def format_minutes(minutes: int | None) -> str:
    """'9 h', '8 h 59 min', '45 min' — how hours read on screens and in labels."""
    if minutes is None:
        return "—"
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        return f"{sign}{hours} h {rest} min"
    if hours:
        return f"{sign}{hours} h"
    return f"{sign}{rest} min"
