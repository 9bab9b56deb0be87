"""Treatment plans: versions that lock on signing, revisions that keep history, the review cadence."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.clinical import cadence, icd10
from bridge.clinical.models import Goal, PlanVersion, Problem, ReviewPolicy
from bridge.clinical.services import plans
from bridge.testing.personas import unadmit


def test_icd10_format_and_the_curated_table():
    assert icd10.normalize(" f1120 ") == "F11.20"
    assert icd10.is_well_formed("F11.20") and icd10.is_well_formed("F32.A") and icd10.is_well_formed("F41")
    for bad in ("11.20", "F1.20", "F11.", "F11.20000", "FF1.2"):
        assert not icd10.is_well_formed(bad), bad
    ptsd = icd10.lookup("F43.10")
    assert ptsd is not None and ptsd.description.startswith("Post-traumatic stress disorder")
    assert all(icd10.is_well_formed(code) for code in icd10.curated())
    substance = {c for c, row in icd10.curated().items() if row.is_substance_use}
    assert {"F10.20", "F11.20", "F12.20", "F14.20", "F15.20"} <= substance


def test_problem_code_is_validated_and_described(alex_plan, admitted):
    draft = plans.plan_revise(actor=admitted.therapist_a, plan=alex_plan)
    with pytest.raises(ValidationError) as exc:
        plans.plan_problem_add(actor=admitted.therapist_a, version=draft, code="depression")
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        plans.plan_problem_add(actor=admitted.therapist_a, version=draft, code="F99.89")
    assert "description" in exc.value.message_dict  # not in the short list: the clinician describes it
    problem = plans.plan_problem_add(actor=admitted.therapist_a, version=draft, code="f4312")
    assert (problem.code, problem.description) == ("F43.12", "Post-traumatic stress disorder, chronic")


def test_signing_needs_a_complete_plan(admitted):
    plan = plans.plan_start(actor=admitted.therapist_a, participant=admitted.alex)
    version = plan.versions.get()
    with pytest.raises(ValidationError) as exc:
        plans.plan_version_sign(actor=admitted.therapist_a, version=version, clinician_signature="T")
    assert "Add at least one problem" in str(exc.value)
    problem = plans.plan_problem_add(actor=admitted.therapist_a, version=version, code="F10.20")
    plans.plan_goal_add(
        actor=admitted.therapist_a, version=version, problem=problem, statement="Be sober for my kids"
    )
    with pytest.raises(ValidationError) as exc:
        plans.plan_version_sign(actor=admitted.therapist_a, version=version, clinician_signature="T")
    assert "no measurable objective" in str(exc.value) and "no intervention" in str(exc.value)


def test_signed_version_is_locked_in_service_and_database(alex_plan, admitted):
    version = alex_plan.current_version
    assert version.participant_signature == "Alex" and version.participant_signed_at
    with pytest.raises(ValidationError):
        plans.plan_problem_add(actor=admitted.therapist_a, version=version, code="F41.1")
    goal = version.goals.get()
    goal.statement = "Rewritten after the fact"
    with pytest.raises(IntegrityError), transaction.atomic():
        goal.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.create(version=version, code="F41.1", description="GAD")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.filter(pk=version.pk).update(clinician_signature="Someone else")


def test_revision_copies_content_and_keeps_earlier_versions_readable(alex_plan, admitted):
    first = alex_plan.current_version
    draft = plans.plan_revise(actor=admitted.therapist_a, plan=alex_plan)
    assert draft.number == 2 and draft.based_on == first
    old_goal, new_goal = first.goals.get(), draft.goals.get()
    assert new_goal.pk != old_goal.pk and new_goal.lineage == old_goal.lineage
    assert draft.objectives.count() == draft.interventions.count() == 1
    with pytest.raises(ValidationError, match="already being drafted"):
        plans.plan_revise(actor=admitted.therapist_a, plan=alex_plan)
    plans.plan_problem_add(actor=admitted.therapist_a, version=draft, code="F41.1")
    with pytest.raises(ValidationError) as exc:
        plans.plan_version_sign(actor=admitted.therapist_a, version=draft, clinician_signature="T")
    assert "change_summary" in exc.value.message_dict or "F41.1 has no goal" in str(exc.value)
    problem = draft.problems.get(code="F41.1")
    goal = plans.plan_goal_add(
        actor=admitted.therapist_a, version=draft, problem=problem, statement="Worry less"
    )
    plans.plan_objective_add(
        actor=admitted.therapist_a,
        version=draft,
        goal=goal,
        text="GAD-7 under 10",
        target_on=timezone.localdate() + timedelta(days=30),
    )
    plans.plan_intervention_add(
        actor=admitted.therapist_a,
        version=draft,
        goal=goal,
        modality="dbt",
        responsible=admitted.therapist_a,
        frequency="Weekly",
    )
    plans.plan_version_sign(
        actor=admitted.therapist_a,
        version=draft,
        clinician_signature="T",
        change_summary="Added anxiety after GAD-7 of 14",
    )
    alex_plan.refresh_from_db()
    assert alex_plan.current_version == draft
    assert list(first.problems.values_list("code", flat=True)) == ["F11.20"]  # the old version is as it was
    assert sorted(draft.problems.values_list("code", flat=True)) == ["F11.20", "F41.1"]
    assert AuditEvent.objects.filter(
        action="sign", participant=admitted.alex, object_id=str(draft.pk)
    ).exists()


def test_cadence_days_and_calendar_months():
    assert cadence.next_review_on(date(2026, 1, 10)) == date(2026, 2, 9)
    assert cadence.next_review_on(date(2026, 1, 10), months=2) == date(2026, 3, 10)
    assert cadence.next_review_on(date(2025, 12, 31), months=2) == date(2026, 2, 28)
    today = date(2026, 3, 1)
    assert cadence.review_state(None, today) == "none"
    assert cadence.review_state(date(2026, 2, 28), today) == "overdue"
    assert cadence.review_state(date(2026, 3, 8), today) == "due"
    assert cadence.review_state(date(2026, 3, 9), today) == "ok"


def test_review_dates_follow_the_program_or_payer_policy(admitted):
    w = admitted
    medicare = plans.review_policy_create(
        actor=w.director, program=w.program, name="Medicare", interval_months=2
    )
    plans.review_policy_create(
        actor=w.director, program=w.program, name="Program default", interval_days=30, is_default=True
    )
    with time_machine.travel(timezone.make_aware(datetime(2026, 1, 10, 12)), tick=False):
        from bridge.clinical.tests.conftest import signed_plan

        plan = signed_plan(w, w.alex, w.therapist_a)
        assert plan.review_policy.name == "Program default"
        assert plan.next_review_on == date(2026, 2, 9)
        plans.plan_set_review_policy(actor=w.therapist_a, plan=plan, policy=medicare)
        assert plan.next_review_on == date(2026, 3, 10)
    with time_machine.travel(timezone.make_aware(datetime(2026, 3, 12, 9)), tick=False):
        plan.refresh_from_db()
        assert plan.review_state == "overdue"
        review = plans.plan_review_record(
            actor=w.therapist_a, plan=plan, signature="T", summary="Steady progress"
        )
        assert review.next_review_on == date(2026, 5, 12)
        plan.refresh_from_db()
        assert plan.next_review_on == date(2026, 5, 12) and plan.review_state == "ok"


def test_review_policy_needs_one_interval(world):
    with pytest.raises(ValidationError):
        plans.review_policy_create(
            actor=world.director, program=world.program, name="Odd", interval_days=30, interval_months=1
        )
    assert not ReviewPolicy.objects.exists()


def test_plan_needs_an_active_episode(world):
    unadmit(world.alex)  # the world admits alex; this test needs a participant with no open episode
    with pytest.raises(ValidationError, match="Admit the participant"):
        plans.plan_start(actor=world.therapist_a, participant=world.alex)


def test_draft_items_can_be_removed_only_leaf_first(admitted):
    plan = plans.plan_start(actor=admitted.therapist_a, participant=admitted.alex)
    version = plan.versions.get()
    problem = plans.plan_problem_add(actor=admitted.therapist_a, version=version, code="F10.20")
    goal = plans.plan_goal_add(
        actor=admitted.therapist_a, version=version, problem=problem, statement="Sober"
    )
    with pytest.raises(ValidationError, match="goals first"):
        plans.plan_item_remove(actor=admitted.therapist_a, version=version, item=problem)
    plans.plan_item_remove(actor=admitted.therapist_a, version=version, item=goal)
    assert not Goal.objects.filter(pk=goal.pk).exists()
