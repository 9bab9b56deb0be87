"""Data built once per test process and kept in an open transaction: the `demo` and the `world`.

Building the test personas (`world`, bridge/testing/personas.py: 11 staff with credentials, four
participants, their care teams and three audited admissions) costs about a tenth of a second, and
thousands of tests ask for it; building the demo (`demo`, bridge/testing/demo.py) costs seconds.
Most of those tests only add to that data, so each xdist worker builds each once:

  * The first test that asks for one (in each worker) builds it inside a transaction that stays
    open. Each test then runs as usual in pytest-django's `db` (its own savepoint inside that
    transaction), so whatever a test writes is rolled back and the next test sees the data as built.
  * One snapshot is open at a time. Before a test that asks for the other, or that uses the database
    without asking for either, the open one is rolled back, so every other test still starts from an
    empty database. Tests are ordered demo first, then the rest, then world (see
    `pytest_collection_modifyitems`), so each worker builds each about once; any other order still
    works, it only builds more often.

When a test gets its own `world` instead (built inside the test, as a plain fixture would):
  * it runs with committed data (`transaction=True`, `live_server`, browser tests);
  * it moves the clock before the world is built: it asks for one of `CLOCK_FIXTURES`. The world's
    admissions and credentials are dated "today", so it must be built on the test's day. A test that
    moves the clock some other way before asking for `world` fails with a message naming this list;
  * it asks for `demo` too, or asks for `world` through `request.getfixturevalue`.

A snapshot built on an earlier day (a session that runs past midnight) is built again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import override_settings
from django.utils import timezone

FAST_HASHERS = ["bridge.testing.hashers.FastArgon2PasswordHasher"]
# Fixtures through which a test uses the database (any of them without a snapshot ends the open one).
DB_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "live_server",
        "_django_db_helper",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
    }
)
# Fixtures that move the clock before `world` is built: such a test builds its own world.
CLOCK_FIXTURES = frozenset({"booking_clock", "travel", "_frozen", "_clock"})


@dataclass
class Snapshot:
    """One kind of data built once: `build()` runs inside the open transaction and returns its value."""

    name: str
    build: Callable[[], Any]
    value: Any = None
    atomic: Any = None  # the open transaction.atomic holding the data
    built_on: date | None = None
    builds: int = 0

    @property
    def active(self) -> bool:
        return self.atomic is not None


@dataclass
class _Snapshots:
    blocker: Any = None  # pytest-django's django_db_blocker, once the test database exists
    kinds: dict[str, Snapshot] = field(default_factory=dict)
    wanted: str | None = None  # what the test being set up asks for

    def open(self, name: str) -> Snapshot:
        snapshot = self.kinds[name]
        if snapshot.active and snapshot.built_on != timezone.localdate():
            self.close()  # built on another day: its "today" is stale
        if snapshot.active:
            return snapshot
        self.close()
        with self.blocker.unblock():
            atomic = transaction.atomic(using=DEFAULT_DB_ALIAS)
            # Like django.test.TestCase's own blocks: a durable atomic inside a test is still allowed.
            atomic._from_testcase = True  # type: ignore[attr-defined]  # Django's private flag, set as TestCase does
            atomic.__enter__()
            try:
                with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                    snapshot.value = snapshot.build()
            except BaseException:
                transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
                atomic.__exit__(None, None, None)
                raise
        snapshot.atomic = atomic
        snapshot.built_on = timezone.localdate()
        snapshot.builds += 1
        return snapshot

    def close(self) -> None:
        for snapshot in self.kinds.values():
            if not snapshot.active:
                continue
            atomic, snapshot.atomic = snapshot.atomic, None
            snapshot.value = None
            with self.blocker.unblock():
                if connections[DEFAULT_DB_ALIAS].in_atomic_block:
                    transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
                    atomic.__exit__(None, None, None)


_STATE = pytest.StashKey[_Snapshots]()


def snapshots(config: pytest.Config) -> _Snapshots:
    if _STATE not in config.stash:
        config.stash[_STATE] = _Snapshots()
    return config.stash[_STATE]


def register(config: pytest.Config, name: str, build: Callable[[], Any]) -> None:
    snapshots(config).kinds.setdefault(name, Snapshot(name=name, build=build))


def _names(item: pytest.Item) -> set[str]:
    return set(getattr(item, "fixturenames", ()))


def _uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(DB_FIXTURES & _names(item))


def transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        (marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
        or _names(item) & {"transactional_db", "live_server", "django_db_reset_sequences"}
    )


def wanted(item: pytest.Item) -> str | None:
    """The snapshot the test runs on: "demo", "world" or None (an empty database)."""
    names = _names(item)
    if "demo" in names:
        return "demo"
    if "world" in names and not transactional(item) and not names & CLOCK_FIXTURES:
        return "world"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Demo tests first, world tests last (stable order otherwise): each xdist worker receives its tests
    # in collection order, so it builds each about once; the long tests (demo, browser, crawls) start
    # early and thousands of short world tests at the end keep both workers busy to the last.
    order = {"demo": 0, None: 1, "world": 2}
    items.sort(key=lambda item: order[wanted(item)])


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    state = snapshots(item.config)
    state.wanted = name = wanted(item)
    if name == "demo" and transactional(item):
        pytest.fail(
            "The `demo` fixture is for tests in one transaction (`db`); a test with committed data "
            "(transaction=True, live_server, browser) builds its own with bridge.demo.builder.build()",
            pytrace=False,
        )
    if state.blocker is None:
        return  # the first database test: `_snapshots_session` opens what it asks for
    if name is not None:
        state.open(name)
    elif _uses_database(item):
        state.close()


@pytest.fixture(scope="session")
def _snapshots_session(request, django_db_setup, django_db_blocker):
    # Session-scoped, so it runs before any test's `db` transaction opens (the first time only;
    # afterwards pytest_runtest_setup opens and closes them between tests).
    state = snapshots(request.config)
    state.blocker = django_db_blocker
    if state.wanted is not None:
        state.open(state.wanted)
    yield state
    state.close()
    state.blocker = None


def current(state: _Snapshots, name: str) -> Snapshot | None:
    """The open snapshot `name` for this test, or None when the test does not run on one.

    The fixture that calls this asks for `_snapshots_session` as an argument, so that it is set up
    before the test's own transaction opens."""
    if state.wanted != name:
        return None
    snapshot = state.kinds[name]
    assert snapshot.active, f"the {name} was rolled back before this test (ask for `{name}` as an argument)"
    return snapshot
