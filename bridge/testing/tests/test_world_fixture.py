"""The `world` fixture: built once per worker, each test's writes undone, its objects each test's own."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection, transaction

from bridge.participants.models import EpisodeOfCare, Participant
from bridge.programs.models import Organization
from bridge.testing import snapshots
from bridge.testing.personas import make_participant


def test_the_personas_are_there(world):
    assert Organization.objects.count() == 2
    assert Participant.objects.count() == 4
    assert EpisodeOfCare.objects.filter(status=EpisodeOfCare.Status.ACTIVE).count() == 3
    assert world.alex.care_team.filter(staff=world.therapist_a).exists()
    make_participant(world.program, "Written-by-one-test")
    world.alex.first_name = "Changed in memory"
    world.blair.first_name = "Changed and saved"
    world.blair.save()


def test_what_one_world_test_writes_or_changes_is_gone_for_the_next(world):
    assert not Participant.objects.filter(first_name="Written-by-one-test").exists()
    assert world.alex.first_name == "Alex"  # each test gets its own copies of the objects
    world.blair.refresh_from_db()
    assert world.blair.first_name == "Blair"


def test_the_world_is_built_once_per_worker(world, request):
    state = snapshots.snapshots(request.config)
    assert state.wanted == "world" and state.kinds["world"].active
    assert state.kinds["world"].builds <= 3  # once, or again after a test without it closed it


@pytest.mark.parametrize("_", range(2))
def test_a_world_test_may_use_a_durable_transaction_like_any_test(world, _):
    with transaction.atomic(durable=True):
        make_participant(world.program, "Durable")
    assert connection.in_atomic_block  # still inside the test's own transaction


@pytest.fixture
def travel():  # a name in CLOCK_FIXTURES: the clock moves before the world is built
    with time_machine.travel("2026-03-02 12:00 -08:00", tick=False):
        yield


def test_a_test_that_moves_the_clock_first_gets_a_world_built_on_its_day(travel, world, request):
    assert snapshots.snapshots(request.config).wanted is None  # built for this test, not the shared one
    episode = EpisodeOfCare.objects.get(participant=world.alex, status=EpisodeOfCare.Status.ACTIVE)
    assert episode.admitted_on == date(2026, 3, 2)


@pytest.fixture
def _clock_moved_by_an_unlisted_fixture():
    with time_machine.travel("2001-01-01 12:00 -08:00", tick=False):
        yield


@pytest.mark.xfail(strict=True, raises=pytest.fail.Exception, reason="world refuses another day")
def test_a_test_that_moves_the_clock_with_an_unlisted_fixture_fails_instead_of_using_the_wrong_day(
    _clock_moved_by_an_unlisted_fixture, world
):
    pass  # never reached: the `world` fixture fails, naming CLOCK_FIXTURES


@pytest.mark.django_db(transaction=True)
def test_a_test_with_committed_data_builds_its_own_world(world, request):
    assert snapshots.snapshots(request.config).wanted is None
    assert Participant.objects.count() == 4


@pytest.mark.django_db
def test_a_test_without_the_world_starts_from_an_empty_database():
    assert not Organization.objects.exists() and not Participant.objects.exists()
