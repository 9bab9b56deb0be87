"""Bulk Data `$export` (async pattern): kick-off, status polling, cancel, NDJSON files.

Kick-off answers 202 with Content-Location; polling answers 202 with X-Progress until the worker is
done, then 200 with the manifest. Only the token that started an export may poll it, cancel it or
fetch its files; for anyone else they do not exist (404). A SMART Backend Services client's tokens
last five minutes, so any current token of the same client may follow its exports.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.core.dates import Span
from bridge.fhir import export as export_runner
from bridge.fhir import services
from bridge.fhir.auth import Principal, authenticate
from bridge.fhir.mapping import instant
from bridge.fhir.models import ExportFile, ExportJob
from bridge.fhir.outcome import FhirError, fhir_response, outcome
from bridge.fhir.registry import TYPES
from bridge.fhir.views import fhir_endpoint

OUTPUT_FORMATS = ("application/fhir+ndjson", "application/ndjson", "ndjson")
KICKOFF_PARAMS = ("_type", "_since", "_outputFormat")


def _kickoff(request: HttpRequest, level: str, group_id: str = "") -> HttpResponse:
    principal = authenticate(request)
    if principal.is_patient:
        raise FhirError(403, "Bulk Data export is for staff and system clients; an app reads with search.")
    unknown = sorted(k for k in request.GET if k not in KICKOFF_PARAMS)
    if unknown:
        raise FhirError(
            400, f"Unsupported $export parameter(s): {', '.join(unknown)}.", expression=unknown[0]
        )
    fmt = request.GET.get("_outputFormat")
    if fmt is not None and fmt not in OUTPUT_FORMATS:
        raise FhirError(400, "Only NDJSON output is supported (_outputFormat=application/fhir+ndjson).")
    since = None
    if "_since" in request.GET:
        try:
            since = parse_datetime(request.GET["_since"])
        except ValueError:  # well formed but impossible, e.g. month 13
            since = None
        if since is None or since.tzinfo is None:
            raise FhirError(400, "_since must be an instant with a time zone, e.g. 2026-01-01T00:00:00Z.")
        with refusal.silently() as too_far:
            Span.HISTORY.check(since)
        if too_far.refused:
            raise FhirError(400, f"_since: {too_far.messages[0]}", expression="_since")
    patient_level = level != ExportJob.Level.SYSTEM
    offered = [t for t in TYPES.values() if t.is_participant_data or not patient_level]
    if "_type" in request.GET:
        wanted = [v for raw in request.GET.getlist("_type") for v in raw.split(",") if v]
        bad = [w for w in wanted if w not in {t.name for t in offered}]
        if bad:
            raise FhirError(400, f"_type: {bad[0]} cannot be exported here.", expression="_type")
        for name in wanted:
            principal.require(name, search=True)
        types = list(dict.fromkeys(wanted))
    else:
        types = [t.name for t in offered if _allowed(principal, t.name)]
        if not types:
            raise FhirError(403, "This token's scopes cover nothing that can be exported.")
    if level == ExportJob.Level.GROUP:
        from bridge.scheduling.models import GroupSeries

        try:
            gid = uuid.UUID(group_id)
        except ValueError:
            gid = None
        if (
            gid is None
            or not GroupSeries.objects.filter(pk=gid, program_id__in=principal.program_ids()).exists()
        ):
            raise FhirError(404, f"Group/{group_id} is not here.")
    job = services.export_start(
        token=principal.token,
        actor=principal.user,
        level=level,
        group_id=group_id,
        types=types,
        since=since,
        request_url=request.build_absolute_uri(),
    )
    status_url = request.build_absolute_uri(reverse("fhir:export_status", args=[job.pk]))
    return fhir_response(
        outcome("Export accepted; poll the Content-Location.", code="informational", severity="information"),
        202,
        Content_Location=status_url,
    )


def _allowed(principal: Principal, name: str) -> bool:
    try:
        principal.require(name, search=True)
    except FhirError:
        return False
    return True


@fhir_endpoint("GET")
def export_system(request: HttpRequest) -> HttpResponse:
    return _kickoff(request, ExportJob.Level.SYSTEM)


@fhir_endpoint("GET")
def export_patients(request: HttpRequest) -> HttpResponse:
    return _kickoff(request, ExportJob.Level.PATIENT)


@fhir_endpoint("GET")
def export_group(request: HttpRequest, group_id: str) -> HttpResponse:
    return _kickoff(request, ExportJob.Level.GROUP, group_id)


def _owner(principal: Principal, prefix: str = "") -> Q:
    """The exports this caller may follow: its token's, or for a backend client any of its tokens'."""
    if principal.token.backend_client_id is not None:
        return Q(**{f"{prefix}token__backend_client_id": principal.token.backend_client_id})
    return Q(**{f"{prefix}token": principal.token})


def _job_for(principal: Principal, job_id: uuid.UUID) -> ExportJob:
    job = ExportJob.objects.filter(_owner(principal), pk=job_id).first()
    if job is None:
        raise FhirError(404, "No such export.")
    return job


@fhir_endpoint("GET", "DELETE")
def export_status(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    principal = authenticate(request)
    job = _job_for(principal, job_id)
    if request.method == "DELETE":
        services.export_cancel(job=job, actor=principal.user)
        return fhir_response(outcome("Export cancelled.", code="informational", severity="information"), 202)
    if job.status == ExportJob.Status.RUNNING and export_runner.exports_recover():
        job.refresh_from_db()  # its worker's lease ran out: now failed, saying so
    if job.status == ExportJob.Status.CANCELLED:
        raise FhirError(404, "This export was cancelled.")
    if job.status == ExportJob.Status.EXPIRED:
        raise FhirError(
            404,
            f"This export's files were deleted {settings.BRIDGE_EXPORT_KEEP_HOURS} hours after it finished; "
            "start a new one.",
        )
    if job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
        response = HttpResponse(status=202)
        response["X-Progress"] = job.progress or job.get_status_display()
        response["Retry-After"] = "2"
        return response
    if job.status == ExportJob.Status.FAILED:
        if job.error == export_runner.LOST_WORKER:
            raise FhirError(422, export_runner.LOST_WORKER)
        raise FhirError(422, "The export failed; start a new one (the failure is logged for the program).")
    manifest = {
        "transactionTime": instant(job.transaction_time),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [
            {
                "type": f.resource_type,
                "url": request.build_absolute_uri(reverse("fhir:export_file", args=[f.pk])),
                "count": f.count,
            }
            for f in job.files.all()
        ],
        "error": [],
    }
    return JsonResponse(manifest)


@fhir_endpoint("GET")
def export_file(request: HttpRequest, file_id: uuid.UUID) -> HttpResponseBase:
    principal = authenticate(request)
    export = ExportFile.objects.select_related("job").filter(_owner(principal, "job__"), pk=file_id).first()
    if export is None or export.job.status != ExportJob.Status.DONE:
        raise FhirError(404, "No such file.")
    try:
        handle = open(export.path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except FileNotFoundError:  # deleted since (expiry racing this request)
        raise FhirError(404, "No such file.") from None
    audit_record(
        action=Action.EXPORT,
        object_type="fhir_export_file",
        object_id=str(export.pk),
        detail={"token": str(principal.token.pk), "export": str(export.job_id), "type": export.resource_type},
        **principal.audit_actor(),
    )
    return FileResponse(handle, content_type="application/fhir+ndjson")
