"""Dates look the same on every page: templates name a format from bridge/formats, never spell one out."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

NAMED = {
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "TIME_FORMAT",
    "MONTH_DAY_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "YEAR_MONTH_FORMAT",
}
# Not a date: the name of a weekday, as a column heading or beside a time.
WEEKDAY_LABELS = {"D", "l"}
# A date a machine reads (a form's hidden value, a link's query, a data- attribute) is ISO.
MACHINE = {"Y-m-d", "c"}
# The audit trail shows the second each event happened (events are compared to the second).
EXCEPTIONS = {("audit/log.html", "Y-m-d H:i:s"), ("privacy/review/chart.html", "Y-m-d H:i:s")}
FILTER = re.compile(r"\|(?:date|time)(?::(\"[^\"]*\"|'[^']*'|[\w.]+))?")


def _dirs() -> list[Path]:
    return [Path(d) for t in settings.TEMPLATES for d in t["DIRS"]]  # type: ignore[attr-defined]


def _templates() -> list[Path]:
    roots = _dirs()
    roots += [p for p in Path(settings.BASE_DIR, "bridge").glob("*/templates")]
    return [f for root in roots for f in root.rglob("*") if f.suffix in (".html", ".txt", ".ics")]


def test_every_template_date_uses_a_named_format():
    templates = _templates()
    assert len(templates) > 100
    odd = []
    for path in templates:
        name = next(
            str(path.relative_to(root)) for root in [*_dirs(), path.parent] if path.is_relative_to(root)
        )
        text = path.read_text()
        for match in FILTER.finditer(text):
            arg = match.group(1)
            if arg is None:
                continue  # |date alone is DATE_FORMAT
            fmt = arg.strip("\"'")
            if arg[0] not in "\"'":
                odd.append(f"{name}: {match.group(0)} (a variable format)")
            elif fmt in MACHINE and text[: text.rfind("{{", 0, match.start())].endswith(("=", '="')):
                continue  # value="{{ day|date:'Y-m-d' }}" or ?date={{ … }}
            elif fmt not in NAMED | WEEKDAY_LABELS and (name, fmt) not in EXCEPTIONS:
                odd.append(f"{name}: {match.group(0)}")
    assert odd == [], "Use a named format (bridge/formats/en/formats.py):\n" + "\n".join(odd)


def test_the_named_formats_read_as_one_style_in_english():
    moment = datetime(2026, 12, 7, 18, 5, tzinfo=ZoneInfo(settings.TIME_ZONE))
    page = Template(
        '{{ d|date:"DATE_FORMAT" }}|{{ m|date:"DATETIME_FORMAT" }}|{{ m|time:"TIME_FORMAT" }}|'
        '{{ d|date:"MONTH_DAY_FORMAT" }}|{{ m|date:"SHORT_DATETIME_FORMAT" }}|{{ d|date }}'
    )
    with translation.override("en"):
        shown = page.render(Context({"d": date(2026, 12, 7), "m": moment})).split("|")
    assert shown == [
        "Dec 7, 2026",
        "Dec 7, 2026 18:05",
        "18:05",
        "Mon Dec 7",
        "Mon Dec 7, 18:05",
        "Dec 7, 2026",
    ]


def test_spanish_pages_keep_spanish_dates():
    with translation.override("es"):
        shown = Template('{{ d|date:"DATE_FORMAT" }}').render(Context({"d": date(2026, 12, 7)}))
    assert "diciembre" in shown
