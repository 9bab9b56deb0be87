"""Part 2 releases over the JSON API: ask the decision point, prepare a disclosure, fetch its FHIR Bundle.

The same decision point as the pages decides; the same audit events are written. A refusal is 403
with `code: "no_applicable_consent"`, whatever the reason and whether or not any data exists.
"""

from __future__ import annotations

import json
import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from ninja import Field, Router, Schema, Status

from bridge.accounts.http import StaffRequest
from bridge.api.auth import staff_auth
from bridge.api.errors import ApiError, Error, refused_as_400
from bridge.core.dates import AnyDate
from bridge.participants.access import Cap, participant_for
from bridge.privacy import policy, services
from bridge.privacy.models import Disclosure, Recipient
from bridge.privacy.vocab import Channel, DataClass, Purpose

API_PREFIX = "/privacy/"
router = Router(tags=["privacy"], auth=staff_auth)


class DecisionIn(Schema):
    participant: uuid.UUID
    recipient: uuid.UUID
    purpose: Purpose
    data_classes: list[DataClass] = Field(..., min_length=1)


class DecisionOut(Schema):
    permit: bool
    code: str
    reasons: list[str]
    data_classes: list[str]
    consent: uuid.UUID | None = None


class DisclosureIn(DecisionIn):
    date_from: AnyDate
    date_to: AnyDate
    channel: Channel


class DisclosureOut(Schema):
    id: uuid.UUID
    outcome: str
    recipient: str
    purpose: str
    data_classes: list[str]
    description: str
    consent: uuid.UUID | None
    records: int
    notice: str
    consent_summary: str
    bundle_url: str


def _participant(request: StaffRequest, participant_id, cap: Cap, **audit):
    try:
        return participant_for(request, participant_id, cap=cap, **audit)
    except Http404 as exc:
        raise ApiError(404, "No participant here.", field="participant", code="not_found") from exc
    except PermissionDenied as exc:
        raise ApiError(403, "Your role does not allow this for this participant.", code="forbidden") from exc


def _recipient(participant, recipient_id) -> Recipient:
    recipient = Recipient.objects.filter(pk=recipient_id, program_id=participant.program_id).first()
    if recipient is None:
        raise ApiError(400, "No such recipient in the participant's program.", field="recipient")
    return recipient


def _refused(reasons) -> ApiError:
    return ApiError(403, " ".join(reasons), code=policy.DENY)


@router.post("/decisions", response={200: DecisionOut, 400: Error, 403: Error, 404: Error})
def decision(request: StaffRequest, payload: DecisionIn):
    """Would this release be permitted? (Audited like every decision; nothing is released.)"""
    participant = _participant(request, payload.participant, Cap.DOCUMENT)
    recipient = _recipient(participant, payload.recipient)
    d = policy.decide(
        actor=request.user,
        participant=participant,
        recipient=recipient,
        purpose=payload.purpose,
        data_classes=[str(c) for c in payload.data_classes],
        channel=Channel.ELECTRONIC,
    )
    return DecisionOut(
        permit=d.permit,
        code=d.code,
        reasons=list(d.reasons),
        data_classes=list(d.data_classes),
        consent=d.consent.pk if d.consent else None,
    )


@router.post("/disclosures", response={201: DisclosureOut, 400: Error, 403: Error, 404: Error})
def disclosure_create(request: StaffRequest, payload: DisclosureIn):
    """Prepare a disclosure: 201 with the package's summary, or 403 when no consent covers it (recorded)."""
    participant = _participant(request, payload.participant, Cap.DOCUMENT)
    recipient = _recipient(participant, payload.recipient)
    with refused_as_400():
        d = services.disclosure_prepare(
            actor=request.user,
            participant=participant,
            recipient=recipient,
            purpose=payload.purpose,
            data_classes=[str(c) for c in payload.data_classes],
            date_from=payload.date_from,
            date_to=payload.date_to,
            channel=payload.channel,
        )
    if d.outcome != Disclosure.Outcome.RELEASED:
        raise _refused(d.refusal_reasons)
    created = DisclosureOut(
        id=d.pk,
        outcome=d.outcome,
        recipient=d.recipient_name,
        purpose=d.purpose,
        data_classes=d.data_classes,
        description=d.description,
        consent=d.consent_id,
        records=len(d.records),
        notice=d.notice_text,
        consent_summary=d.consent_summary,
        bundle_url=f"/api/v1/privacy/disclosures/{d.pk}/bundle",
    )
    return Status(201, created)


@router.get("/disclosures/{disclosure_id}/bundle", response={200: dict, 403: Error, 404: Error})
def disclosure_bundle(request: StaffRequest, disclosure_id: uuid.UUID):
    """The disclosure's FHIR R4 Bundle (application/fhir+json), if its consent still allows it."""
    participant_id = (
        Disclosure.objects.filter(pk=disclosure_id).values_list("participant_id", flat=True).first()
        or uuid.uuid4()  # unknown disclosure: answer exactly as for a participant one may not see
    )
    _participant(request, participant_id, Cap.CHART, object_type="disclosure", object_id=str(disclosure_id))
    d = Disclosure.objects.select_related("recipient", "participant__program").get(pk=disclosure_id)
    decision = services.disclosure_copy(actor=request.user, disclosure=d, fmt="fhir")
    if not decision.permit or d.package is None:
        raise _refused(decision.reasons or ["Nothing was released in this disclosure."])
    return HttpResponse(json.dumps(d.package["bundle"], sort_keys=True), content_type="application/fhir+json")
