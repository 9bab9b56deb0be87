"""Intake's assessments, as a disclosure shows them: records for people, valid FHIR for machines."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from fhir.resources.R4B.observation import Observation

from bridge.intake import services
from bridge.intake.models import InstrumentAdministration
from bridge.privacy.providers import records_for
from bridge.privacy.vocab import DataClass


def _resource(record) -> dict:
    """The FHIR resource an assessment record carries (every one has one)."""
    assert record.resource is not None
    return record.resource


def test_assessments_are_provided_as_records_with_valid_observations(world, iop_ready):
    services.administration_record(
        actor=world.intake, screening=iop_ready, instrument="BAM", responses=[0] * 17
    )
    services.placement_decide(
        actor=world.intake,
        screening=iop_ready,
        decision="override",
        level="2.5",
        reason="Needs daily structure",
    )
    error = InstrumentAdministration.objects.get(instrument="PHQ-9")
    services.administration_mark_error(actor=world.intake, administration=error, reason="Wrong form")
    today = timezone.localdate()
    records = records_for(DataClass.ASSESSMENTS, world.casey, today - timedelta(days=1), today)
    kinds = [(r.object_type, r.title.split(" ", 1)[1]) for r in records]
    assert kinds == [
        ("instrument_administration", "DSM-5-SUD"),
        ("instrument_administration", "C-SSRS-Screener"),
        ("instrument_administration", "CIWA-Ar"),
        ("instrument_administration", "BAM"),
        ("placement_decision", "Level-of-care placement"),
    ], "entered-in-error results are never disclosed"
    for record in records:
        Observation.model_validate(record.resource)
    dsm, _cssrs, _ciwa, bam, placement = records
    assert dict(dsm.lines)["Result"] == "Moderate (4-5)" and _resource(dsm)["valueInteger"] == 4
    assert [c["valueInteger"] for c in _resource(bam)["component"]] == [0, 0, 0]
    assert dict(placement.lines)["Reason for overriding"] == "Needs daily structure"
    assert (
        records_for(DataClass.ASSESSMENTS, world.casey, today - timedelta(days=30), today - timedelta(days=2))
        == []
    )


def test_loinc_total_code_travels_with_the_observation(world, screening):
    services.administration_record(
        actor=world.intake, screening=screening, instrument="PHQ-9", responses=[1, 1, 1, 1, 1, 1, 1, 1, 1]
    )
    today = timezone.localdate()
    [record] = records_for(DataClass.ASSESSMENTS, world.casey, today, today)
    resource = _resource(record)
    assert resource["code"]["coding"] == [
        {"system": "http://loinc.org", "code": "44261-6", "display": "PHQ-9 total"}
    ]
    assert resource["note"] == [{"text": "Alerts: phq9_item9_positive"}]
