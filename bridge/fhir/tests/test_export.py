"""Bulk Data $export: the async state machine, NDJSON files, access and consent, cancel, the worker."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.fhir import export
from bridge.fhir.models import ExportJob
from bridge.fhir.tests.test_fhir_api import validate
from bridge.privacy import labels


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    settings.BRIDGE_EXPORT_DIR = str(tmp_path / "exports")


def kickoff(fhir, secret, path="$export", **params):
    response = fhir(secret, path, **params)
    assert response.status_code == 202, response.content
    return response["Content-Location"]


def poll(client, secret, url, method="get"):
    return getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {secret}")


def run_all():
    for job in ExportJob.objects.filter(status=ExportJob.Status.QUEUED):
        export.run(str(job.pk))


def files(client, secret, manifest) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for item in manifest["output"]:
        response = client.get(item["url"], HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+ndjson"
        body = b"".join(response.streaming_content).decode()
        out[item["type"]] = [json.loads(line) for line in body.splitlines()]
    return out


def test_system_export_runs_through_the_async_pattern(world, chart, fhir, client, token_for):
    secret = token_for(user=world.director)
    status_url = kickoff(fhir, secret)
    pending = poll(client, secret, status_url)
    assert pending.status_code == 202
    assert pending["X-Progress"]
    run_all()
    done = poll(client, secret, status_url)
    assert done.status_code == 200
    manifest = done.json()
    assert manifest["requiresAccessToken"] is True
    assert manifest["transactionTime"]
    got = files(client, secret, manifest)
    assert {"Patient", "Condition", "Observation", "Organization", "Group"} <= set(got)
    for name, resources in got.items():
        for resource in resources:
            assert resource["resourceType"] == name
            validate(resource)
    for resource in got["Condition"] + got["Observation"] + got["Patient"]:
        assert labels.carries_labels(resource)
    assert {p["id"] for p in got["Patient"]} == {str(world.alex.pk), str(world.blair.pk), str(world.casey.pk)}
    assert AuditEvent.objects.filter(action="export", object_type="fhir:Condition").count() == 2


def test_export_without_consent_discloses_nothing_about_that_participant(
    world, chart, fhir, client, token_for, clinic, alex_tpo_consent
):
    secret = token_for(recipient=clinic)
    status_url = kickoff(fhir, secret, "Patient/$export")
    run_all()
    got = files(client, secret, poll(client, secret, status_url).json())
    everything = [r for resources in got.values() for r in resources]
    assert everything
    blair = str(world.blair.pk)
    assert blair not in json.dumps(everything)
    assert {p["id"] for p in got["Patient"]} == {str(world.alex.pk)}
    disclosures = AuditEvent.objects.filter(action="disclose", object_type="fhir:Observation")
    assert [e.detail["consent"] for e in disclosures] == [str(alex_tpo_consent.pk)]
    from bridge.privacy.models import Disclosure

    accounting = Disclosure.objects.filter(participant=world.alex, recipient=clinic)
    assert accounting.count() == len(got)  # one entry per resource type released
    assert not Disclosure.objects.filter(participant=world.blair).exists()


def test_group_export_covers_only_its_members(world, chart, fhir, client, token_for):
    from bridge.participants.models import Participant

    secret = token_for(user=world.director)
    status_url = kickoff(fhir, secret, f"Group/{chart['group'].pk}/$export", _type="Patient,Observation")
    run_all()
    got = files(client, secret, poll(client, secret, status_url).json())
    assert set(got) == {"Patient", "Observation"}
    assert {p["id"] for p in got["Patient"]} == {str(world.alex.pk), str(world.blair.pk)}
    assert str(Participant.objects.get(first_name="Casey").pk) not in json.dumps(got)


def test_since_limits_to_recent_changes(world, chart, fhir, client, token_for):
    secret = token_for(user=world.director)
    # A moment after everything in the chart was written (a _since in a later day is refused: issue 21).
    later = (timezone.now() + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    status_url = kickoff(fhir, secret, "Patient/$export", _since=later, _type="Patient,Condition")
    run_all()
    assert poll(client, secret, status_url).json()["output"] == []


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"_type": "Spaceship"}, 400),
        ({"_since": "yesterday"}, 400),
        ({"_outputFormat": "text/csv"}, 400),
        ({"_elements": "id"}, 400),
    ],
)
def test_bad_kickoff_gets_an_operation_outcome(world, fhir, token_for, params, status):
    response = fhir(token_for(user=world.director), "$export", **params)
    assert response.status_code == status
    assert response.json()["resourceType"] == "OperationOutcome"


def test_scope_limits_what_is_exported(world, chart, fhir, client, token_for):
    secret = token_for(user=world.director, scopes="user/Patient.read")
    assert fhir(secret, "$export", _type="Condition").status_code == 403
    status_url = kickoff(fhir, secret)
    run_all()
    assert [o["type"] for o in poll(client, secret, status_url).json()["output"]] == ["Patient"]


def test_delete_cancels_and_the_status_then_is_gone(world, chart, fhir, client, token_for):
    secret = token_for(user=world.director)
    status_url = kickoff(fhir, secret)
    assert poll(client, secret, status_url, "delete").status_code == 202
    run_all()
    assert ExportJob.objects.get().status == ExportJob.Status.CANCELLED
    assert poll(client, secret, status_url).status_code == 404


def test_only_the_token_that_asked_sees_the_status_and_files(world, chart, fhir, client, token_for):
    secret = token_for(user=world.director)
    status_url = kickoff(fhir, secret)
    run_all()
    manifest = poll(client, secret, status_url).json()
    other = token_for(user=world.director)
    assert poll(client, other, status_url).status_code == 404
    assert client.get(manifest["output"][0]["url"], HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404
    assert client.get(manifest["output"][0]["url"]).status_code == 401


def test_outsider_cannot_export_a_harbor_group(world, chart, fhir, token_for):
    response = fhir(token_for(user=world.outsider), f"Group/{chart['group'].pk}/$export")
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens database connections
def test_the_worker_runs_the_export(
    world, chart, fhir, client, token_for, django_capture_on_commit_callbacks
):
    secret = token_for(user=world.director)
    with django_capture_on_commit_callbacks(execute=True):
        status_url = kickoff(fhir, secret, "Patient/$export", _type="Patient")
    call_command("worker", batch=True)
    assert poll(client, secret, status_url).status_code == 200


def test_files_are_deleted_after_the_retention_period(world, chart, fhir, client, token_for, settings):
    settings.BRIDGE_EXPORT_KEEP_HOURS = 24
    secret = token_for(user=world.director)
    status_url = kickoff(fhir, secret)
    run_all()
    manifest = poll(client, secret, status_url).json()
    job = ExportJob.objects.get()
    finished = job.finished_at
    assert finished is not None
    folder = export.export_dir(job)
    assert any(folder.iterdir())
    assert export.exports_expire(now=finished + timedelta(hours=23)) == 0
    assert poll(client, secret, status_url).status_code == 200
    assert export.exports_expire(now=finished + timedelta(hours=25)) == 1
    assert not folder.exists()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED
    gone = poll(client, secret, status_url)
    assert gone.status_code == 404 and "24 hours" in gone.json()["issue"][0]["diagnostics"]
    assert client.get(manifest["output"][0]["url"], HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 404
    assert AuditEvent.objects.filter(action="export_expired", object_id=str(job.pk)).count() == 1
    assert export.exports_expire(now=finished + timedelta(hours=48)) == 0  # once


def test_a_cancelled_exports_partial_files_expire_too(world, chart, fhir, client, token_for):
    secret = token_for(user=world.director)
    status_url = kickoff(fhir, secret)
    assert poll(client, secret, status_url, "delete").status_code == 202
    job = ExportJob.objects.get()
    export.export_dir(job).mkdir(parents=True)
    (export.export_dir(job) / "Patient.ndjson").write_text("{}\n")
    assert export.exports_expire(now=timezone.now() + timedelta(days=2)) == 1
    assert not export.export_dir(job).exists()


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("Observation", {"date": "2026-02-30"}),
        ("Observation", {"_lastUpdated": "ge2026-13-01T00:00:00Z"}),
        ("$export", {"_since": "2026-13-01T00:00:00Z"}),
    ],
)
def test_impossible_dates_are_400_not_500(world, fhir, token_for, path, params):
    response = fhir(token_for(user=world.director), path, **params)
    assert response.status_code == 400 and response.json()["resourceType"] == "OperationOutcome"
