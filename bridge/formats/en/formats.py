"""English date formats (see bridge/formats/__init__.py). 24-hour times: programs run evening groups,
and "18:00" is never misread as morning."""

DATE_FORMAT = "M j, Y"  # Dec 7, 2026 — a date
DATETIME_FORMAT = "M j, Y H:i"  # Dec 7, 2026 18:00 — a moment
TIME_FORMAT = "H:i"  # 18:00 — a time of day
MONTH_DAY_FORMAT = "D M j"  # Mon Dec 7 — a day in a schedule, where the year goes without saying
SHORT_DATETIME_FORMAT = "D M j, H:i"  # Mon Dec 7, 18:00 — a session in a schedule
YEAR_MONTH_FORMAT = "M Y"  # Dec 2026 — a month
SHORT_DATE_FORMAT = DATE_FORMAT
