"""The demo program, built once per test process, for tests that only read it: the `demo` fixture.

Building the demo (`bridge demo`) takes seconds; many tests only look at it (its pages, its
records, its tokens). A test that asks for `demo` gets the database exactly as `bridge demo` (scale
1) leaves it, plus a `Demo` with its main records:

    def test_the_director_sees_the_waitlist(demo, client):
        client.force_login(demo.staff["director"])
        assert client.get(reverse("scheduling:week")).status_code == 200

How: it is a snapshot (bridge/testing/snapshots.py): each xdist worker builds it once, inside a
transaction that stays open, and each test's writes are rolled back; tests that ask for `demo` run
first.

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

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from bridge.accounts.models import User
from bridge.participants.models import Participant
from bridge.programs.models import Organization, Program, Track
from bridge.testing import snapshots


@dataclass(frozen=True)
class Demo:
    """What `bridge demo` loaded, fetched fresh for this test."""

    organization: Organization
    program: Program
    tracks: dict[str, Track]  # "evening", "daytime", "weekend"
    staff: dict[str, User]  # by login: director, intake, therapist1, … (see README's tour)
    participants: list[Participant]  # in the order the builder made them
    built_on: date  # the day the demo was built (its dates are relative to it)


def _build() -> dict[str, Any]:
    """Build the demo (scale 1) and keep the keys of its main records."""
    from bridge.demo import builder

    ctx = builder.build(scale=1)
    return {
        "organization": ctx.organization.pk,
        "program": ctx.program.pk,
        "tracks": {key: track.pk for key, track in ctx.tracks.items()},
        "staff": {username: user.pk for username, user in ctx.staff.items()},
        "participants": [p.pk for p in ctx.participants],
        "built_on": ctx.today,
    }


def _fetch(keys: dict[str, Any]) -> Demo:
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


def pytest_configure(config: pytest.Config) -> None:
    snapshots.register(config, "demo", _build)


@pytest.fixture
def demo(_snapshots_session, db) -> Demo:
    """The demo program as `bridge demo` loads it (built once per worker; see this module)."""
    snapshot = snapshots.current(_snapshots_session, "demo")
    assert snapshot is not None, "the demo is only for tests in one transaction (`db`)"
    return _fetch(snapshot.value)
