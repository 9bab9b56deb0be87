"""Extension points: how an app adds to something another app owns, without that app importing it.

Each extension point is an `ExtensionPoint[T]` defined here, in core, with its contract (a
`typing.Protocol` or a data class in `bridge.core.contracts`). An app registers its entries from its
`AppConfig.ready()`:

    from bridge.core import registry
    registry.PERIODIC_TASKS.register(PeriodicTask("notify.sweep", ensure_sweep), app=self.label)

Entries come back in explicit order: by `order` (smaller first), then by the app's position in
INSTALLED_APPS, then by registration. So precedence is never an accident of discovery.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any, Generic, TypeVar

from django.apps import AppConfig, apps

from bridge.core.contracts import PageBanner, ParticipantBusyHours, PeriodicTask, StaffWorkingHours

T = TypeVar("T")


@cache
def app_modules(module_name: str) -> tuple[tuple[AppConfig, ModuleType], ...]:
    """Each Bridge app's `module_name` module (`home`, `nav`, `api`, `demo`, …), in INSTALLED_APPS
    order: the one discovery loop for the extension points found by module name."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("bridge."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{module_name}":
                raise
            continue
        found.append((config, module))
    return tuple(found)


def discover(module_name: str, attr: str) -> tuple[Any, ...]:
    """`attr` of every app's `module_name` module that has one, in INSTALLED_APPS order. The caller
    knows the contract (a Protocol in bridge.core.panels or bridge.core.contracts) and types it."""
    return tuple(getattr(module, attr) for _, module in app_modules(module_name) if hasattr(module, attr))


@dataclass(frozen=True)
class Entry(Generic[T]):
    item: T
    app: str
    order: int
    seq: int


class ExtensionPoint(Generic[T]):
    """A named, ordered list of entries that apps register into."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: list[Entry[T]] = []

    def register(self, item: T, *, app: str, order: int = 50) -> T:
        """Add `item` for app `app` (its label). Registering the same item twice is a no-op, so an
        app's `ready()` may run more than once (as it does in some test set-ups)."""
        if any(e.item == item and e.app == app for e in self._entries):
            return item
        self._entries.append(Entry(item, app, order, len(self._entries)))
        return item

    def entries(self) -> list[Entry[T]]:
        positions = {config.label: i for i, config in enumerate(apps.get_app_configs())}
        return sorted(self._entries, key=lambda e: (e.order, positions.get(e.app, len(positions)), e.seq))

    def __iter__(self) -> Iterator[T]:
        return iter([e.item for e in self.entries()])

    def __repr__(self) -> str:
        return f"<ExtensionPoint {self.name}: {len(self._entries)} entries>"


# Background jobs the worker keeps queued (`bridge worker`): each app registers its own.
PERIODIC_TASKS: ExtensionPoint[PeriodicTask] = ExtensionPoint("periodic tasks")
# Background tasks (their module path) safe to run again when their worker died mid-run (each run
# checks what is already done); the others are marked failed, saying so (bridge/core/jobs.py).
RETRYABLE_TASKS: ExtensionPoint[str] = ExtensionPoint("retryable tasks")
# Weekly hours that booking conflicts read (scheduling owns the check, the planner owns the hours).
PARTICIPANT_BUSY_HOURS: ExtensionPoint[ParticipantBusyHours] = ExtensionPoint("participant busy hours")
STAFF_WORKING_HOURS: ExtensionPoint[StaffWorkingHours] = ExtensionPoint("staff working hours")
# Templates shown at the top of every page (the privacy app's emergency-access banner).
PAGE_BANNERS: ExtensionPoint[PageBanner] = ExtensionPoint("page banners")
