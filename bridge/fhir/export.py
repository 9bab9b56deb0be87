"""Bulk Data export: what the worker does for one `$export` job. Streams rows to NDJSON files.

Rows are read with `iterator()` in batches (prefetches per batch) and written line by line, so memory
stays flat however many resources there are (bench/export.py measures it at two scales). Access is
exactly the API's (access.py), evaluated for the token that asked, when the worker runs. Each
participant whose data went into the files gets one audit event per resource type (a disclosure,
naming the consent, for a system client).
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.fhir import scopes as scope_rules
from bridge.fhir import services
from bridge.fhir.access import rows_for
from bridge.fhir.auth import Principal
from bridge.fhir.models import ExportFile, ExportJob
from bridge.fhir.registry import TYPES, source_data_class
from bridge.participants.models import Participant

BATCH = 200


def export_dir(job: ExportJob) -> Path:
    return Path(settings.BRIDGE_EXPORT_DIR) / str(job.pk)


def _private_folder(folder: Path) -> None:
    """The exports folder and each export's folder: readable by Bridge's own user only (0700)."""
    base = Path(settings.BRIDGE_EXPORT_DIR)
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    base.chmod(0o700)
    folder.mkdir(mode=0o700, exist_ok=True)
    folder.chmod(0o700)


def _private_file(path: Path):
    """Open for writing, created 0600 (never briefly world-readable)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8")


LOST_WORKER = (
    "The worker running this export stopped (killed or crashed) before it finished; its partial files "
    "were removed. Start the export again."
)


