"""`GET /fhir/Patient/<id>/$everything`: one patient's records that the caller may see, as a paged
searchset Bundle (`_count`, `_offset` in the `next` links).

The patient first, then each participant-data type in the registry's order. Every part goes through
the same rule as a search (access.rows_for): a user token's staff access, a system client's consent
(the policy decision point, with the redisclosure notice and a disclosure per participant), or a
patient token's own compartment. Types the token's scopes do not cover are left out, not refused,
and so is the Patient itself when the caller may see some of the records but not the demographics
(a client whose consent does not release them, a token without a Patient scope): the Bundle then
holds what it may see, without a Patient entry. A patient of whom the caller may see nothing is
"not here" (404), like a read.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.fhir import scopes as scope_rules
from bridge.fhir import search
from bridge.fhir.access import rows_for
from bridge.fhir.auth import Principal, authenticate
from bridge.fhir.mapping import instant
from bridge.fhir.outcome import FhirError, fhir_response
from bridge.fhir.registry import TYPES, ResourceType, Source
from bridge.fhir.views import _audit_disclosed, base_url, fhir_endpoint, resource_of
from bridge.privacy import fhir as privacy_fhir

PARAMS = ("_count", "_offset")


def _parts(principal: Principal, patient_id: str) -> list[tuple[ResourceType, Source, Any]]:
    """(type, source, rows about this patient) for every type the token may read, the Patient first."""
    parts = []
    for rtype in TYPES.values():
        if not rtype.is_participant_data or not scope_rules.allows(
            principal.scopes, rtype.name, search=False
        ):
            continue
        for source in rtype.sources:
            if source.participant is None:
                continue  # the program's own rows (a session): reached through the patient's, not listed
            parts.append(
                (rtype, source, rows_for(principal, rtype, source).filter(fhir_participant=patient_id))
            )
    return parts


def _may_read_some(principal: Principal) -> bool:
    return any(
        rtype.is_participant_data and scope_rules.allows(principal.scopes, rtype.name, search=False)
        for rtype in TYPES.values()
    )


@fhir_endpoint("GET")
def patient_everything(request: HttpRequest, resource_id: str) -> HttpResponse:
    principal = authenticate(request)
    if not _may_read_some(principal):
        raise FhirError(403, f"This token's scopes ({principal.token.scopes}) cover no patient's records.")
    unknown = sorted(k for k in request.GET if k not in PARAMS)
    if unknown:
        raise FhirError(400, f"Unsupported $everything parameter: {unknown[0]}.", expression=unknown[0])
    q = search.parse(TYPES["Patient"], request.GET)
    patient_type = TYPES["Patient"]
    source = patient_type.sources[0]
    where = search.source_filter(patient_type, source, search.Query(ids=[resource_id]))
    # Which participant the id names, in the caller's programs. Whether the caller sees anything of
    # them is decided part by part below: a client whose consent releases drug screens but not
    # demographics gets the drug screens without the Patient resource (the Patient part is empty
    # under the Patient rule). Nothing visible at all reads exactly like an unknown id (404).
    found = (
        source.queryset().filter(where, fhir_program__in=principal.program_ids()).first()
        if where is not None
        else None
    )
    parts = _parts(principal, str(found.pk)) if found is not None else []
    counted = [(rtype, src, qs, qs.count()) for rtype, src, qs in parts]
    total = sum(n for *_, n in counted)
    if found is None or total == 0:
        audit_record(
            action=Action.ACCESS_DENIED,
            object_type="fhir:Patient/$everything",
            object_id=resource_id[:80],
            outcome="denied",
            detail={"token": str(principal.token.pk), "found": False},
            **principal.audit_actor(),
        )
        raise FhirError(404, f"Patient/{resource_id} is not here.")
    patient_id = str(found.pk)

    page: list[tuple[ResourceType, Source, Any]] = []
    skip, want = q.offset, q.count
    for rtype, src, qs, n in counted:
        if skip >= n:
            skip -= n
            continue
        page += [(rtype, src, row) for row in qs[skip : skip + want - len(page)]]
        skip = 0
        if len(page) >= want:
            break

    base = base_url(request)

    def link(offset: int) -> str:
        return f"{base}/Patient/{patient_id}/$everything?" + urlencode(
            [("_count", str(q.count)), ("_offset", str(offset))]
        )

    links = [{"relation": "self", "url": link(q.offset)}]
    if q.offset + q.count < total:
        links.append({"relation": "next", "url": link(q.offset + q.count)})
    if q.offset > 0:
        links.append({"relation": "previous", "url": link(max(0, q.offset - q.count))})
    entries = [
        {
            "fullUrl": f"{base}/{rtype.name}/{row.pk}",
            "resource": resource_of(row, rtype, src, principal),
            "search": {"mode": "match"},
        }
        for rtype, src, row in page
    ]
    if principal.is_system and entries:
        entries.append(
            {"resource": privacy_fhir.notice("redisclosure-notice"), "search": {"mode": "outcome"}}
        )
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "meta": {"lastUpdated": instant(timezone.now())},
        "total": total,
        "link": links,
        "entry": entries,
    }
    query = request.GET.urlencode()[:500]
    audit_record(
        action=Action.SEARCH,
        participant=found,
        object_type="fhir:Patient/$everything",
        object_id=patient_id,
        detail={"token": str(principal.token.pk), "query": query, "total": total, "returned": len(page)},
        **principal.audit_actor(),
    )
    by_type: dict[str, list] = {}
    for rtype, src, row in page:
        by_type.setdefault(rtype.name, []).append((row, src))
    for name, rows in by_type.items():
        _audit_disclosed(principal, TYPES[name], rows, Action.READ, {"operation": "$everything"})
    return fhir_response(bundle)
