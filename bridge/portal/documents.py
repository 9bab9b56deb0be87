"""The participant's documents in their app: what waits for their signature (signed in the app, the
same ESIGN/UETA signature event as through a private link), copies of what they signed, the notice of
privacy practices, and the copy of their records once the program has produced it.

Reads: each record reached by id must be the participant's own (else 404, like an id that does not
exist). Writes and downloads go through the functions here, each audited with the participant as the
actor (`PortalActor`, "participant app").
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.portal.models import ParticipantAccount
from bridge.portal.services import PortalActor
from bridge.privacy import signing
from bridge.privacy.access_requests import access_request_delivered_in_app
from bridge.privacy.models import AccessRequest, Consent, NoticeAcknowledgement, SignatureRequest

# How the participant proved who they are when they signed in (kept in their session).
SESSION_SIGNED_IN_WITH = "portal_signed_in_with"
SIGNED_IN_WITH_CODE = "one-time code sent to the contact on their record"
SIGNED_IN_WITH_PASSKEY = "their passkey"


def waiting(account: ParticipantAccount) -> list[SignatureRequest]:
    """Documents the program prepared for their signature that are still open."""
    return [
        s
        for s in SignatureRequest.objects.filter(
            participant_id=account.participant_id,
            status=SignatureRequest.Status.PENDING,
            expires_at__gt=timezone.now(),
        ).order_by("created_at")
    ]


def signed(account: ParticipantAccount) -> QuerySet[SignatureRequest]:
    return SignatureRequest.objects.filter(
        participant_id=account.participant_id, status=SignatureRequest.Status.SIGNED
    ).order_by("-signed_at")


def own_signature(request: HttpRequest, signature_id: uuid.UUID) -> SignatureRequest:
    """One of the participant's own documents (waiting or signed), else 404. A cancelled or expired
    request is gone from the app as from the private link."""
    account = request.portal_account  # type: ignore[attr-defined]
    found = (
        SignatureRequest.objects.select_related("participant", "program", "consent")
        .filter(pk=signature_id, participant_id=account.participant_id)
        .first()
    )
    if found is None or not (
        found.status == SignatureRequest.Status.SIGNED or found.is_open_at(timezone.now())
    ):
        raise Http404("No such document.")
    return found


def own_copy(request: HttpRequest, request_id: uuid.UUID) -> AccessRequest:
    """The participant's own copy of their records, once produced, else 404."""
    account = request.portal_account  # type: ignore[attr-defined]
    found = AccessRequest.objects.filter(
        pk=request_id, participant_id=account.participant_id, package__isnull=False
    ).first()
    if found is None:
        raise Http404("No copy yet.")
    return found


def document_sign(
    *,
    account: ParticipantAccount,
    signature: SignatureRequest,
    signed_in_with: str,
    typed_name: str,
    agreed: bool,
    ip_address: str | None,
    user_agent: str,
) -> Consent | NoticeAcknowledgement | SignatureRequest:
    """The participant signs in their app: the privacy app's signature event, identified by their
    sign-in instead of a date of birth, audited with the participant as the actor."""
    return signing.signature_sign_in_app(
        request=signature,
        actor=PortalActor(account),
        signed_in_with=signed_in_with,
        typed_name=typed_name,
        agreed=agreed,
        ip_address=ip_address,
        user_agent=user_agent,
    )


def copy_download(*, account: ParticipantAccount, copy: AccessRequest, fmt: str) -> None:
    """The participant downloads the copy of their records (HIPAA right of access, 45 CFR 164.524).

    Audited as an export to the participant themself. It is not a disclosure: a copy given to the
    person the records are about is not entered in the accounting of disclosures (164.528(a)(1)(iii)),
    so no Disclosure row is written. The first download is the copy's delivery (the request is
    marked delivered, "downloaded in the app", and the director's 30-day clock item closes).
    """
    with transaction.atomic():
        audit_record(
            action=Action.EXPORT,
            actor=PortalActor(account),
            participant=account.participant,
            object_type="access_request",
            object_id=str(copy.pk),
            detail={"to": "participant", "where": "participant app", "format": fmt},
        )
        access_request_delivered_in_app(actor=PortalActor(account), request=copy)
