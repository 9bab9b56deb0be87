"""When each measure is due: pure Python (no Django), so the rule can be read and tested alone.

A measure is first due on the day of admission (the baseline; a screening given at intake counts),
then `every_days` after the last time it was given. It shows as "due" from DUE_EARLY_DAYS before
that day (so it can be given at the group before) and "overdue" once GRACE_DAYS have passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

# The instruments a program may give on a schedule: repeatable monitoring measures.
SCHEDULABLE: tuple[str, ...] = ("PHQ-9", "GAD-7", "BAM", "PCL-5", "C-SSRS-Screener")

# The default: PHQ-9 and GAD-7 every 2 weeks, BAM monthly (30 days). A program's setting
# overrides an instrument's interval (0 = not given on a schedule); a participant's overrides both.
DEFAULT_EVERY_DAYS: dict[str, int] = {"PHQ-9": 14, "GAD-7": 14, "BAM": 30}

EVERY_CHOICES: tuple[tuple[int, str], ...] = (
    (0, "Not on a schedule"),
    (7, "Every week"),
    (14, "Every 2 weeks"),
    (28, "Every 4 weeks"),
    (30, "Monthly (30 days)"),
    (90, "Every 3 months"),
)
MIN_EVERY_DAYS, MAX_EVERY_DAYS = 7, 90

DUE_EARLY_DAYS = 2
GRACE_DAYS = 3

State = Literal["upcoming", "due", "overdue"]


@dataclass(frozen=True)
class Due:
    """One scheduled measure for one participant: when it is next due and how that stands today."""

    instrument: str
    every_days: int
    due_on: date
    last_on: date | None
    state: State
    days_late: int = 0  # days past the due date (0 when not yet due)


def effective_every_days(
    program: Mapping[str, int], participant: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Instrument -> interval in days, defaults overlaid by the program's setting then the participant's."""
    found = dict(DEFAULT_EVERY_DAYS)
    found.update(program)
    found.update(participant or {})
    return {code: days for code, days in found.items() if days > 0 and code in SCHEDULABLE}


def state_on(due_on: date, today: date) -> State:
    if today > due_on + timedelta(days=GRACE_DAYS):
        return "overdue"
    if today >= due_on - timedelta(days=DUE_EARLY_DAYS):
        return "due"
    return "upcoming"


def due_measures(
    every_days: Mapping[str, int], last_given: Mapping[str, date], admitted_on: date, today: date
) -> list[Due]:
    """Every scheduled measure with its next due date, in schedule order (most urgent first)."""
    found = []
    for code in SCHEDULABLE:
        days = every_days.get(code)
        if not days:
            continue
        last = last_given.get(code)
        due_on = last + timedelta(days=days) if last is not None else admitted_on
        late = max(0, (today - due_on).days)
        found.append(Due(code, days, due_on, last, state_on(due_on, today), late))
    return sorted(found, key=lambda d: (d.due_on, SCHEDULABLE.index(d.instrument)))
