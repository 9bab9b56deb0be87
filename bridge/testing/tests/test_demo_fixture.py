"""The `demo` fixture: the demo as `bridge demo` loads it, each test's writes undone, others untouched."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from bridge.demo.builder import DEMO_PROGRAM
from bridge.participants.models import Participant
from bridge.programs.models import Organization
from bridge.testing.personas import make_participant


def test_the_demo_is_loaded_and_its_main_records_are_at_hand(demo):
    assert demo.program.name == DEMO_PROGRAM and Organization.objects.count() == 1
    # The builder's 40, plus the three fixed safety examples (bridge/safety/demo.py).
    assert len(demo.participants) == 40 and Participant.objects.count() == 43
    assert set(demo.tracks) == {"evening", "daytime", "weekend"}
    assert demo.staff["therapist1"].username == "therapist1"
    make_participant(demo.program, "Written-by-one-test")


def test_what_one_demo_test_writes_is_gone_for_the_next(demo):
    assert not Participant.objects.filter(first_name="Written-by-one-test").exists()
    assert Participant.objects.count() == 43


@pytest.mark.parametrize("_", range(2))
def test_a_demo_test_may_use_a_durable_transaction_like_any_test(demo, _):
    with transaction.atomic(durable=True):
        make_participant(demo.program, "Durable")
    assert connection.in_atomic_block  # still inside the test's own transaction


@pytest.mark.django_db
def test_a_test_without_the_demo_starts_from_an_empty_database():
    assert not Organization.objects.exists() and not Participant.objects.exists()
