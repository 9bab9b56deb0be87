"""When a treatment plan's next review is due. Plain Python, no Django.

Intervals are in days (the common "every 30 days") or calendar months (Medicare's "no less than every
other month" — counted in months so a review is never later than the rule allows).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

DEFAULT_REVIEW_DAYS = 30
DUE_SOON_DAYS = 7


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_on(last_review: date, *, days: int = 0, months: int = 0) -> date:
    if months:
        return add_months(last_review, months)
    return last_review + timedelta(days=days or DEFAULT_REVIEW_DAYS)


def review_state(due: date | None, today: date) -> str:
    """ "none" (no signed plan yet), "overdue", "due" (within a week) or "ok"."""
    if due is None:
        return "none"
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=DUE_SOON_DAYS):
        return "due"
    return "ok"
