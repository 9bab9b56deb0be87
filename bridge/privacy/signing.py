"""The participant signs on a screen (ESIGN/UETA style), or staff attach the scan of a signed paper form.

`consent_signature_request` checks a prepared consent (every element except the signature), freezes
the exact text the participant will read and its SHA-256, and returns a private link (shown once).
`signature_sign` is the participant's act: date of birth to identify them, typed name, a ticked
"I agree"; it re-checks the document hash, records the consent (signed by the participant, today) and
the signature event, and audits it. `consent_attach_scan` keeps a scanned paper form with the consent
through Django's storage API.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from bridge.accounts.models import User
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.core.tokens import new_token, token_hash
from bridge.participants.models import Participant
from bridge.privacy import fhir, notices, rules, services, signers, statements
from bridge.privacy.models import Consent, NoticeAcknowledgement, Recipient, SignatureMethod, SignatureRequest
from bridge.privacy.vocab import DATA_CLASS_DESCRIPTIONS, ConsentType, DataClass, Purpose

LINK_HOURS = 72
# Documents whose signature event is the record itself (nothing else is created when signed).
DOCUMENT_KINDS = {SignatureRequest.Kind.AFTERCARE, SignatureRequest.Kind.PLAN}


def _on_signed(request: SignatureRequest) -> None:
    """Let the app that owns a signed document record the signature on it (the treatment plan's
    version takes the participant's signature). Apps offer `ON_SIGNED = {kind: callable}` in their
    `signed_documents` module, so privacy imports none of them. Runs in the signing transaction."""
    from bridge.core import registry

    for hooks in registry.discover("signed_documents", "ON_SIGNED"):
        hook = hooks.get(request.kind)
        if hook is not None:
            hook(request)


def document_hash(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _consent_document(participant: Participant, payload: dict) -> dict:
    """The consent exactly as the participant reads it on the screen (every element, every statement)."""
    recipients = Recipient.objects.filter(pk__in=payload["recipients"]).order_by("name")
    names = [f"{r.name} ({r.get_kind_display()}), {r.address}" for r in recipients]
    if payload["consent_type"] == ConsentType.TPO:
        names.append(fhir.TPO_CLASS_TEXT)
    expiry = " or ".join(x for x in (payload.get("expires_on") or "", payload.get("expiry_event") or "") if x)
    elements = [
        ["Participant", payload["patient_name"]],
        ["Kind of consent", ConsentType(payload["consent_type"]).label],
        ["Who may disclose", payload["discloser"]],
        [
            "What information",
            "; ".join(
                f"{DataClass(c).label} ({DATA_CLASS_DESCRIPTIONS[c]})" for c in payload["data_classes"]
            ),
        ],
        ["Who may receive it", "; ".join(names)],
        ["Purpose", ", ".join(Purpose(p).label for p in payload["purposes"])],
        ["This consent expires", expiry],
    ]
    for key, label in (
        ("cj_agency", "Referred by (criminal justice agency)"),
        ("cj_period", "In effect for"),
        ("proceeding", "Only for the proceeding"),
    ):
        if payload.get(key):
            elements.append([label, payload[key]])
    return {
        "title": f"{ConsentType(payload['consent_type']).label} consent",
        "elements": elements,
        "statements": statements.statements_for(
            payload["consent_type"],
            required_at_admission=services.tpo_required_at_admission(participant.program),
        ),
        "version": statements.STATEMENTS_VERSION,
    }


def consent_signature_request(
    *, actor: User, participant: Participant, channel: str, consent: dict
) -> tuple[SignatureRequest, str]:
    """Prepare a consent for the participant's signature on a screen; returns (request, token).

    `consent` holds consent_record's arguments without the signature. Every other element must be
    complete (ValidationError naming each); only the participant themself may sign on a screen, so a
    consent that needs a parent's signature too is refused with the rule.
    """
    if channel not in SignatureRequest.Channel.values:
        raise ValidationError({"channel": "Choose where the participant signs."})
    today = timezone.localdate(timezone=participant.program.tz)
    who = services.consent_signers(participant, today)
    if signers.PARENT in who.required:
        raise ValidationError({"__all__": f"Sign this consent on paper with the parent present. {who.rule}"})
    recipients: list[Recipient] = list(consent.get("recipients") or [])
    if any(r.program_id != participant.program_id for r in recipients):
        raise ValidationError({"recipients": "Recipients must belong to the participant's program."})
    payload = {
        "consent_type": consent["consent_type"],
        "patient_name": consent["patient_name"].strip(),
        "discloser": consent["discloser"].strip(),
        "data_classes": [c for c in DataClass.values if c in set(consent["data_classes"])],
        "recipients": [str(r.pk) for r in recipients],
        "purposes": [p for p in Purpose.values if p in set(consent["purposes"])],
        "expires_on": consent["expires_on"].isoformat() if consent.get("expires_on") else None,
        "expiry_event": (consent.get("expiry_event") or "").strip(),
        "intermediary_name": consent.get("intermediary_name") or "",
        "intermediary_members": consent.get("intermediary_members") or "",
        "intermediary_treating_providers_only": bool(consent.get("intermediary_treating_providers_only")),
        "cj_agency": consent.get("cj_agency") or "",
        "cj_period": consent.get("cj_period") or "",
        "proceeding": consent.get("proceeding") or "",
    }
    draft = rules.ConsentDraft(
        consent_type=payload["consent_type"],
        patient_name=payload["patient_name"],
        discloser=payload["discloser"],
        data_classes=frozenset(payload["data_classes"]),
        tpo_class=payload["consent_type"] == ConsentType.TPO,
        recipient_count=len(recipients),
        intermediary_name=payload["intermediary_name"],
        intermediary_members=payload["intermediary_members"],
        intermediary_treating_providers_only=payload["intermediary_treating_providers_only"],
        purposes=frozenset(payload["purposes"]),
        expires_on=consent.get("expires_on"),
        expiry_event=payload["expiry_event"],
        signature_name="(signed on screen)",
        signed_on=today,
        cj_agency=payload["cj_agency"],
        cj_period=payload["cj_period"],
        proceeding=payload["proceeding"],
    )
    problems = rules.missing_elements(draft, today=today)
    if problems:
        raise ValidationError(problems)
    return _open_request(
        actor=actor,
        participant=participant,
        kind=SignatureRequest.Kind.CONSENT,
        channel=channel,
        payload=payload,
        document=_consent_document(participant, payload),
    )


def notice_signature_request(
    *, actor: User, participant: Participant, channel: str
) -> tuple[SignatureRequest, str]:
    """Prepare the program's current notice of privacy practices for the participant's written
    acknowledgement on a screen (45 CFR 164.520(c)(2)(ii)); returns (request, token)."""
    if channel not in SignatureRequest.Channel.values:
        raise ValidationError({"channel": "Choose where the participant signs."})
    notice = notices.current_notice(participant.program)
    if notice is None:
        raise ValidationError({"__all__": "The program has not published a notice of privacy practices yet."})
    document = {
        "title": "Notice of privacy practices: acknowledgement of receipt",
        "elements": [
            ["Participant", participant.legal_name],
            ["Program", participant.program.name],
            ["Version", f"{notice.version}, in effect from {notice.effective_on.isoformat()}"],
            ["Fingerprint of the notice (SHA-256)", notice.text_sha256],
        ],
        "statements": [p.strip() for p in notice.text.split("\n\n") if p.strip()]
        + ["By signing you say that you received this notice. You do not have to agree with it."],
        "version": notice.version,
    }
    return _open_request(
        actor=actor,
        participant=participant,
        kind=SignatureRequest.Kind.NOTICE,
        channel=channel,
        payload={"notice": str(notice.pk)},
        document=document,
    )


def document_signature_request(
    *, actor: User, participant: Participant, channel: str, kind: str, payload: dict, document: dict
) -> tuple[SignatureRequest, str]:
    """Prepare a document whose signature event is itself the record (a plan: `payload` names it and
    its version; `document` is {"title", "elements", "statements"} as the participant reads it)."""
    if kind not in DOCUMENT_KINDS:
        raise ValidationError({"kind": "This kind of document is signed through its own request."})
    if channel not in SignatureRequest.Channel.values:
        raise ValidationError({"channel": "Choose where the participant signs."})
    return _open_request(
        actor=actor, participant=participant, kind=kind, channel=channel, payload=payload, document=document
    )


def _open_request(
    *, actor: User, participant: Participant, kind: str, channel: str, payload: dict, document: dict
) -> tuple[SignatureRequest, str]:
    token = new_token()
    now = timezone.now()
    with transaction.atomic():
        request = SignatureRequest(
            participant=participant,
            program=participant.program,
            kind=kind,
            channel=channel,
            payload=payload,
            document=document,
            document_hash=document_hash(document),
            token_hash=token_hash(token),
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(hours=LINK_HOURS),
        )
        request.full_clean()
        request.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="signature_request",
            object_id=str(request.pk),
            detail={"kind": request.kind, "channel": channel, "document_sha256": request.document_hash},
        )
    return request, token


def signature_for_token(token: str) -> SignatureRequest | None:
    """The open request behind a private link, or None (unknown, signed, cancelled or expired)."""
    found = (
        SignatureRequest.objects.select_related("participant", "program", "created_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if found is None or not found.is_open_at(timezone.now()):
        return None
    return found


def signature_sign(
    *,
    request: SignatureRequest,
    date_of_birth: date | None,
    typed_name: str,
    agreed: bool,
    ip_address: str | None = None,
    user_agent: str = "",
) -> Consent | NoticeAcknowledgement | SignatureRequest:
    """The participant signs: identified by date of birth; typed name and a ticked "I agree" are the
    signature. Records what the document creates (the consent, signed today by the participant, or the
    notice acknowledgement) and the signature event (for a plan, the event is the record)."""
    participant = request.participant
    problems = {}
    if date_of_birth != participant.date_of_birth:
        problems["date_of_birth"] = gettext_lazy(
            "That date of birth does not match our records. Ask the staff for help."
        )
    if not typed_name.strip():
        problems["typed_name"] = gettext_lazy("Type your full name to sign.")
    if not agreed:
        problems["agreed"] = gettext_lazy("Tick the box to say you agree and sign.")
    if problems:
        if "date_of_birth" in problems:
            audit_record(
                action=Action.ACCESS_DENIED,
                actor=None,
                actor_label="signature link",
                participant=participant,
                object_type="signature_request",
                object_id=str(request.pk),
                outcome=Outcome.DENIED,
                detail={"reason": "date of birth did not match"},
            )
        raise ValidationError(problems)
    return _complete(
        request=request,
        typed_name=typed_name,
        identified_how=f"Private link ({request.get_channel_display().lower()}) and date of birth matched",
        actor=None,
        actor_label="participant (signature link)",
        ip_address=ip_address,
        user_agent=user_agent,
    )


def signature_sign_in_app(
    *,
    request: SignatureRequest,
    actor: object,
    signed_in_with: str,
    typed_name: str,
    agreed: bool,
    ip_address: str | None = None,
    user_agent: str = "",
) -> Consent | NoticeAcknowledgement | SignatureRequest:
    """The participant signs in their own app: already identified by their sign-in (a one-time code to
    the contact on their record, or their passkey), so no date of birth is asked. The same signature
    event as through the private link; `actor` is the app's participant actor (audited as such)."""
    problems = {}
    if not typed_name.strip():
        problems["typed_name"] = gettext_lazy("Type your full name to sign.")
    if not agreed:
        problems["agreed"] = gettext_lazy("Tick the box to say you agree and sign.")
    if problems:
        raise ValidationError(problems)
    return _complete(
        request=request,
        typed_name=typed_name,
        identified_how=f"Signed in to their Bridge app ({signed_in_with})"[:200],
        actor=actor,
        actor_label=None,
        ip_address=ip_address,
        user_agent=user_agent,
    )


def _complete(
    *,
    request: SignatureRequest,
    typed_name: str,
    identified_how: str,
    actor: object,
    actor_label: str | None,
    ip_address: str | None,
    user_agent: str,
) -> Consent | NoticeAcknowledgement | SignatureRequest:
    participant = request.participant
    if document_hash(request.document) != request.document_hash:
        raise ValidationError({"__all__": "This document changed after it was prepared. Ask for a new link."})
    today = timezone.localdate(timezone=participant.program.tz)
    with transaction.atomic():
        locked = SignatureRequest.objects.select_for_update().get(pk=request.pk)
        if not locked.is_open_at(timezone.now()):
            raise ValidationError({"__all__": "This link has already been used or has expired."})
        record: Consent | NoticeAcknowledgement | SignatureRequest
        if locked.kind == SignatureRequest.Kind.NOTICE:
            record = _acknowledge(request=locked, typed_name=typed_name.strip(), today=today)
            locked.acknowledgement = record
            object_type = "notice_acknowledgement"
        elif locked.kind in DOCUMENT_KINDS:
            record, object_type = locked, "signature_request"
        else:
            record = _sign_consent(request=locked, typed_name=typed_name.strip(), today=today)
            locked.consent = record
            object_type = "consent"
        locked.status = SignatureRequest.Status.SIGNED
        locked.signed_at = timezone.now()
        locked.signer_name = typed_name.strip()
        locked.identified_how = identified_how
        locked.user_agent = user_agent[:300]
        locked.ip_address = ip_address
        locked.full_clean()
        locked.save()
        if locked.kind in DOCUMENT_KINDS:
            _on_signed(locked)
        audit_record(
            action=Action.SIGN,
            actor=actor,
            actor_label=actor_label,
            participant=participant,
            object_type=object_type,
            object_id=str(record.pk),
            detail={
                "signature_request": str(locked.pk),
                "document_sha256": locked.document_hash,
                "identified_how": locked.identified_how,
                "channel": locked.channel,
                **({"signed": locked.payload} if locked.kind in DOCUMENT_KINDS else {}),
            },
        )
    return record


def _acknowledge(*, request: SignatureRequest, typed_name: str, today: date) -> NoticeAcknowledgement:
    """The acknowledgement of exactly the version shown: a newer notice published since needs a new link."""
    notice = notices.current_notice(request.participant.program, today)
    if notice is None or str(notice.pk) != request.payload.get("notice"):
        raise ValidationError(
            {"__all__": "A newer notice was published since this link was made. Ask for a new link."}
        )
    return notices.notice_acknowledge(
        actor=request.created_by,
        participant=request.participant,
        outcome=NoticeAcknowledgement.Outcome.ACKNOWLEDGED,
        given_on=today,
        signer_name=typed_name,
    )


def _sign_consent(*, request: SignatureRequest, typed_name: str, today: date) -> Consent:
    payload = request.payload
    participant = request.participant
    consent = services.consent_record(
        actor=request.created_by,
        participant=participant,
        consent_type=payload["consent_type"],
        patient_name=payload["patient_name"],
        discloser=payload["discloser"],
        data_classes=payload["data_classes"],
        recipients=list(Recipient.objects.filter(pk__in=payload["recipients"])),
        purposes=payload["purposes"],
        signature_name=typed_name.strip(),
        signed_on=today,
        expires_on=date.fromisoformat(payload["expires_on"]) if payload.get("expires_on") else None,
        expiry_event=payload["expiry_event"],
        intermediary_name=payload["intermediary_name"],
        intermediary_members=payload["intermediary_members"],
        intermediary_treating_providers_only=payload["intermediary_treating_providers_only"],
        cj_agency=payload["cj_agency"],
        cj_period=payload["cj_period"],
        proceeding=payload["proceeding"],
    )
    consent.signature_method = SignatureMethod.ELECTRONIC
    consent.save(update_fields=["signature_method"])
    return consent


def consent_attach_scan(*, actor: User, consent: Consent, upload) -> Consent:
    """Keep the scan of the signed paper form with the consent (Django's storage API)."""
    if consent.signed_document:
        raise ValidationError({"document": "A scan is already attached; it is kept as the record."})
    name = (upload.name or "").lower()
    if not name.endswith((".pdf", ".png", ".jpg", ".jpeg")):
        raise ValidationError({"document": "Attach a PDF or an image (PNG, JPEG)."})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        consent.signed_document.save(upload.name, upload, save=False)
        if consent.signature_method == SignatureMethod.STAFF_RECORDED:
            consent.signature_method = SignatureMethod.PAPER_SCAN
        consent.save(update_fields=["signed_document", "signature_method"])
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=consent.participant,
            object_type="consent",
            object_id=str(consent.pk),
            detail={"signed_document_sha256": digest.hexdigest()},
        )
    return consent
