"""SQLite keeps dates as text; Django's converters turn text they cannot parse into None, silently.

A row written around the database's CHECKs (dates_in_range) can hold a five-digit year: Django reads
"10000-01-01 02:00:00" back as None, and the page fails later with a TypeError far from the cause
(a 500). Year 0 already fails where it is read ("year 0 is out of range", a ValueError), which
`core.views.is_unreadable_date` turns into the 409 "a record needs correcting" page. These stricter
converters make every unreadable stored date fail that same way, where it is read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime

from django.utils.dateparse import parse_date, parse_datetime


def _strict(parse: Callable[[str], date | datetime | None]) -> Callable[[bytes], object]:
    def convert(raw: bytes) -> object:
        text = raw.decode()
        value = parse(text)
        if value is None and text:
            year = text.split("-", 1)[0]
            raise ValueError(f"year {year} is out of range (stored value {text[:40]!r})")
        return value

    return convert


def install() -> None:
    """Replace Django's SQLite converters (registered when its backend is imported) with strict ones."""
    import django.db.backends.sqlite3.base  # noqa: F401 - Django's registration first, then ours

    sqlite3.register_converter("date", _strict(parse_date))
    sqlite3.register_converter("datetime", _strict(parse_datetime))
    sqlite3.register_converter("timestamp", _strict(parse_datetime))