def exports_recover(*, now=None) -> int:
    """Running exports whose worker's lease ran out: mark them failed (saying why), delete their
    partial files, and audit it. Run when a worker starts, hourly, and when a client polls the status.
    Returns how many were recovered."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.BRIDGE_JOB_LEASE_SECONDS)
    recovered = 0
    lost = ExportJob.objects.filter(status=ExportJob.Status.RUNNING).filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, created_at__lt=stale)
    )
    for job in lost:
        with transaction.atomic():
            if not ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
                status=ExportJob.Status.FAILED, error=LOST_WORKER, finished_at=now
            ):
                continue
            ExportFile.objects.filter(job=job).delete()
            audit_record(
                action=Action.EXPORT_EXPIRED,
                actor_label="export recovery",
                object_type="fhir_export",
                object_id=str(job.pk),
                detail={"token": str(job.token_id), "was": "running", "reason": "worker lost"},
            )
        shutil.rmtree(export_dir(job), ignore_errors=True)
        recovered += 1
    return recovered


def _cancelled(job: ExportJob) -> bool:
    return ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.CANCELLED).exists()


def run(job_id: str) -> str:
    from bridge.fhir.views import resource_of

    job = ExportJob.objects.select_related("token__user", "token__program", "token__recipient").get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:
        return job.status
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.RUNNING, heartbeat_at=timezone.now()
        )
    principal = Principal(job.token, scope_rules.parse(job.token.scopes))
    members: set | None = None
    if job.level == ExportJob.Level.GROUP:
        from bridge.scheduling.models import SeriesMembership

        members = set(
            SeriesMembership.objects.filter(series_id=uuid.UUID(job.group_id))  # checked at kick-off
            .exclude(status="waitlisted")
            .values_list("participant_id", flat=True)
        )
    folder = export_dir(job)
    _private_folder(folder)
    written = 0
    try:
        for name in job.types:
            rtype = TYPES[name]
            path = folder / f"{name}.ndjson"
            count = 0
            disclosed: dict[str, int] = {}
            refs: dict[str, list[dict[str, str]]] = {}  # system clients: what each participant's release held
            released: dict[str, str] = {}  # participant -> the data class released (for the consent named)
            with _private_file(path) as out:
                if rtype.static is not None:
                    from bridge.fhir.views import static_resources

                    for resource in static_resources(rtype):
                        out.write(json.dumps(resource, separators=(",", ":")) + "\n")
                        count += 1
                for source in rtype.sources:
                    qs = rows_for(principal, rtype, source)
                    if members is not None and source.participant is not None:
                        qs = qs.filter(fhir_participant__in=members)
                    if job.since is not None:
                        qs = qs.filter(fhir_updated__gte=job.since)
                    for row in qs.iterator(chunk_size=BATCH):
                        out.write(
                            json.dumps(resource_of(row, rtype, source, principal), separators=(",", ":"))
                        )
                        out.write("\n")
                        count += 1
                        # A prefetched row and its related rows point at each other; drop the links so
                        # each batch is freed at once instead of waiting for the cyclic collector.
                        row.__dict__.pop("_prefetched_objects_cache", None)
                        row._state.fields_cache = {}
                        if row.fhir_participant is not None:
                            key = str(row.fhir_participant)
                            disclosed[key] = disclosed.get(key, 0) + 1
                            released.setdefault(key, source_data_class(rtype, source) or "")
                            if principal.is_system and len(refs.setdefault(key, [])) < 500:
                                refs[key].append(
                                    {"data_class": released[key], "type": name, "id": str(row.pk)}
                                )
                        if count % BATCH == 0:
                            gc.collect(1)
                            if _cancelled(job):
                                return ExportJob.Status.CANCELLED
                            ExportJob.objects.filter(pk=job.pk).update(
                                progress=f"{name}: {count} resources written", heartbeat_at=timezone.now()
                            )
            if count:
                ExportFile.objects.create(job=job, resource_type=name, path=str(path), count=count)
            else:
                path.unlink(missing_ok=True)
            written += count
            ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
            for participant_id, n in disclosed.items():
                detail = {"token": str(job.token_id), "export": str(job.pk), "count": n}
                if principal.is_system:
                    consent_id = principal.consents_for(released[participant_id])[participant_id]
                    disclosure = services.disclosure_record(
                        token=job.token,
                        participant_id=participant_id,
                        consent_id=consent_id,
                        data_class=released[participant_id],
                        refs=refs[participant_id],
                    )
                    detail |= {
                        "recipient": str(job.token.recipient_id),
                        "purpose": job.token.purpose,
                        "consent": consent_id,
                        "disclosure": str(disclosure.pk),
                    }
                audit_record(
                    action=Action.DISCLOSE if principal.is_system else Action.EXPORT,
                    participant=Participant(pk=participant_id),
                    object_type=f"fhir:{name}",
                    object_id=str(job.pk),
                    detail=detail,
                    **principal.audit_actor(),
                )
            if _cancelled(job):
                return ExportJob.Status.CANCELLED
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.DONE, progress=f"{written} resources", finished_at=timezone.now()
    )
    return ExportJob.Status.DONE


def exports_expire(*, now=None) -> int:
    """Delete the files of exports finished more than BRIDGE_EXPORT_KEEP_HOURS ago; mark them expired.

    Done, failed and cancelled exports alike (a cancelled one may have left partial files). Each
    expiry is audited. Returns how many exports expired.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.BRIDGE_EXPORT_KEEP_HOURS)
    finished = (ExportJob.Status.DONE, ExportJob.Status.FAILED, ExportJob.Status.CANCELLED)
    expired = 0
    for job in ExportJob.objects.filter(status__in=finished, finished_at__lt=cutoff).order_by("finished_at"):
        shutil.rmtree(export_dir(job), ignore_errors=True)
        with transaction.atomic():
            if ExportJob.objects.filter(pk=job.pk, status=job.status).update(status=ExportJob.Status.EXPIRED):
                audit_record(
                    action=Action.EXPORT_EXPIRED,
                    actor_label="export retention",
                    object_type="fhir_export",
                    object_id=str(job.pk),
                    detail={"token": str(job.token_id), "was": job.status},
                )
                expired += 1
    return expired
