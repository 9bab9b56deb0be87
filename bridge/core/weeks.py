"""ISO weeks ("2026-W49") and minutes-of-week in a program's local time. No Django.

Shared by scheduling, the planner and aftercare, so it lives in core (it was `bridge.core.weeks`)."""

from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime, time, timedelta

DAY = 24 * 60  # minutes
WEEK = 7 * DAY
WEEKDAY_NAMES = {
    0: "Monday",
    1: "Tuesday",
    2: "Wednesday",
    3: "Thursday",
    4: "Friday",
    5: "Saturday",
    6: "Sunday",
}

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_iso_week(text: str) -> date:
    """The Monday of an ISO week written like 2026-W49. Raises ValueError with a plain message."""
    match = _ISO_WEEK.match(text.strip())
    if not match:
        raise ValueError("Write the week like 2026-W49 (year, W, week number).")
    year, week = int(match.group(1)), int(match.group(2))
    if not 1900 <= year <= 2999:
        raise ValueError(f"Choose a week between 1900 and 2999, not {year}.")
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {week}.") from None


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_bounds(week_start: date, tz: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """Local Monday 00:00 to the next Monday 00:00, as aware datetimes."""
    return (
        datetime.combine(week_start, time(0), tzinfo=tz),
        datetime.combine(week_start + timedelta(days=7), time(0), tzinfo=tz),
    )


def minute_of_week(moment: datetime, week_start: date, tz: zoneinfo.ZoneInfo) -> int:
    """Wall-clock minutes since local Monday 00:00, clipped to the week."""
    local = moment.astimezone(tz)
    minutes = (local.date() - week_start).days * DAY + local.hour * 60 + local.minute
    return max(0, min(WEEK, minutes))


def moment_at(minute: int, week_start: date, tz: zoneinfo.ZoneInfo) -> datetime:
    """The aware datetime of a wall-clock minute of the week."""
    day, rest = divmod(minute, DAY)
    return datetime.combine(week_start + timedelta(days=day), time(rest // 60, rest % 60), tzinfo=tz)


def clock_minutes(value: time) -> int:
    return value.hour * 60 + value.minute
