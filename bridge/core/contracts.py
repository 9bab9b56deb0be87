"""The contracts of the extension points in `bridge.core.registry`: what an app must provide.

They are here, in core, so that an app implementing one imports only core, never the app that
consumes it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any, Protocol

# (who, weekday 0=Monday, start, end, kind) — a weekly busy or working block, in local wall time.
WeeklyBlock = tuple[uuid.UUID, int, time, time, str]


class ParticipantBusyHours(Protocol):
    """The weekly hours these participants have declared busy (work, family, school, other)."""

    def __call__(self, participant_ids: Collection[Any], /) -> Iterable[WeeklyBlock]: ...


class StaffWorkingHours(Protocol):
    """The weekly hours these staff work at this program (kind is "work")."""

    def __call__(self, program: Any, staff_ids: Collection[Any], /) -> Iterable[WeeklyBlock]: ...


@dataclass(frozen=True)
class PeriodicTask:
    """A job the worker keeps going: `ensure()` queues the next run if none is queued; the run
    re-queues itself `every` so long. `bridge worker` calls every registered `ensure()` at start."""

    name: str
    ensure: Callable[[], object]
    every: timedelta


@dataclass(frozen=True)
class PageBanner:
    """A template included at the top of every page's main content (it decides itself whether to
    show anything, from `request`)."""

    template: str


class PlannedFloors(Protocol):
    """`hours_plans.py: planned_floors(participant_ids, week_start)`: the weekly hours floor another
    app plans for these participants (scheduling.ledger.PlannedFloor values; later apps win)."""

    def __call__(self, participant_ids: list[Any], week_start: date, /) -> Mapping[Any, Any] | None: ...


class QualityMeasures(Protocol):
    """`quality.py: measures()`: the app's program quality measures (directory.quality.Measure values;
    a measure replaces the directory's own with the same key)."""

    def __call__(self) -> Iterable[Any]: ...


class DemoBuilder(Protocol):
    """`demo.py: build(ctx)`: the app's part of the demo, built through its services, in app order."""

    def __call__(self, ctx: Any, /) -> None: ...
