"""Issue 21: FHIR parameters with odd dates or control characters are a 400 OperationOutcome."""

from __future__ import annotations

import pytest

ANCIENT, FAR = "0001-01-01", "9999-12-31"


@pytest.mark.parametrize("value", [ANCIENT, FAR, "ge9999-12-31T23:59:59-08:00"])
def test_fhir_date_parameters_out_of_range_are_an_operation_outcome(world, token_for, fhir, value):
    response = fhir(token_for(user=world.therapist_a), "Appointment", date=value)
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize(("path", "params"), [("Observation", {"code": "\x00"}), ("Patient/\x00", {})])
def test_nul_bytes_in_fhir_parameters_and_paths_are_an_operation_outcome(
    world, token_for, fhir, path, params
):
    response = fhir(token_for(user=world.therapist_a), path, **params)
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


def test_export_since_far_in_the_future_is_refused(world, token_for, fhir, settings, tmp_path):
    settings.BRIDGE_EXPORT_DIR = str(tmp_path / "exports")
    response = fhir(token_for(user=world.director), "Patient/$export", _since="9999-12-31T23:59:59-08:00")
    assert response.status_code == 400
    assert "_since" in response.json()["issue"][0]["diagnostics"]
