"""Every write of the directory: the import, and what a director changes about the program's listing.

Renewing and ending a recognition are entry points (only views call them), so they run in
`transaction.atomic(durable=True)` (bridge/core/tests/test_durable_services.py); the others are not
durable yet, as the demo builder calls them inside its own transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from bridge.accounts.models import User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.directory import facets, importer
from bridge.directory.models import Facility, ImportRun, ProgramAccreditation, ProgramLicense, ProgramProfile
from bridge.programs.models import Program

_BATCH = 500
_REJECTIONS_KEPT = 500
_UNMAPPED_KEPT = 50


@dataclass(frozen=True)
class ImportReport:
    run: ImportRun
    rejections: list[importer.Rejection]
    dry_run: bool = False


def _codes_text(codes: list[str]) -> str:
    return f" {' '.join(codes)} " if codes else ""


def _treats_substance_use(record: importer.Record) -> bool:
    if record.type_facility.upper() == "SA":
        return True
    if facets.SUBSTANCE_USE_CODES.intersection(record.codes):
        return True
    # A row that says nothing about its type of care is kept in substance use searches.
    return not record.type_facility and not record.codes


def _facility_fields(record: importer.Record) -> dict[str, Any]:
    return {
        "name": record.name,
        "name2": record.name2,
        "street": record.street,
        "city": record.city,
        "state": record.state,
        "zip_code": record.zip_code,
        "phone": record.phone,
        "intake_phone": record.intake_phone,
        "website": record.website,
        "latitude": record.latitude,
        "longitude": record.longitude,
        "located_by_zip": record.located_by_zip,
        "type_facility": record.type_facility,
        "treats_substance_use": _treats_substance_use(record),
        "service_codes": _codes_text(record.codes),
        "services": record.services,  # (section, code, label) tuples; stored as JSON lists
        "fingerprint": record.fingerprint(),
    }


_UPDATED_FIELDS = tuple(_facility_fields(importer.Record(line=0, source_key="", name="-")).keys())


def facility_import(
    *, path: Path, actor: User | None = None, as_of: date | None = None, dry_run: bool = False
) -> ImportReport:
    """Read a FindTreatment file and add or update its facilities, all in one transaction.

    Rows are matched on their facility id: a known id with the same content is unchanged, with
    different content updated in place, an unknown id added. Rejected rows are reported with their
    line and reason and do not stop the others. `dry_run` reports without keeping anything.
    Raises importer.FileError when the file as a whole cannot be read.
    """
    raw = path.read_bytes()
    parsed = importer.parse_file(path)
    now = timezone.now()
    with transaction.atomic():
        run = ImportRun.objects.create(
            source_name=path.name[:255],
            source_format=parsed.format,
            source_sha256=hashlib.sha256(raw).hexdigest(),
            source_as_of=as_of,
            started_at=now,
            rows=parsed.rows,
            imported_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        by_key = {r.source_key: r for r in parsed.records}
        keys = list(by_key)
        existing: dict[str, tuple] = {}
        for i in range(0, len(keys), _BATCH):
            for pk, key, fingerprint in Facility.objects.filter(
                source_key__in=keys[i : i + _BATCH]
            ).values_list("pk", "source_key", "fingerprint"):
                existing[key] = (pk, fingerprint)
        new: list[Facility] = []
        changed: list[Facility] = []
        unchanged: list[str] = []
        for key, record in by_key.items():
            fields = _facility_fields(record)
            if key not in existing:
                new.append(
                    Facility(source_key=key, first_import=run, last_import=run, changed_at=now, **fields)
                )
            elif existing[key][1] != fields["fingerprint"]:
                changed.append(Facility(pk=existing[key][0], last_import=run, changed_at=now, **fields))
            else:
                unchanged.append(key)
        Facility.objects.bulk_create(new, batch_size=_BATCH)
        Facility.objects.bulk_update(
            changed, [*_UPDATED_FIELDS, "last_import", "changed_at"], batch_size=_BATCH
        )
        for i in range(0, len(unchanged), _BATCH):
            Facility.objects.filter(source_key__in=unchanged[i : i + _BATCH]).update(last_import=run)

        run.added, run.updated, run.unchanged = len(new), len(changed), len(unchanged)
        run.rejected = len(parsed.rejections)
        run.rejections = [
            {"line": r.line, "reason": r.reason, "name": r.name} for r in parsed.rejections[:_REJECTIONS_KEPT]
        ]
        run.unmapped_labels = dict(parsed.unmapped.most_common(_UNMAPPED_KEPT))
        run.finished_at = timezone.now()
        run.save()
        audit_record(
            action=Action.DIRECTORY_IMPORT,
            actor=actor,
            object_type="directory_import",
            object_id=str(run.pk),
            detail={
                "source": run.source_name,
                "format": run.source_format,
                "added": run.added,
                "updated": run.updated,
                "unchanged": run.unchanged,
                "rejected": run.rejected,
                "dry_run": dry_run,
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run and connection.vendor == "postgresql" and run.added + run.updated:
        # Fresh statistics, so the planner knows how many rows a search box holds.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Facility._meta.db_table}")
    return ImportReport(run=run, rejections=parsed.rejections, dry_run=dry_run)


# --- a program's listing, kept by its director ------------------------------------------------------

PROFILE_FIELDS = (
    "published",
    "admitting",
    "summary",
    "website",
    "intake_phone",
    "languages",
    "payment",
    "approaches",
    "medications",
    "accepts_outside_mat",
    "dual_diagnosis",
    "aftercare",
)


def profile_for(program: Program) -> ProgramProfile:
    """The program's profile, or an unsaved blank one (nothing is published until a director saves)."""
    try:
        return program.directory_profile
    except ProgramProfile.DoesNotExist:
        return ProgramProfile(program=program, published=False)


