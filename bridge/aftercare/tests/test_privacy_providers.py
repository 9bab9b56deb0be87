"""Disclosures of the discharge class give signed summaries and the plan; drafts stay in."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridge.aftercare import services
from bridge.aftercare.models import Discharge
from bridge.privacy.providers import records_for
from bridge.privacy.vocab import DataClass


def test_signed_summaries_and_the_plan_are_disclosable_drafts_are_not(admitted, monday):
    discharge = services.discharge_record(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        type=Discharge.Type.COMPLETED,
        discharged_on=monday - timedelta(days=1),
        reason="Completed",
        destination="Outpatient",
    )
    span = (monday - timedelta(days=60), timezone.localdate())
    assert records_for(DataClass.DISCHARGE, admitted.alex, *span) == []
    summary = services.summary_update(
        actor=admitted.therapist_a,
        summary=discharge.summary,
        course="Engaged",
        condition="Stable",
        aftercare="Alumni group",
    )
    services.summary_sign(actor=admitted.therapist_a, summary=summary)
    services.aftercare_plan_save(actor=admitted.therapist_a, participant=admitted.alex, triggers="Paydays")
    records = records_for(DataClass.DISCHARGE, admitted.alex, *span)
    assert [r.object_type for r in records] == ["dischargesummary", "aftercareplan"]
    assert ("Course of treatment", "Engaged") in records[0].lines
    assert records_for(DataClass.DISCHARGE, admitted.blair, *span) == []
