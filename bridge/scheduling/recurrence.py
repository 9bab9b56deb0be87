"""Dates and times of a weekly timetable in a program's time zone. No Django.

A track says "Mon/Tue/Thu 18:00-21:00" in local wall-clock time; each occurrence is that wall time
on that date in the program's zone, so a group stays at 18:00 across daylight-saving changes
(its UTC time moves by an hour). A wall time that does not exist on the spring-forward day is
moved forward by the gap (zoneinfo's fold=0 rule, then normalised), never dropped.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta


def days_between(first: date, last: date, weekdays: Iterable[int]) -> Iterator[date]:
    """Every date from `first` to `last` (inclusive) whose weekday (Monday = 0) is in `weekdays`."""
    wanted = set(weekdays)
    day = first
    while day <= last:
        if day.weekday() in wanted:
            yield day
        day += timedelta(days=1)


def local_span(day: date, start: time, end: time, tz: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """The aware start and end of a wall-clock span on `day` in `tz`, normalised through UTC."""
    starts = datetime.combine(day, start, tzinfo=tz).astimezone(UTC)
    ends = datetime.combine(day, end, tzinfo=tz).astimezone(UTC)
    return starts, ends


def occurrences(
    first: date, last: date, weekdays: Iterable[int], start: time, end: time, tz: zoneinfo.ZoneInfo
) -> list[tuple[datetime, datetime]]:
    return [local_span(day, start, end, tz) for day in days_between(first, last, weekdays)]
