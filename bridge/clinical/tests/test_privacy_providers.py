"""The clinical record in a disclosure: signed records only, and a group note without other members."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridge.clinical.tests.test_chart import signed_group_note
from bridge.clinical.tests.test_group_notes import BLAIR_PART
from bridge.privacy.providers import records_for


def test_disclosed_clinical_records_hold_only_this_participants_part(group_session, admitted, alex_plan):
    w = admitted
    signed_group_note(w, group_session)
    today = timezone.localdate()
    span = (today - timedelta(days=30), today)
    notes = records_for("progress_notes", w.alex, *span)
    assert len(notes) == 1
    text = " ".join(f"{k} {v}" for k, v in notes[0].lines)
    assert "Urge surfing practice." in text
    assert "Blair" not in text and BLAIR_PART[2] not in text
    assert [r.title for r in records_for("diagnoses", w.alex, *span)] == [
        "F11.20 Opioid dependence, uncomplicated"
    ]
    plan = records_for("treatment_plan", w.alex, *span)
    assert plan and ("Goal", "I want to stay off pills and keep my job.") in plan[0].lines
    assert (
        records_for("progress_notes", w.alex, today - timedelta(days=400), today - timedelta(days=300)) == []
    )
