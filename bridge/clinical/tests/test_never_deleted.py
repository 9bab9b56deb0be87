"""Clinical records are never deleted, and a signed record's parts stay: the database itself refuses.

On SQLite and PostgreSQL alike (migrations 0002 and 0003), so a bug or a hand-typed DELETE cannot
lose a record the services would never remove. Tried on the demo's records, one of each kind.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from bridge.clinical.models import (
    Addendum,
    Administration,
    DoseChange,
    DrugScreen,
    DrugScreenResult,
    Goal,
    GroupNoteEntry,
    Intervention,
    MedicationOrder,
    Note,
    Objective,
    OtpCoordinationNote,
    OtpEnrollment,
    PlanReview,
    PlanVersion,
    Problem,
    TreatmentPlan,
)
from bridge.clinical.models.notes import EntryGoal, NoteGoal
from bridge.clinical.services import plans
from bridge.clinical.services.common import primary_clinician

NEVER_DELETED = [
    Note,
    GroupNoteEntry,
    Addendum,
    TreatmentPlan,
    PlanVersion,
    PlanReview,
    DrugScreen,
    DrugScreenResult,
    MedicationOrder,
    DoseChange,
    Administration,
    OtpEnrollment,
    OtpCoordinationNote,
]


def _raw_delete(row) -> None:
    """DELETE the row with plain SQL, past the ORM (as a bug or someone at a database prompt would)."""
    meta = row._meta
    pk = meta.pk.get_db_prep_value(row.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {meta.db_table} WHERE {meta.pk.column} = %s", [pk])  # noqa: S608


def _refused(row) -> bool:
    try:
        with transaction.atomic():
            _raw_delete(row)
    except IntegrityError:
        return type(row).objects.filter(pk=row.pk).exists()
    return False


def test_no_clinical_record_can_be_deleted(demo):
    plan = TreatmentPlan.objects.filter(current_version__isnull=False).first()
    assert plan is not None
    clinician = primary_clinician(plan.participant)
    assert clinician is not None
    plans.plan_review_record(actor=clinician, plan=plan, signature="T", summary="Steady; no change.")
    rows = {model: model._default_manager.first() for model in NEVER_DELETED}
    assert all(rows.values()), [model.__name__ for model, row in rows.items() if row is None]
    deleted = [model.__name__ for model, row in rows.items() if not _refused(row)]
    assert deleted == []


def test_a_signed_notes_goals_and_a_signed_plans_parts_cannot_be_deleted(demo):
    rows = [
        NoteGoal.objects.filter(note__signed_at__isnull=False).first(),
        EntryGoal.objects.filter(entry__note__signed_at__isnull=False).first(),
    ] + [
        model.objects.filter(version__signed_at__isnull=False).first()
        for model in (Problem, Goal, Objective, Intervention)
    ]
    assert all(rows)
    deleted = [type(row).__name__ for row in rows if not _refused(row)]
    assert deleted == []


@pytest.mark.parametrize("model", [NoteGoal, Problem])
def test_a_drafts_parts_may_still_be_removed(demo, model):
    # Only what is signed is fixed: a draft's linked goals and plan parts are edited freely.
    parent = {"note__signed_at__isnull": True} if model is NoteGoal else {"version__signed_at__isnull": True}
    row = model.objects.filter(**parent).first()
    assert row is not None, f"the demo has a draft with a {model.__name__}"
    if model is Problem:
        Objective.objects.filter(goal__problem=row).delete()
        Intervention.objects.filter(goal__problem=row).delete()
        Goal.objects.filter(problem=row).delete()
    row.delete()
    assert not model.objects.filter(pk=row.pk).exists()
