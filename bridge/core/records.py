"""`bridge check-records`: findings about stored records that the pages cannot or should not show as
they are, each with what to do about it.

Every app may have `bridge/<app>/record_checks.py` with `def checks() -> Iterable[RecordFinding]`;
the command runs them all. A check reads only what it must (ids, not the odd values themselves: a
date psycopg cannot read back would break the check too).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class RecordFinding:
    """One stored record that needs a person's attention."""

    app: str
    model: str
    pk: str
    problem: str
    fix: str


def record_check_modules() -> Iterator[object]:
    """The `record_checks` module of every Bridge app that has one, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        if not config.name.startswith("bridge."):
            continue
        try:
            yield importlib.import_module(f"{config.name}.record_checks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.record_checks":
                raise


def all_findings() -> Iterable[RecordFinding]:
    for module in record_check_modules():
        yield from module.checks()