def profile_update(*, actor: User, program: Program, **changes: Any) -> list[str]:
    """Change the program's directory profile; returns the names of the fields that changed."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"profile_update got unknown fields {sorted(unknown)}")
    with transaction.atomic():
        found = ProgramProfile.objects.select_for_update().filter(program=program).first()
        creating = found is None
        profile = ProgramProfile(program=program) if found is None else found
        changed = [name for name, value in changes.items() if getattr(profile, name) != value]
        if not changed and not creating:
            return []
        for name in changed:
            setattr(profile, name, changes[name])
        profile.updated_at = timezone.now()
        profile.updated_by = actor
        profile.full_clean()
        profile.save()
        audit_record(
            action=Action.CREATE if creating else Action.UPDATE,
            actor=actor,
            object_type="directory_profile",
            object_id=str(profile.pk),
            detail={"program": str(program.pk), "fields": sorted(changed)},
        )
    return changed


def accreditation_add(
    *, actor: User, program: Program, body: str, number: str, expires_on: date
) -> ProgramAccreditation:
    with transaction.atomic():
        if ProgramAccreditation.objects.filter(program=program, body=body, ended_at__isnull=True).exists():
            raise ValidationError(
                {"body": "This accreditation is already on file. Renew it there, or end it first."}
            )
        item = ProgramAccreditation(
            program=program, body=body, number=number.strip(), expires_on=expires_on, added_by=actor
        )
        item.full_clean()
        item.save()
        _audit_recognition(actor, item, Action.CREATE, {"body": body})
    return item


def license_add(
    *, actor: User, program: Program, authority: str, issuer: str, state: str, number: str, expires_on: date
) -> ProgramLicense:
    with transaction.atomic():
        number = number.strip()
        if ProgramLicense.objects.filter(
            program=program, authority=authority, number=number, ended_at__isnull=True
        ).exists():
            raise ValidationError({"number": "A license with this number is already on file."})
        item = ProgramLicense(
            program=program,
            authority=authority,
            issuer=issuer.strip(),
            state=state.strip().upper(),
            number=number,
            expires_on=expires_on,
            added_by=actor,
        )
        item.full_clean()
        item.save()
        _audit_recognition(actor, item, Action.CREATE, {"authority": authority})
    return item


def recognition_renew(
    *, actor: User, item: ProgramAccreditation | ProgramLicense, number: str, expires_on: date
) -> None:
    """Record a renewal: the new expiry (and number, if it changed). Ended ones cannot be renewed."""
    if item.ended_at is not None:
        raise ValidationError({"expires_on": "This one has ended; add it again instead."})
    if expires_on <= item.expires_on and number.strip() == item.number:
        raise ValidationError({"expires_on": "A renewal moves the expiry date later."})
    with transaction.atomic(durable=True):
        item.number = number.strip()
        item.expires_on = expires_on
        item.updated_at = timezone.now()
        item.full_clean()
        item.save(update_fields=["number", "expires_on", "updated_at"])
        _audit_recognition(actor, item, Action.UPDATE, {"renewed": True})


def recognition_end(*, actor: User, item: ProgramAccreditation | ProgramLicense, reason: str) -> None:
    """Take an accreditation or license off the listing for good (withdrawn, entered in error).

    The row is kept with its reason; nothing is deleted.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Say why it ends, for example “withdrawn” or “entered in error”."})
    if item.ended_at is not None:
        raise ValidationError({"reason": "This one has already ended."})
    with transaction.atomic(durable=True):
        item.ended_at = timezone.now()
        item.end_reason = reason.strip()[:200]
        item.save(update_fields=["ended_at", "end_reason"])
        _audit_recognition(actor, item, Action.UPDATE, {"ended": True})


def _audit_recognition(actor: User, item, action: Action, detail: dict[str, Any]) -> None:
    object_type = "program_accreditation" if isinstance(item, ProgramAccreditation) else "program_license"
    audit_record(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=str(item.pk),
        detail={"program": str(item.program_id), **detail},
    )
