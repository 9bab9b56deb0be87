"""Moved to `bridge.core.weeks` (shared by scheduling, the planner and aftercare). This alias keeps
branches written against the old path working until they are merged; new code imports core."""

from bridge.core.weeks import (  # noqa: F401
    DAY,
    WEEK,
    clock_minutes,
    iso_week,
    minute_of_week,
    moment_at,
    monday_of,
    parse_iso_week,
    week_bounds,
)
