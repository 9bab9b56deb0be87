"""Fixtures for aftercare: alex admitted on a Monday three weeks ago, with a peer on the team."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bridge.participants.models import LevelOfCare
from bridge.participants.services import episode_open
from bridge.testing.personas import unadmit


@pytest.fixture
def monday():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


@pytest.fixture
def admitted(world, monday):
    """Alex and Blair admitted to IOP (2.1) on the Monday three weeks before this week."""
    for p in (world.alex, world.blair):
        unadmit(p)  # replaces the world's admission of today
        episode_open(
            actor=world.intake,
            participant=p,
            level_of_care=LevelOfCare.INTENSIVE_OUTPATIENT,
            admitted_on=monday - timedelta(days=21),
        )
    world.alex.phone = "(510) 555-0101"
    world.alex.save()
    return world
