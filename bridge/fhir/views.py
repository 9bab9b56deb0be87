"""The FHIR R4 REST API at /fhir/: CapabilityStatement, read and search (JSON only).

Every request authenticates with a bearer token (auth.py), is checked against the token's scopes,
filters rows through access.py (care team or consent) and writes audit events: one per participant
whose data is returned (read, or disclosure under a consent for system clients) and one for the
search itself. Errors are OperationOutcomes (outcome.py).
"""

from __future__ import annotations

import operator
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.fhir import search, services
from bridge.fhir.access import rows_for
from bridge.fhir.auth import Principal, authenticate
from bridge.fhir.capability import capability_statement
from bridge.fhir.mapping import instant
from bridge.fhir.outcome import FhirError, error_response, fhir_response
from bridge.fhir.registry import TYPES, ResourceType, source_data_class
from bridge.participants.models import Participant
from bridge.privacy import fhir as privacy_fhir
from bridge.privacy import labels
from bridge.privacy.notice import REDISCLOSURE_NOTICE


def fhir_endpoint(*methods: str):
    """Answer OperationOutcomes for every failure; public to the login middleware (tokens authenticate)."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = error_response(FhirError(405, f"{request.method} is not supported here."))
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, **kwargs)
            except FhirError as exc:
                return error_response(exc)

        wrapper.login_required = False  # type: ignore[attr-defined]
        return wrapper

    return decorator


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir").rstrip("/")


def resource_of(row, rtype: ResourceType, source, principal: Principal) -> dict[str, Any]:
    resource = source.to_fhir(row, principal)
    meta = resource.setdefault("meta", {})
    updated = row.fhir_updated
    meta["lastUpdated"] = instant(updated) if updated else instant(timezone.now())
    if rtype.is_participant_data:
        # Part 2: everything about a participant of an SUD program carries the labels and its origin.
        resource = labels.label_resource(resource, program_id=row.fhir_program)
        if principal.is_system:
            # 42 CFR 2.32: what leaves under consent carries the redisclosure notice — on every
            # resource, so a single read and each NDJSON line carry it as a search Bundle does.
            resource = labels.with_must_display(resource, REDISCLOSURE_NOTICE)
            # 42 CFR 2.32(b): with a copy or summary of the consent it relies on, as a package has.
            data_class = source_data_class(rtype, source)
            consent_id = (
                principal.consents_for(data_class).get(str(row.fhir_participant)) if data_class else None
            )
            if consent_id:
                resource = labels.with_must_display(resource, principal.consent_summary(consent_id))
    return resource


def _type(name: str) -> ResourceType:
    rtype = TYPES.get(name)
    if rtype is None:
        raise FhirError(404, f"This server does not offer {name}; see /fhir/metadata.")
    return rtype


def _audit_disclosed(
    principal: Principal, rtype: ResourceType, found: list, action: str, detail: dict
) -> None:
    """One event per participant whose data left, naming the consent for a system client.

    `found` is (row, source) pairs: a type's sources may release different data classes (Observation:
    drug screens and assessments), and the consent named is the one that released that class.
    """
    seen: dict[str, list[str]] = {}
    classes: dict[str, str] = {}
    for row, source in found:
        if row.fhir_participant is not None:
            key = str(row.fhir_participant)
            seen.setdefault(key, []).append(str(row.pk))
            classes.setdefault(key, source_data_class(rtype, source) or "")
    for participant_id, ids in seen.items():
        extra: dict[str, Any] = {"token": str(principal.token.pk), "ids": ids[:50], **detail}
        if principal.is_patient:
            # The participant's own access through an app they chose: a right-of-access release,
            # not a disclosure; the app is named on the event.
            extra["app"] = principal.app_client_id()
            extra["right_of_access"] = True
        if principal.is_system:
            data_class = classes[participant_id]
            consent_id = principal.consents_for(data_class)[participant_id]
            disclosure = services.disclosure_record(
                token=principal.token,
                participant_id=participant_id,
                consent_id=consent_id,
                data_class=data_class,
                refs=[{"data_class": data_class, "type": rtype.name, "id": i} for i in ids],
            )
            extra |= {
                "recipient": str(principal.token.recipient_id),
                "purpose": principal.token.purpose,
                "consent": consent_id,
                "disclosure": str(disclosure.pk),
            }
        audit_record(
            action=Action.DISCLOSE if principal.is_system else action,
            participant=Participant(pk=participant_id),
            object_type=f"fhir:{rtype.name}",
            object_id=ids[0] if len(ids) == 1 else "",
            detail=extra,
            **principal.audit_actor(),
        )


@fhir_endpoint("GET")
def metadata(request: HttpRequest) -> HttpResponse:
    return fhir_response(capability_statement(base_url(request)))


# Definitions (Questionnaire) change only with a release: their lastUpdated is when this server loaded them.
DEFINITIONS_LOADED = timezone.now()


def static_resources(rtype: ResourceType) -> list[dict[str, Any]]:
    assert rtype.static is not None
    out = []
    for resource in rtype.static():
        resource.setdefault("meta", {})["lastUpdated"] = instant(DEFINITIONS_LOADED)
        out.append(resource)
    return out


def _static_matches(rtype: ResourceType, q: search.Query) -> list[dict[str, Any]]:
    found = static_resources(rtype)
    if q.ids is not None:
        found = [r for r in found if r["id"] in q.ids]
    if q.codes is not None:
        found = [r for r in found if r["id"] in q.codes]
    if q.statuses is not None:
        unknown = [s for s in q.statuses if s != "active"]
        if unknown:
            raise FhirError(400, f"status={unknown[0]!r}: {rtype.name} is only active.", expression="status")
    compare = {
        "gte": operator.ge,
        "gt": operator.gt,
        "lt": operator.lt,
        "lte": operator.le,
        "exact": operator.eq,
    }
    for _, prefix, value in q.updated:
        for lookup, bound in search.bounds(prefix, value, True):
            if not compare[lookup](DEFINITIONS_LOADED, bound):
                return []
    return found


@fhir_endpoint("GET")
def read(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    rtype = _type(resource_type)
    principal = authenticate(request)
    principal.require(rtype.name, search=False)
    if rtype.static is not None:
        resource = next((r for r in static_resources(rtype) if r["id"] == resource_id), None)
        if resource is None:
            raise FhirError(404, f"{rtype.name}/{resource_id} is not here.")
        audit_record(
            action=Action.READ,
            object_type=f"fhir:{rtype.name}",
            object_id=resource_id,
            detail={"token": str(principal.token.pk)},
            **principal.audit_actor(),
        )
        return fhir_response(resource)
    found = None
    for source in rtype.sources:
        qs = rows_for(principal, rtype, source)
        row = qs.filter(search.source_filter(rtype, source, search.Query(ids=[resource_id])) or []).first()
        if row is not None:
            found = (row, source)
            break
    if found is None:
        audit_record(
            action=Action.ACCESS_DENIED,
            object_type=f"fhir:{rtype.name}",
            object_id=resource_id[:80],
            outcome="denied",
            detail={"token": str(principal.token.pk), "found": False},
            **principal.audit_actor(),
        )
        raise FhirError(404, f"{rtype.name}/{resource_id} is not here.")
    row, source = found
    resource = resource_of(row, rtype, source, principal)
    if rtype.is_participant_data:
        _audit_disclosed(principal, rtype, [(row, source)], Action.READ, {})
    else:
        audit_record(
            action=Action.READ,
            object_type=f"fhir:{rtype.name}",
            object_id=str(row.pk),
            detail={"token": str(principal.token.pk)},
            **principal.audit_actor(),
        )
    return fhir_response(resource)


def page(principal: Principal, rtype: ResourceType, q: search.Query) -> tuple[int, list[tuple[Any, Any]]]:
    """The total and this page's (row, source) pairs, sources in order (drug screens, then instruments)."""
    querysets = []
    for source in rtype.sources:
        where = search.source_filter(rtype, source, q)
        if where is None:
            continue
        querysets.append((source, rows_for(principal, rtype, source).filter(where)))
    counts = [(source, qs, qs.count()) for source, qs in querysets]
    total = sum(c for *_, c in counts)
    out: list[tuple[Any, Any]] = []
    skip, want = q.offset, q.count
    for source, qs, count in counts:
        if skip >= count:
            skip -= count
            continue
        for row in qs[skip : skip + want - len(out)]:
            out.append((row, source))
        skip = 0
        if len(out) >= want:
            break
    return total, out


