"""The demo program, built once per test session, for tests that only read it: the `demo` fixture.

Building the demo (`bridge demo`) takes seconds; many tests only look at it (its pages, its
records, its tokens). A test that asks for `demo` gets the database exactly as `bridge demo` (scale
1) leaves it, plus a `Demo` with its main records:

    def test_the_director_sees_the_waitlist(demo, client):
        client.force_login(demo.staff["director"])
        assert client.get(reverse("scheduling:week")).status_code == 200

How: the first test that asks for `demo` (in each xdist worker) builds it inside a transaction
that stays open. Each test then runs as usual in pytest-django's `db` (its own savepoint inside
that transaction), so whatever a test writes is rolled back and the next test sees the demo as
built. Before the next test that uses the database *without* asking for `demo`, the demo's
transaction is rolled back, so every other test still starts from an empty database. Tests that
ask for `demo` are run first (see `pytest_collection_modifyitems`), so each worker builds it once;
any other order still works, it only builds more often.

Rules:
  * Ask for `demo` as a fixture argument (not `request.getfixturevalue`): the ordering and the
    roll-back before other tests look at the arguments.
  * It is the `db` (one transaction per test) database. A test that needs committed data
    (`django_db(transaction=True)`, `live_server`, browser tests) cannot use it and builds its own
    demo with `bridge.demo.builder.build()`; asking for both is an error.
  * A test may write (through services, pages, the API): its changes are rolled back. The `Demo`'s
    records are fetched fresh for each test. Tests that check the build itself (the command,
    determinism, `--scale`) build their own.
  * The demo is built with the real clock when the session starts; a test that travels in time
    (`time_machine`) sees the demo's dates as of that moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import override_settings

from bridge.accounts.models import User
from bridge.participants.models import Participant
from bridge.programs.models import Organization, Program, Track

FAST_HASHERS = ["bridge.testing.hashers.FastArgon2PasswordHasher"]
# Fixtures through which a test uses the database (any of them without `demo` ends the demo).
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


@dataclass(frozen=True)
class Demo:
    """What `bridge demo` loaded, fetched fresh for this test."""

    organization: Organization
    program: Program
    tracks: dict[str, Track]  # "evening", "daytime", "weekend"
    staff: dict[str, User]  # by login: director, intake, therapist1, … (see README's tour)
    participants: list[Participant]  # in the order the builder made them
    built_on: date  # the day the demo was built (its dates are relative to it)


@dataclass
class _DemoState:
    """The session's demo: whether its transaction is open, and the keys of its main records."""

    blocker: Any = None  # pytest-django's django_db_blocker, once the test database exists
    atomic: Any = None  # the open transaction.atomic holding the demo
    keys: dict[str, Any] = field(default_factory=dict)
    builds: int = 0

    @property
    def active(self) -> bool:
        return self.atomic is not None

    def activate(self) -> None:
        if self.active:
            return
        from bridge.demo import builder

        with self.blocker.unblock():
            atomic = transaction.atomic(using=DEFAULT_DB_ALIAS)
            # Like django.test.TestCase's own blocks: a durable atomic inside a test is still allowed.
            atomic._from_testcase = True  # type: ignore[attr-defined]  # Django's private flag, set as TestCase does
            atomic.__enter__()
            try:
                with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                    ctx = builder.build(scale=1)
            except BaseException:
                transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
                atomic.__exit__(None, None, None)
                raise
            self.atomic = atomic
            self.builds += 1
            self.keys = {
                "organization": ctx.organization.pk,
                "program": ctx.program.pk,
                "tracks": {key: track.pk for key, track in ctx.tracks.items()},
                "staff": {username: user.pk for username, user in ctx.staff.items()},
                "participants": [p.pk for p in ctx.participants],
                "built_on": ctx.today,
            }

    def deactivate(self) -> None:
        if not self.active:
            return
        atomic, self.atomic = self.atomic, None
        with self.blocker.unblock():
            connection = connections[DEFAULT_DB_ALIAS]
            if connection.in_atomic_block:
                transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
                atomic.__exit__(None, None, None)

    def fetch(self) -> Demo:
        keys = self.keys
        tracks = Track.objects.in_bulk(keys["tracks"].values())
        staff = User.objects.in_bulk(keys["staff"].values())
        participants = Participant.objects.in_bulk(keys["participants"])
        return Demo(
            organization=Organization.objects.get(pk=keys["organization"]),
            program=Program.objects.get(pk=keys["program"]),
            tracks={key: tracks[pk] for key, pk in keys["tracks"].items()},
            staff={username: staff[pk] for username, pk in keys["staff"].items()},
            participants=[participants[pk] for pk in keys["participants"]],
            built_on=keys["built_on"],
        )


_STATE = pytest.StashKey[_DemoState]()


def _state(config: pytest.Config) -> _DemoState:
    if _STATE not in config.stash:
        config.stash[_STATE] = _DemoState()
    return config.stash[_STATE]


def _uses_demo(item: pytest.Item) -> bool:
    return "demo" in getattr(item, "fixturenames", ())


def _uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DB_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    )


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    return bool(
        (marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
        or names & {"transactional_db", "live_server", "django_db_reset_sequences"}
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Demo tests first (stable order otherwise): each xdist worker receives its tests in collection
    # order, so it builds the demo once, and the long demo tests start early instead of trailing.
    items.sort(key=lambda item: not _uses_demo(item))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    state = _state(item.config)
    if _uses_demo(item):
        if _transactional(item):
            pytest.fail(
                "The `demo` fixture is for tests in one transaction (`db`); a test with committed data "
                "(transaction=True, live_server, browser) builds its own with bridge.demo.builder.build()",
                pytrace=False,
            )
        if state.blocker is not None:  # the session fixture has run: (re)build before the test's db
            state.activate()
    elif _uses_database(item):
        state.deactivate()


@pytest.fixture(scope="session")
def _demo_session(request, django_db_setup, django_db_blocker):
    # Session-scoped, so it runs before any test's `db` transaction opens (the first time only;
    # afterwards pytest_runtest_setup rebuilds it when a test without the demo rolled it back).
    state = _state(request.config)
    state.blocker = django_db_blocker
    state.activate()
    yield state
    state.deactivate()
    state.blocker = None


@pytest.fixture
def demo(_demo_session: _DemoState, db) -> Demo:
    """The demo program as `bridge demo` loads it (built once per session; see this module)."""
    assert _demo_session.active, "the demo was rolled back before this test (use `demo` as an argument)"
    return _demo_session.fetch()
