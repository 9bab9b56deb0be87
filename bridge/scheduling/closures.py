"""The program's calendar of closures: public holidays pre-filled, edited by the director.

Public holidays of the program's country and state come from the `holidays` package (data that
ships with the package: nothing is downloaded). Each is a closed day unless the program keeps it
open (a ProgramClosure row with closed=False); a row with closed=True is a closure of the program's
own (a staff training day). `closed_days` is what the conflict check, series generation and the
hours ledger read: one query for any range of dates.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import holidays

from bridge.scheduling.models import ProgramClosure


@functools.lru_cache(maxsize=64)
def _holidays(country: str, subdiv: str, year: int) -> dict[date, str]:
    try:
        found = holidays.country_holidays(country or "US", subdiv=subdiv or None, years=year)
    except NotImplementedError:
        # An unknown state code: the country's holidays alone rather than none at all.
        try:
            found = holidays.country_holidays(country or "US", years=year)
        except NotImplementedError:
            return {}
    return {day: name for day, name in sorted(found.items())}


def public_holidays(program, first: date, last: date) -> dict[date, str]:
    """The public holidays of the program's country and state from `first` to `last` (inclusive)."""
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        for day, name in _holidays(program.country, program.state, year).items():
            if first <= day <= last:
                found[day] = name
    return found


def closed_days(program, first: date, last: date) -> dict[date, str]:
    """Every day from `first` to `last` on which the program is closed, with the closure's name."""
    closed = public_holidays(program, first, last)
    rows = ProgramClosure.objects.filter(program=program, day__gte=first, day__lte=last).order_by()
    for day, name, is_closed in rows.values_list("day", "name", "closed"):
        if is_closed:
            closed[day] = name
        else:
            closed.pop(day, None)
    return dict(sorted(closed.items()))


@dataclass(frozen=True)
class CalendarDay:
    """One line of the closures page: a holiday or a program closure, closed or kept open."""

    day: date
    name: str
    closed: bool
    source: str  # "holiday" or "program"
    row: ProgramClosure | None


def closure_calendar(program, year: int) -> list[CalendarDay]:
    """The year's public holidays and the program's own closures, each with whether it is closed."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    found = {
        day: CalendarDay(day, name, True, ProgramClosure.Source.HOLIDAY, None)
        for day, name in public_holidays(program, first, last).items()
    }
    for row in ProgramClosure.objects.filter(program=program, day__gte=first, day__lte=last):
        found[row.day] = CalendarDay(row.day, row.name, row.closed, row.source, row)
    return [found[d] for d in sorted(found)]
