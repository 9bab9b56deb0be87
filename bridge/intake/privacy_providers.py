"""Screening and assessment results, for disclosures (Part 2 data class "assessments").

Each instrument given (not entered in error) is an Observation carrying its LOINC codes where they
exist; each placement decision is an Observation of the level decided, with the recommendation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from bridge.intake.models import InstrumentAdministration, PlacementDecision
from bridge.privacy import fhir
from bridge.privacy.providers import Record
from bridge.privacy.vocab import DataClass

LOINC = "http://loinc.org"
SURVEY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}


def _range(participant, date_from: date, date_to: date) -> tuple[datetime, datetime]:
    tz = participant.program.tz
    return (
        datetime.combine(date_from, time.min, tzinfo=tz),
        datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz),
    )


def observation(row: InstrumentAdministration) -> dict[str, Any]:
    """An administration as a FHIR R4 Observation (total as the value; BAM subscales as components)."""
    definition = row.definition
    code: dict[str, Any] = {"text": f"{definition.code} {definition.name}"}
    if definition.loinc_total:
        code["coding"] = [
            {"system": LOINC, "code": definition.loinc_total, "display": f"{definition.code} total"}
        ]
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(row.id),
        "status": "final",
        "category": [SURVEY],
        "code": code,
        "subject": fhir.ref(row.participant_id),
        "effectiveDateTime": row.administered_at.isoformat(),
        "interpretation": [{"text": row.band_label}],
    }
    if isinstance(row.total, int):
        resource["valueInteger"] = row.total
    elif isinstance(row.total, dict):
        resource["component"] = [
            {"code": {"text": f"{definition.code} {name} subscale"}, "valueInteger": value}
            for name, value in row.total.items()
        ]
    else:
        resource["valueString"] = row.band_label
    if row.alerts:
        resource["note"] = [{"text": "Alerts: " + ", ".join(row.alerts)}]
    return resource


def assessments(participant, date_from: date, date_to: date) -> Iterable[Record]:
    start, end = _range(participant, date_from, date_to)
    tz = participant.program.tz
    rows = InstrumentAdministration.objects.filter(
        participant=participant,
        entered_in_error_at__isnull=True,
        administered_at__gte=start,
        administered_at__lt=end,
    ).order_by("administered_at")
    for row in rows:
        when = row.administered_at.astimezone(tz)
        yield Record(
            data_class=DataClass.ASSESSMENTS,
            object_type="instrument_administration",
            object_id=str(row.pk),
            title=f"{when:%Y-%m-%d} {row.instrument}",
            when=when.date(),
            lines=(
                ("Instrument", f"{row.instrument} ({row.definition.name})"),
                ("Total", row.total_label),
                ("Result", row.band_label),
                *((("Alerts", ", ".join(row.alerts)),) if row.alerts else ()),
                ("Source", row.get_source_display()),
            ),
            resource=observation(row),
        )
    decisions = PlacementDecision.objects.filter(
        screening__participant=participant, decided_at__gte=start, decided_at__lt=end
    ).order_by("decided_at")
    for decision in decisions:
        when = decision.decided_at.astimezone(tz)
        level = decision.level + (
            f", {decision.withdrawal_management} first" if decision.withdrawal_management else ""
        )
        recommended = decision.recommended_level + (
            f", {decision.recommended_withdrawal_management} first"
            if decision.recommended_withdrawal_management
            else ""
        )
        lines = [("Level of care decided", level), ("Recommended", recommended)]
        if decision.is_override:
            lines.append(("Reason for overriding", decision.reason))
        yield Record(
            data_class=DataClass.ASSESSMENTS,
            object_type="placement_decision",
            object_id=str(decision.pk),
            title=f"{when:%Y-%m-%d} Level-of-care placement",
            when=when.date(),
            lines=tuple(lines),
            resource={
                "resourceType": "Observation",
                "id": str(decision.pk),
                "status": "final",
                "category": [SURVEY],
                "code": {"text": "Level-of-care placement (six-dimension assessment)"},
                "subject": fhir.ref(participant.pk),
                "effectiveDateTime": decision.decided_at.isoformat(),
                "valueString": level,
                "note": [{"text": f"Recommended {recommended} (rules {decision.rules_version})."}],
            },
        )


PROVIDERS = {DataClass.ASSESSMENTS: assessments}
