"""Record checks: find records whose state no workflow could have produced, and say how to fix them.

Each app that owns such rules has a `record_checks.py` exposing `checks() -> Iterable[RecordFinding]`;
`bridge check-records` (core/management/commands/check_records.py) runs them all. A finding names
the row and the workflow that puts it right; the command never changes anything itself. It also
lists stored values the pages cannot show as they are (an out-of-range date). A check reads only
what it must (ids, not the odd values themselves: a date psycopg cannot read back would break the
check too).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import ModuleType

from django.apps import apps


@dataclass(frozen=True)
class RecordFinding:
    """One record in an impossible state: which row, what is wrong, and the fix."""

    app: str
    model: str
    pk: str
    problem: str
    fix: str


def check_modules() -> Iterator[ModuleType]:
    """Every installed Bridge app's `record_checks` module, in app order."""
    for config in apps.get_app_configs():
        if not config.name.startswith("bridge."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.record_checks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.record_checks":
                raise
            continue
        yield module


def all_findings() -> list[RecordFinding]:
    found: list[RecordFinding] = []
    for module in check_modules():
        checks: Iterable[RecordFinding] = module.checks()
        found.extend(checks)
    return found
