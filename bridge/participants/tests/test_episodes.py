"""Episodes of care: admission opens one, levels change within it with history kept."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bridge.audit.models import AuditEvent
from bridge.participants.models import EpisodeOfCare, LevelOfCare, Participant
from bridge.participants.services import episode_change_level, episode_open


def test_admission_opens_an_episode_and_makes_the_participant_active(world):
    episode = episode_open(
        actor=world.intake,
        participant=world.casey,
        level_of_care=LevelOfCare.INTENSIVE_OUTPATIENT,
        admitted_on=date(2026, 11, 2),
        consent_to_treatment_signed_on=date(2026, 11, 2),
    )
    world.casey.refresh_from_db()
    assert world.casey.status == Participant.Status.ACTIVE
    assert episode.level_on(date(2026, 11, 2)) == "2.1"
    assert AuditEvent.objects.filter(
        action="create", object_type="episode_of_care", participant=world.casey
    ).exists()


def test_a_second_active_episode_is_refused(world):
    episode_open(
        actor=world.intake, participant=world.casey, level_of_care="2.1", admitted_on=date(2026, 11, 2)
    )
    with pytest.raises(ValidationError):
        episode_open(
            actor=world.intake, participant=world.casey, level_of_care="2.1", admitted_on=date(2026, 11, 3)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        EpisodeOfCare.objects.create(
            participant=world.casey, program=world.program, admitted_on=date(2026, 11, 4)
        )


def test_level_history_answers_for_any_day(world):
    episode = episode_open(
        actor=world.intake, participant=world.casey, level_of_care="2.1", admitted_on=date(2026, 9, 1)
    )
    episode_change_level(
        actor=world.therapist_a,
        episode=episode,
        level_of_care="2.5",
        effective_on=date(2026, 10, 1),
        reason="Step-up after relapse",
    )
    episode_change_level(
        actor=world.therapist_a,
        episode=episode,
        level_of_care="2.1",
        effective_on=date(2026, 11, 1),
        reason="Stable again",
    )
    assert [episode.level_on(date(2026, m, 15)) for m in (9, 10, 11)] == ["2.1", "2.5", "2.1"]
    with pytest.raises(ValidationError):
        episode_change_level(
            actor=world.therapist_a,
            episode=episode,
            level_of_care="1",
            effective_on=date(2026, 12, 1),
            reason="  ",
        )
