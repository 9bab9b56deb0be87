"""Intake services: each step changes exactly what it says and writes its audit event."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bridge import instruments
from bridge.audit.models import AuditEvent
from bridge.intake import public_services, services
from bridge.intake.models import (
    InstrumentAdministration,
    IntakeSettings,
    PlacementDecision,
    Screening,
)
from bridge.intake.queries import recommendation_for
from bridge.intake.tests.conftest import GOOD_HOME, dsm
from bridge.participants.models import CareTeamMember, EpisodeOfCare, Participant
from bridge.worklist.models import WorkItem


def events(participant, **filters):
    return list(AuditEvent.objects.filter(participant=participant, **filters).order_by("seq"))


def test_starting_a_screening_moves_a_prospect_to_screening_and_is_audited(world, screening):
    world.casey.refresh_from_db()
    assert world.casey.status == Participant.Status.SCREENING
    assert screening.status == Screening.Status.IN_PROGRESS and screening.started_by == world.intake
    [event] = events(world.casey, action="create", object_type="screening")
    assert event.actor == world.intake and event.object_id == str(screening.pk)


def test_one_open_screening_per_participant(world, screening):
    with pytest.raises(ValidationError):
        services.screening_start(actor=world.intake, participant=world.casey)


def test_people_in_an_episode_of_care_are_not_screened(world):
    with pytest.raises(ValidationError):
        services.screening_start(actor=world.director, participant=world.alex)
    assert not Screening.objects.filter(participant=world.alex).exists()


def test_administration_keeps_answers_score_and_the_cut_offs_used(world, screening):
    IntakeSettings.objects.create(program=world.program, phq2_cutoff=2)
    row = services.administration_record(
        actor=world.intake, screening=screening, instrument="phq-2", responses=[1, 1]
    )
    assert (row.instrument, row.total, row.band, row.alerts) == ("PHQ-2", 2, "positive", [])
    assert row.scoring_settings["phq2_cutoff"] == 2 and row.administered_by == world.intake
    assert row.band_label == "Positive (≥ 2)"
    [event] = events(world.casey, object_type="instrument_administration")
    assert event.detail == {"instrument": "PHQ-2"}  # the code only, never the answers or the score


def test_answers_that_cannot_be_scored_store_nothing(world, screening):
    before = AuditEvent.objects.count()
    with pytest.raises(instruments.ResponseError) as info:
        services.administration_record(
            actor=world.intake, screening=screening, instrument="COWS", responses=[3] + [0] * 10
        )
    assert info.value.field == "responses[0]"
    assert not InstrumentAdministration.objects.exists() and AuditEvent.objects.count() == before


def test_entered_in_error_keeps_the_row_and_drops_it_from_the_recommendation(world, iop_ready):
    row = InstrumentAdministration.objects.get(instrument="DSM-5-SUD")
    assert recommendation_for(iop_ready).dimensions[5].rating == 2
    with pytest.raises(ValidationError):
        services.administration_mark_error(actor=world.intake, administration=row, reason="  ")
    services.administration_mark_error(
        actor=world.intake, administration=row, reason="Wrong person's answers"
    )
    row.refresh_from_db()
    assert row.is_entered_in_error and row.entered_in_error_by == world.intake
    assert InstrumentAdministration.objects.filter(pk=row.pk).exists()
    assert not recommendation_for(Screening.objects.get(pk=iop_ready.pk)).dimensions[5].known
    assert events(world.casey, action="entered_in_error")


def test_the_recommendation_reads_the_latest_answers_of_each_instrument(world, iop_ready):
    services.administration_record(
        actor=world.intake, screening=iop_ready, instrument="DSM-5-SUD", responses=dsm(1)
    )
    assert recommendation_for(Screening.objects.get(pk=iop_ready.pk)).dimensions[5].rating == 0


def test_clinician_ratings_are_kept_beside_the_rules_suggestion(world, iop_ready):
    ratings = {1: 0, 2: 0, 3: 0, 4: 1, 5: 2, 6: 3}
    services.dimensions_rate(
        actor=world.intake, screening=iop_ready, ratings=ratings, notes={6: "Partner drinks daily at home"}
    )
    rows = {r.dimension: r for r in iop_ready.dimension_ratings.all()}
    assert (
        rows[6].rating == 3
        and rows[6].suggested_rating == 0
        and rows[6].notes == "Partner drinks daily at home"
    )
    rec = recommendation_for(Screening.objects.get(pk=iop_ready.pk))
    assert rec.level == "3.1" and rec.dimensions[6].rated_by_clinician
    [event] = events(world.casey, object_type="dimension_ratings")
    assert event.detail == {"differs_from_rules": [6]}
    with pytest.raises(ValidationError):
        services.dimensions_rate(
            actor=world.intake, screening=iop_ready, ratings={1: 5, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0}, notes={}
        )


def test_accepting_records_the_recommendation_whole(world, iop_ready):
    decision = services.placement_decide(actor=world.intake, screening=iop_ready, decision="accept")
    assert (decision.level, decision.recommended_level, decision.withdrawal_management) == ("2.1", "2.1", "")
    assert decision.recommendation["level"] == "2.1" and decision.rules_version.startswith("bridge-placement")
    assert set(decision.recommendation["dimensions"]) == {"1", "2", "3", "4", "5", "6"}
    iop_ready.refresh_from_db()
    assert iop_ready.status == Screening.Status.DECIDED
    [event] = events(world.casey, action="placement_decided")
    assert event.detail["decision"] == "accept" and event.detail["level"] == "2.1"


def test_an_override_needs_a_reason_and_a_different_level(world, iop_ready):
    with pytest.raises(ValidationError) as info:
        services.placement_decide(actor=world.intake, screening=iop_ready, decision="override", level="2.5")
    assert "reason" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.placement_decide(
            actor=world.intake, screening=iop_ready, decision="override", level="2.1", reason="Because"
        )
    assert "level" in info.value.message_dict
    assert not PlacementDecision.objects.exists()
    decision = services.placement_decide(
        actor=world.intake,
        screening=iop_ready,
        decision="override",
        level="2.5",
        reason="Lost job; has the days",
    )
    assert decision.is_override and decision.recommended_level == "2.1" and decision.level == "2.5"


def test_the_database_refuses_an_override_without_a_reason(world, iop_ready):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PlacementDecision.objects.create(
            screening=iop_ready,
            recommended_level="2.1",
            recommendation={},
            rules_version="x",
            decision="override",
            level="3.1",
            decided_by=world.intake,
        )


def test_admission_opens_an_iop_episode_with_primary_clinician_and_consent(world, iop_ready):
    services.placement_decide(actor=world.intake, screening=iop_ready, decision="accept")
    today = timezone.localdate()
    episode = services.screening_admit(
        actor=world.intake,
        screening=Screening.objects.get(pk=iop_ready.pk),
        primary_clinician=world.therapist_b,
        admitted_on=today,
        consent_to_treatment_signed_on=today - timedelta(days=1),
    )
    assert (episode.level_of_care, episode.consent_to_treatment_signed_on) == (
        "2.1",
        today - timedelta(days=1),
    )
    world.casey.refresh_from_db()
    assert world.casey.status == Participant.Status.ACTIVE
    primary = CareTeamMember.objects.get(participant=world.casey, team_role="primary", ended_at__isnull=True)
    assert primary.staff == world.therapist_b
    screening = Screening.objects.get(pk=iop_ready.pk)
    assert screening.status == Screening.Status.ADMITTED and screening.episode == episode
    actions = [(e.action, e.object_type) for e in events(world.casey)]
    assert ("create", "episode_of_care") in actions and ("create", "care_team_member") in actions
    assert actions[-1] == ("admit", "screening")


def test_admission_with_a_bad_clinician_leaves_nothing_half_written(world, iop_ready):
    services.placement_decide(actor=world.intake, screening=iop_ready, decision="accept")
    with pytest.raises(ValidationError):
        services.screening_admit(
            actor=world.intake,
            screening=Screening.objects.get(pk=iop_ready.pk),
            primary_clinician=world.nurse,
            admitted_on=timezone.localdate(),
            consent_to_treatment_signed_on=timezone.localdate(),
        )
    assert not EpisodeOfCare.objects.filter(participant=world.casey).exists()
    world.casey.refresh_from_db()
    assert world.casey.status == Participant.Status.SCREENING


def test_admission_needs_a_decision_for_iop(world, iop_ready):
    kwargs = dict(
        actor=world.intake,
        primary_clinician=world.therapist_a,
        admitted_on=timezone.localdate(),
        consent_to_treatment_signed_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError):
        services.screening_admit(screening=iop_ready, **kwargs)
    services.placement_decide(
        actor=world.intake, screening=iop_ready, decision="override", level="3.5", reason="Needs residential"
    )
    with pytest.raises(ValidationError):
        services.screening_admit(screening=Screening.objects.get(pk=iop_ready.pk), **kwargs)


def test_referral_out_closes_the_screening_and_marks_the_participant_referred(world, iop_ready):
    services.screening_update(
        actor=world.intake, screening=iop_ready, home_active_substance_use=True, domestic_violence=True
    )
    services.placement_decide(actor=world.intake, screening=iop_ready, decision="accept")
    referral = services.screening_refer(
        actor=world.intake,
        screening=Screening.objects.get(pk=iop_ready.pk),
        to_name="Eastbay Residential",
        referred_on=date.today(),
    )
    assert referral.level == "3.1" and referral.to_name == "Eastbay Residential"
    world.casey.refresh_from_db()
    assert world.casey.status == Participant.Status.REFERRED
    assert Screening.objects.get(pk=iop_ready.pk).status == Screening.Status.REFERRED
    [event] = events(world.casey, action="refer_out")
    assert event.detail == {"level": "3.1", "withdrawal_management": "", "edition": "3"}


def test_finished_screenings_cannot_change(world, iop_ready):
    services.placement_decide(actor=world.intake, screening=iop_ready, decision="accept")
    services.screening_refer(
        actor=world.intake,
        screening=Screening.objects.get(pk=iop_ready.pk),
        to_name="Elsewhere",
        referred_on=date.today(),
    )
    finished = Screening.objects.get(pk=iop_ready.pk)
    with pytest.raises(ValidationError):
        services.screening_update(actor=world.intake, screening=finished, notes="late")
    with pytest.raises(ValidationError):
        services.administration_record(
            actor=world.intake, screening=finished, instrument="PHQ-2", responses=[0, 0]
        )


def test_a_call_back_creates_a_lead_for_intake_with_a_work_item(world):
    screening = public_services.callback_request(
        program=world.program,
        first_name="Robin",
        last_name="Lee",
        date_of_birth=date(1985, 3, 4),
        phone="(510) 555-0199",
        best_time="after 6",
    )
    lead = screening.participant
    assert lead.status == Participant.Status.PROSPECT and lead.program == world.program
    assert Participant.objects.visible_to(world.intake).filter(pk=lead.pk).exists()
    assert not Participant.objects.visible_to(world.outsider).filter(pk=lead.pk).exists()
    assert screening.referral_source == "self_check" and "after 6" in screening.notes
    assert not screening.administrations.exists()
    item = WorkItem.objects.get(participant=lead)
    assert item.assigned_to == world.intake and item.kind == "intake_callback"
    event = AuditEvent.objects.get(action="callback_requested")
    assert event.actor is None and event.actor_label == "public self-check" and event.participant == lead


def test_a_call_back_with_shared_answers_keeps_them_as_self_report(world):
    from bridge.placement.selfcheck import DailyLife, SelfCheckAnswers

    answers = SelfCheckAnswers(
        auditc=[3, 2, 1],
        dast=[1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
        phq2=[1, 2],
        sex=None,
        lives_with_someone_using=True,
        feels_safe_at_home=True,
        daily_life=DailyLife.MOSTLY,
        past_severe_withdrawal=False,
        severe_withdrawal_now=False,
        thoughts_of_ending_life=False,
    )
    screening = public_services.callback_request(
        program=world.program,
        first_name="Sam",
        last_name="Ortiz",
        date_of_birth=date(1990, 1, 1),
        phone="510 555 0100",
        answers=answers,
    )
    rows = {a.instrument: a for a in screening.administrations.all()}
    assert set(rows) == {"AUDIT-C", "DAST-10", "PHQ-2"}
    assert all(r.source == "self_report" and r.administered_by is None for r in rows.values())
    assert rows["AUDIT-C"].sex == "female" and rows["DAST-10"].total == 3
    assert screening.home_active_substance_use is True and screening.withdrawal_history_severe is False


def test_program_cut_offs_are_audited_and_validated(world):
    row = services.intake_settings_update(
        actor=world.director, program=world.program, ciwa_scheme="camcops", pcl5_cutoff=31
    )
    assert row.scoring().ciwa_scheme == "camcops" and row.scoring().pcl5_cutoff == 31
    event = AuditEvent.objects.get(object_type="intake_settings")
    assert event.detail["fields"] == ["ciwa_scheme", "pcl5_cutoff"]
    with pytest.raises(ValidationError):
        services.intake_settings_update(actor=world.director, program=world.program, pcl5_cutoff=38)


def test_situation_answers_stay_unknown_until_given(world, screening):
    context = screening.context()
    assert context.unknown() == list(Screening.CONTEXT_FIELDS)
    services.screening_update(actor=world.intake, screening=screening, **GOOD_HOME)
    assert Screening.objects.get(pk=screening.pk).context().stable_housing is True
