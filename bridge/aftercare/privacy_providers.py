"""Aftercare's data class for disclosures under consent (bridge/privacy/providers.py): signed discharge
summaries (with their addenda) and the relapse-prevention and aftercare plan.

Only signed summaries are released; a draft is not yet part of the record. The plan is given as it
is now when it was last changed within the range.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from bridge.aftercare.models import AftercarePlan, DischargeSummary
from bridge.aftercare.services import GOAL_OUTCOMES
from bridge.privacy.providers import Record
from bridge.privacy.vocab import DataClass


def discharge(participant, date_from: date, date_to: date) -> Iterable[Record]:
    summaries = (
        DischargeSummary.objects.filter(
            participant=participant,
            signed_at__isnull=False,
            discharge__discharged_on__gte=date_from,
            discharge__discharged_on__lte=date_to,
        )
        .select_related("discharge")
        .prefetch_related("addenda")
        .order_by("discharge__discharged_on")
    )
    for s in summaries:
        f = s.figures
        lines = [
            ("Admitted", f["admitted_on"]),
            ("Discharged", f"{f['discharged_on']} ({f['type']})"),
            ("Goes next to", f["destination"]),
            ("Hours attended", f"{f['hours']['attended']} h of {f['hours']['required']} h required"),
        ]
        lines += [
            ("Measure", f"{m['instrument']}: {m['first']['score']} → {m['last']['score']}")
            for m in f["measures"]
        ]
        lines += [("Medication at discharge", m) for m in f["medications"]]
        lines += [
            ("Goal", f"{g['statement']} — {GOAL_OUTCOMES.get(g['outcome'], 'not marked')}") for g in s.goals
        ]
        lines += [
            ("Course of treatment", s.course),
            ("Condition at discharge", s.condition),
            ("Aftercare plan", s.aftercare),
            ("Recommendations", s.recommendations),
            ("Signed", f"{s.signature}, {timezone.localdate(s.signed_at):%Y-%m-%d}"),
        ]
        lines += [("Addendum", f"{a.created_at:%Y-%m-%d} ({a.reason}): {a.text}") for a in s.addenda.all()]
        yield Record(
            data_class=DataClass.DISCHARGE,
            object_type="dischargesummary",
            object_id=str(s.pk),
            title=f"Discharge summary, {s.discharge.discharged_on:%Y-%m-%d}",
            when=s.discharge.discharged_on,
            lines=tuple(lines),
        )
    plan = AftercarePlan.objects.filter(participant=participant).first()
    if plan is not None and date_from <= timezone.localdate(plan.updated_at) <= date_to:
        lines = [
            ("Triggers", plan.triggers),
            ("Warning signs", plan.warning_signs),
            ("Coping strategies", plan.coping),
        ]
        lines += [
            ("Meeting", f"{m['fellowship']} {m['name']}, {m['day']} {m['time']}, {m['place']}")
            for m in plan.meetings
        ]
        lines += [("Continuing MAT", plan.mat_prescriber), ("Housing", plan.housing)]
        yield Record(
            data_class=DataClass.DISCHARGE,
            object_type="aftercareplan",
            object_id=str(plan.pk),
            title="Relapse-prevention and aftercare plan",
            when=timezone.localdate(plan.updated_at),
            lines=tuple((k, v) for k, v in lines if v),
        )


PROVIDERS = {DataClass.DISCHARGE: discharge}