@fhir_endpoint("GET")
def search_type(request: HttpRequest, resource_type: str) -> HttpResponse:
    rtype = _type(resource_type)
    principal = authenticate(request)
    principal.require(rtype.name, search=True)
    q = search.parse(rtype, request.GET)
    base = base_url(request)
    if rtype.static is not None:
        matches = _static_matches(rtype, q)
        total, found = len(matches), [(r, None) for r in matches[q.offset : q.offset + q.count]]
    else:
        total, found = page(principal, rtype, q)

    def link(offset: int) -> str:
        params = [
            (k, value)
            for k, values in request.GET.lists()
            if k not in ("_offset", "_count")
            for value in values
        ]
        params += [("_count", str(q.count)), ("_offset", str(offset))]
        return f"{base}/{rtype.name}?{urlencode(params)}"

    links = [{"relation": "self", "url": link(q.offset)}]
    if q.offset + q.count < total:
        links.append({"relation": "next", "url": link(q.offset + q.count)})
    if q.offset > 0:
        links.append({"relation": "previous", "url": link(max(0, q.offset - q.count))})
    entries = [
        {
            "fullUrl": f"{base}/{rtype.name}/{row['id'] if source is None else row.pk}",
            "resource": row if source is None else resource_of(row, rtype, source, principal),
            "search": {"mode": "match"},
        }
        for row, source in found
    ]
    included = _included_patients(principal, found) if q.include_patient else []
    entries += [
        {
            "fullUrl": f"{base}/Patient/{row.pk}",
            "resource": resource_of(row, TYPES["Patient"], source, principal),
            "search": {"mode": "include"},
        }
        for row, source in included
    ]
    if principal.is_system and rtype.is_participant_data and entries:
        # 42 CFR 2.32: a disclosure under consent carries the redisclosure notice.
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
    rows = [(row, source) for row, source in found if source is not None]
    query = request.GET.urlencode()[:500]
    audit_record(
        action=Action.SEARCH,
        object_type=f"fhir:{rtype.name}",
        detail={"token": str(principal.token.pk), "query": query, "total": total, "returned": len(rows)},
        **principal.audit_actor(),
    )
    if rtype.is_participant_data:
        _audit_disclosed(principal, rtype, rows, Action.READ, {"query": query})
    if included:
        _audit_disclosed(
            principal, TYPES["Patient"], included, Action.READ, {"query": query, "include": True}
        )
    return fhir_response(bundle)


def _included_patients(principal: Principal, found: list) -> list[tuple[Any, Any]]:
    """`_include=…:patient`: the Patients this page's rows are about, each passing the Patient rule
    (the caller's access, or for a client the consent releasing demographics); others are left out."""
    patient_type = TYPES["Patient"]
    if not scope_allows(principal, "Patient"):
        return []
    ids = {row.fhir_participant for row, source in found if source is not None and row.fhir_participant}
    if not ids:
        return []
    source = patient_type.sources[0]
    return [(row, source) for row in rows_for(principal, patient_type, source).filter(pk__in=ids)]


def scope_allows(principal: Principal, resource: str) -> bool:
    from bridge.fhir import scopes as scope_rules

    return scope_rules.allows(principal.scopes, resource, search=False)
