"""Every write in the privacy app, atomic and audited: recipients, consents, disclosures, emergency access."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bridge.accounts.models import Role, User
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.participants.models import Participant
from bridge.privacy import bases, packages, policy, rules, signers, statements
from bridge.privacy.models import Consent, Disclosure, EmergencyAccess, Recipient
from bridge.privacy.vocab import Channel, ConsentType, DataClass, Purpose, RecipientKind
from bridge.programs.models import Program
from bridge.worklist.models import WorkItem
from bridge.worklist.services import work_item_open, work_item_resolve

# ---- recipients -------------------------------------------------------------------------------


def recipient_create(*, actor: User, program: Program, name: str, kind: str, address: str) -> Recipient:
    with transaction.atomic():
        if Recipient.objects.filter(program=program, name__iexact=name.strip()).exists():
            raise ValidationError({"name": "A recipient with this name already exists; choose it instead."})
        recipient = Recipient(
            program=program, name=name.strip(), kind=kind, address=address.strip(), created_by=actor
        )
        recipient.full_clean()
        recipient.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            object_type="recipient",
            object_id=str(recipient.pk),
            detail={"kind": kind},
        )
    return recipient


def recipient_update(
    *, actor: User, recipient: Recipient, name: str, kind: str, address: str, is_active: bool
):
    changes = {"name": name.strip(), "kind": kind, "address": address.strip(), "is_active": is_active}
    changed = [k for k, v in changes.items() if getattr(recipient, k) != v]
    if not changed:
        return []
    with transaction.atomic():
        if (
            "name" in changed
            and Recipient.objects.filter(program=recipient.program, name__iexact=changes["name"])
            .exclude(pk=recipient.pk)
            .exists()
        ):
            raise ValidationError({"name": "Another recipient already has this name."})
        for k in changed:
            setattr(recipient, k, changes[k])
        recipient.full_clean()
        recipient.save(update_fields=changed)
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            object_type="recipient",
            object_id=str(recipient.pk),
            detail={"fields": sorted(changed)},
        )
    return changed


# ---- consents ---------------------------------------------------------------------------------


def consent_signers(participant: Participant, on: date | None) -> signers.Signers:
    """Who signs this participant's consents on `on`: their age then and the program's state decide."""
    day = on or timezone.localdate(timezone=participant.program.tz)
    return signers.signers_for(
        age=participant.age_on(day),
        state=participant.program.state,
        overrides=getattr(settings, "BRIDGE_MINOR_CONSENT_RULES", None),
    )


def tpo_required_at_admission(program: Program) -> bool:
    """Does the program require the TPO consent at admission (so "no conditioning" would be untrue)?"""
    return bool(getattr(settings, "BRIDGE_TPO_REQUIRED_AT_ADMISSION", True))


def consent_record(
    *,
    actor: User,
    participant: Participant,
    consent_type: str,
    patient_name: str,
    discloser: str,
    data_classes: list[str],
    recipients: list[Recipient],
    purposes: list[str],
    signature_name: str,
    signed_on: date,
    expires_on: date | None = None,
    expiry_event: str = "",
    signer: str = Consent.Signer.PARTICIPANT,
    representative_authority: str = "",
    intermediary_name: str = "",
    intermediary_members: str = "",
    intermediary_treating_providers_only: bool = False,
    new_recipient: tuple[str, str, str] | None = None,
    cj_agency: str = "",
    cj_period: str = "",
    proceeding: str = "",
    parent_signature_name: str = "",
    parent_relationship: str = "",
) -> Consent:
    """Record a signed consent. Refuses (ValidationError naming each element) if anything is missing.

    A criminal-justice consent (42 CFR 2.35) names the referring agency, the period and the event
    until which it cannot be revoked, and only recipients of the criminal justice system; a
    proceedings consent names its proceeding and has no other purpose.

    `new_recipient` (name, kind, address) adds a recipient to the program and names it on the consent.
    A new TPO consent replaces the participant's current one (kept, marked as replaced).
    """
    if any(r.program_id != participant.program_id for r in recipients):
        raise ValidationError({"recipients": "Recipients must belong to the participant's program."})
    if consent_type == ConsentType.CRIMINAL_JUSTICE:
        kinds = {r.kind for r in recipients} | ({new_recipient[1]} if new_recipient else set())
        if kinds - {RecipientKind.COURT}:
            raise ValidationError(
                {"recipients": "A criminal-justice consent names only courts, probation or parole (2.35)."}
            )
    who = consent_signers(participant, signed_on)
    refusal = signers.refusal(
        who,
        participant_signed=signer == Consent.Signer.PARTICIPANT,
        parent_signed=bool(parent_signature_name.strip()),
        representative=signer == Consent.Signer.REPRESENTATIVE,
    )
    if refusal:
        field = "parent_signature_name" if "must sign too" in refusal else "signer"
        raise ValidationError({field: refusal})
    if parent_signature_name.strip() and not parent_relationship.strip():
        raise ValidationError({"parent_relationship": "Say how the co-signer is related (parent, guardian)."})
    consent = Consent(
        participant=participant,
        program=participant.program,
        consent_type=consent_type,
        patient_name=patient_name.strip(),
        discloser=discloser.strip(),
        data_classes=[c for c in DataClass.values if c in set(data_classes)],
        tpo_class=consent_type == ConsentType.TPO,
        intermediary_name=intermediary_name.strip(),
        intermediary_members=intermediary_members.strip(),
        intermediary_treating_providers_only=intermediary_treating_providers_only,
        purposes=[p for p in Purpose.values if p in set(purposes)],
        expires_on=expires_on,
        expiry_event=expiry_event.strip(),
        cj_agency=cj_agency.strip() if consent_type == ConsentType.CRIMINAL_JUSTICE else "",
        cj_period=cj_period.strip() if consent_type == ConsentType.CRIMINAL_JUSTICE else "",
        proceeding=proceeding.strip() if consent_type == ConsentType.PROCEEDINGS else "",
        statements=statements.statements_for(
            consent_type, required_at_admission=tpo_required_at_admission(participant.program)
        ),
        statements_version=statements.STATEMENTS_VERSION,
        signer=signer,
        signature_name=signature_name.strip(),
        representative_authority=representative_authority.strip()
        if signer != Consent.Signer.PARTICIPANT
        else "",
        parent_signature_name=parent_signature_name.strip(),
        parent_relationship=parent_relationship.strip() if parent_signature_name.strip() else "",
        signed_on=signed_on,
        recorded_by=actor,
    )
    today = timezone.localdate(timezone=participant.program.tz)
    unknown = (set(data_classes) - set(DataClass.values)) | (set(purposes) - set(Purpose.values))
    if unknown:
        raise ValidationError({"__all__": f"Unknown choices: {', '.join(sorted(unknown))}."})
    count = len(recipients) + (1 if new_recipient else 0)
    problems = rules.missing_elements(consent.draft(recipient_count=count), today=today)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        if new_recipient:
            name, kind, address = new_recipient
            recipients = [
                *recipients,
                recipient_create(
                    actor=actor, program=participant.program, name=name, kind=kind, address=address
                ),
            ]
        now = timezone.now()
        replaced = []
        if consent_type == ConsentType.TPO:
            replaced = list(
                Consent.objects.select_for_update().filter(
                    participant=participant, consent_type=ConsentType.TPO, status=Consent.Status.ACTIVE
                )
            )
            for old in replaced:
                old.status = Consent.Status.SUPERSEDED
                old.ended_at, old.ended_on, old.ended_by = now, today, actor
                old.end_note = "Replaced by a newer treatment, payment and operations consent."
                old.save(update_fields=["status", "ended_at", "ended_on", "ended_by", "end_note"])
        consent.full_clean()
        consent.save()
        consent.recipients.set(recipients)
        for old in replaced:
            old.superseded_by = consent
            old.save(update_fields=["superseded_by"])
            audit_record(
                action=Action.UPDATE,
                actor=actor,
                participant=participant,
                object_type="consent",
                object_id=str(old.pk),
                detail={"status": Consent.Status.SUPERSEDED, "superseded_by": str(consent.pk)},
            )
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="consent",
            object_id=str(consent.pk),
            detail={
                "consent_type": consent_type,
                "data_classes": consent.data_classes,
                "purposes": consent.purposes,
                "recipients": [str(r.pk) for r in recipients],
                "tpo_class": consent.tpo_class,
            },
        )
    return consent


def _end(consent: Consent, *, actor: object, status: str, on: date, note: str, received: str = "") -> Consent:
    # `actor` is a staff User, or the participant acting in their own app (not a User: no `ended_by`).
    if consent.status != Consent.Status.ACTIVE:
        raise ValidationError(
            {"__all__": f"This consent has already ended ({consent.get_status_display()})."}
        )
    today = timezone.localdate(timezone=consent.program.tz)
    if on > today:
        raise ValidationError({"on": "The date cannot be in the future."})
    if on < consent.signed_on:
        raise ValidationError({"on": "The date is before the consent was signed."})
    with transaction.atomic():
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if locked.status != Consent.Status.ACTIVE:
            raise ValidationError({"__all__": "This consent has already ended."})
        consent.status = status
        consent.ended_at = timezone.now()
        consent.ended_on = on
        consent.ended_by = actor if isinstance(actor, User) else None
        consent.end_note = note.strip()
        consent.revocation_received = received
        consent.full_clean()
        consent.save(
            update_fields=["status", "ended_at", "ended_on", "ended_by", "end_note", "revocation_received"]
        )
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=consent.participant,
            object_type="consent",
            object_id=str(consent.pk),
            detail={"status": status, "ended_on": on, **({"received": received} if received else {})},
        )
    return consent


def consent_revoke(*, actor: object, consent: Consent, received_on: date, received_how: str, note: str = ""):
    """The participant revoked the consent in writing: it stops applying at once."""
    if received_how not in Consent.RevocationReceived.values:
        raise ValidationError({"received_how": "Say how the written revocation was received."})
    if consent.consent_type == ConsentType.CRIMINAL_JUSTICE:
        raise ValidationError(
            {
                "__all__": (
                    f"A criminal-justice consent cannot be revoked before {consent.expiry_event} "
                    "(42 CFR 2.35(c)). Record that event under “The expiry event happened”; "
                    "it then ends, and no revocation is needed."
                )
            }
        )
    return _end(
        consent, actor=actor, status=Consent.Status.REVOKED, on=received_on, note=note, received=received_how
    )


def consent_revoke_in_app(*, actor: object, consent: Consent, typed_name: str, reason: str = "") -> Consent:
    """The participant revoked the consent in writing in their own app: their typed name signs the
    written revocation (42 CFR 2.31(a)(6)). `actor` is the participant's app actor, who must be the
    consent's participant. It stops applying at once: the decision point reads the status."""
    if getattr(actor, "participant", None) != consent.participant:
        raise ValidationError({"__all__": "Only the participant can revoke their consent in the app."})
    if not typed_name.strip():
        raise ValidationError({"typed_name": "Type your full name to sign the revocation."})
    note = f"Revoked by the participant in the Bridge app, signed “{typed_name.strip()}”."
    if reason.strip():
        note += f" Their words: {reason.strip()}"
    return consent_revoke(
        actor=actor,
        consent=consent,
        received_on=timezone.localdate(timezone=consent.program.tz),
        received_how=Consent.RevocationReceived.PORTAL,
        note=note,
    )


def consent_end_by_event(*, actor: User, consent: Consent, occurred_on: date, note: str) -> Consent:
    """The consent's expiry event happened (e.g. "end of probation"): it stops applying at once."""
    if not note.strip():
        raise ValidationError({"note": "Say what happened."})
    return _end(consent, actor=actor, status=Consent.Status.EXPIRED, on=occurred_on, note=note)


# ---- disclosures ------------------------------------------------------------------------------


def disclosure_prepare(
    *,
    actor: User,
    participant: Participant,
    recipient: Recipient,
    purpose: str,
    data_classes: list[str],
    date_from: date,
    date_to: date,
    channel: str,
    legal_basis: str = bases.CONSENT,
    basis_details: dict | None = None,
    basis_document=None,
) -> Disclosure:
    """Ask the decision point; when it permits build and record the package, else the refusal.

    `legal_basis` is consent unless said; a disclosure without consent brings the facts its basis
    requires (`basis_details`, see bases.py; refused with each missing fact named) and, for a court
    order or an agreement, the document (`basis_document`, an uploaded file kept with the record).
    """
    if legal_basis not in bases.BASES:
        raise ValidationError({"legal_basis": "Choose the legal basis of the disclosure."})
    details = {
        k: (v.isoformat() if isinstance(v, date) else v.strip() if isinstance(v, str) else v)
        for k, v in (basis_details or {}).items()
        if k in {f.name for f in bases.basis(legal_basis).fields} and v not in (None, "")
    }
    if legal_basis != bases.CONSENT:
        problems = bases.missing_fields(legal_basis, details)
        if bases.basis(legal_basis).needs_document and not basis_document:
            what = "court order" if legal_basis == bases.COURT_ORDER else "signed agreement"
            problems["basis_document"] = f"Attach a copy of the {what}."
        if problems:
            raise ValidationError(problems)
    if date_to < date_from:
        raise ValidationError({"date_to": "The end of the period is before its start."})
    if not data_classes:
        raise ValidationError({"data_classes": "Choose the information to disclose."})
    if recipient.program_id != participant.program_id:
        raise ValidationError({"recipient": "Choose a recipient of this participant's program."})
    if channel not in Channel.values:
        raise ValidationError({"channel": "Choose how the records are sent."})
    disclosure_id = uuid.uuid4()
    classes = [c for c in DataClass.values if c in set(data_classes)]
    with transaction.atomic():
        decision = policy.decide(
            actor=actor,
            participant=participant,
            recipient=recipient,
            purpose=purpose,
            data_classes=classes,
            channel=channel,
            object_type="disclosure",
            object_id=str(disclosure_id),
            basis=legal_basis,
            basis_details=details,
        )
        now = timezone.now()
        disclosure = Disclosure(
            id=disclosure_id,
            participant=participant,
            program=participant.program,
            recipient=recipient,
            recipient_name=recipient.name,
            recipient_address=recipient.address,
            purpose=purpose,
            data_classes=classes,
            date_from=date_from,
            date_to=date_to,
            description=packages.describe(classes, date_from, date_to),
            channel=channel,
            legal_basis=legal_basis,
            basis_details=details,
            requested_by=actor,
            created_at=now,
        )
        if basis_document:
            disclosure.basis_document.save(basis_document.name, basis_document, save=False)
        if decision.permit:
            package, refs = packages.build_package(
                disclosure_id=disclosure_id,
                participant=participant,
                consent=decision.consent,
                recipient=recipient,
                purpose=purpose,
                data_classes=decision.data_classes,
                date_from=date_from,
                date_to=date_to,
                created_at=now,
                basis=legal_basis,
                basis_details=details,
            )
            disclosure.outcome = Disclosure.Outcome.RELEASED
            disclosure.accountable = bases.basis(legal_basis).accountable
            if decision.consent is not None:
                disclosure.consent = decision.consent
                disclosure.consent_summary = packages.consent_summary(decision.consent)
            disclosure.notice_text = package["notice"]
            disclosure.notice_version = package["notice_version"]
            disclosure.records = refs
            disclosure.package = package
        else:
            disclosure.outcome = Disclosure.Outcome.REFUSED
            disclosure.refusal_reasons = list(decision.reasons)
        disclosure.full_clean()
        disclosure.save()
        audit_record(
            action=Action.DISCLOSE,
            actor=actor,
            participant=participant,
            object_type="disclosure",
            object_id=str(disclosure.pk),
            outcome=Outcome.SUCCESS if decision.permit else Outcome.DENIED,
            detail={
                "recipient": str(recipient.pk),
                "purpose": purpose,
                "data_classes": classes,
                "channel": channel,
                "consent": str(decision.consent.pk) if decision.consent else None,
                "basis": legal_basis,
                "accountable": disclosure.accountable,
                "records": len(disclosure.records),
            },
        )
    return disclosure


def disclosure_copy(*, actor: User, disclosure: Disclosure, fmt: str) -> policy.Decision:
    """Hand over the stored package again (PDF or FHIR): the decision point is asked again first.

    A consent revoked or expired since the disclosure stops any further copy from leaving.
    """
    decision = policy.decide(
        actor=actor,
        participant=disclosure.participant,
        recipient=disclosure.recipient if disclosure.outcome == Disclosure.Outcome.RELEASED else None,
        purpose=disclosure.purpose,
        data_classes=disclosure.data_classes,
        channel=disclosure.channel,
        object_type="disclosure",
        object_id=str(disclosure.pk),
        basis=disclosure.legal_basis,
        basis_details=disclosure.basis_details,
    )
    permitted = decision.permit and disclosure.package is not None
    audit_record(
        action=Action.EXPORT,
        actor=actor,
        participant=disclosure.participant,
        object_type="disclosure",
        object_id=str(disclosure.pk),
        outcome=Outcome.SUCCESS if permitted else Outcome.DENIED,
        detail={"format": fmt},
    )
    return decision


def participant_copy(
    *, actor: User, participant: Participant, what: str, object_id: str = ""
) -> policy.Decision:
    """A printout for the participant themself (their consent, their accounting): their right of access."""
    decision = policy.decide(
        actor=actor,
        participant=participant,
        recipient=None,
        purpose=Purpose.PARTICIPANT_REQUEST,
        data_classes=[],
        channel=Channel.HAND_DELIVERY,
        object_type=what,
        object_id=object_id,
    )
    audit_record(
        action=Action.EXPORT,
        actor=actor,
        participant=participant,
        object_type=what,
        object_id=object_id,
        outcome=Outcome.SUCCESS if decision.permit else Outcome.DENIED,
        detail={"to": "participant"},
    )
    return decision


# ---- emergency access (break the glass) -------------------------------------------------------


def emergency_access_open(*, actor: User, participant: Participant, reason: str) -> EmergencyAccess:
    """Open a time-limited emergency grant; tell the program's directors, who review it afterwards.

    The caller has checked `access.emergency_access_allowed`. The reason is kept on the grant; the
    audit event carries its SHA-256 (binding the reason to the tamper-evident log without copying
    what may be clinical detail into it).
    """
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Say what the emergency is (at least a few words)."})
    now = timezone.now()
    minutes = settings.BRIDGE_BREAK_GLASS_MINUTES
    with transaction.atomic():
        grant = EmergencyAccess(
            participant=participant,
            program=participant.program,
            user=actor,
            reason=reason,
            started_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
        grant.full_clean()
        grant.save()
        audit_record(
            action=Action.BREAK_GLASS,
            actor=actor,
            participant=participant,
            object_type="emergency_access",
            object_id=str(grant.pk),
            detail={
                "purpose": "BTG",
                "minutes": minutes,
                "expires_at": grant.expires_at,
                "reason_sha256": hashlib.sha256(reason.encode()).hexdigest(),
            },
        )
        directors = list(
            User.objects.filter(
                is_active=True, roles__program=participant.program, roles__role=Role.DIRECTOR
            ).distinct()
        )
        for director in directors:
            work_item_open(
                participant=participant,
                assigned_to=director,
                kind="emergency_access_review",
                title=f"Review emergency access by {actor.get_full_name() or actor.username}",
                detail=(
                    f"{actor.get_full_name() or actor.username} used emergency access at "
                    f"{timezone.localtime(now, participant.program.tz):%Y-%m-%d %H:%M}. "
                    "Review it under Emergency access in the main navigation."
                ),
                due_on=timezone.localdate(timezone=participant.program.tz) + timedelta(days=1),
                source_type="emergency_access",
                source_id=f"{grant.pk}/{director.pk}",
            )
        emails = [d.email for d in directors if d.email]
        if emails:
            review_path = reverse("privacy:emergency_review_list")
            # No participant details in email: the message only says where to look.
            transaction.on_commit(
                lambda: send_mail(
                    "Bridge: emergency access to review",
                    f"A staff member used emergency (break-the-glass) access in {participant.program.name}. "
                    f"Please review it in Bridge: {review_path}",
                    None,
                    emails,
                    fail_silently=True,
                )
            )
    return grant


def emergency_access_end(*, actor: User, grant: EmergencyAccess) -> EmergencyAccess:
    if grant.user_id != actor.pk:
        raise ValidationError({"__all__": "Only the person who opened emergency access can end it early."})
    if not grant.is_active:
        return grant
    with transaction.atomic():
        grant.ended_at = timezone.now()
        grant.save(update_fields=["ended_at"])
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=grant.participant,
            object_type="emergency_access",
            object_id=str(grant.pk),
            detail={"ended": True},
        )
    return grant


def emergency_access_review(
    *, actor: User, grant: EmergencyAccess, review: str, note: str
) -> EmergencyAccess:
    if review not in EmergencyAccess.Review.values:
        raise ValidationError({"review": "Say whether the access was appropriate."})
    if review == EmergencyAccess.Review.NOT_APPROPRIATE and not note.strip():
        raise ValidationError({"note": "Say what follow-up is needed."})
    if grant.reviewed_at is not None:
        raise ValidationError({"__all__": "This emergency access has already been reviewed."})
    if grant.user_id == actor.pk:
        raise ValidationError({"__all__": "Someone else must review your own emergency access."})
    with transaction.atomic():
        grant.reviewed_at = timezone.now()
        grant.reviewed_by = actor
        grant.review = review
        grant.review_note = note.strip()
        grant.full_clean()
        grant.save(update_fields=["reviewed_at", "reviewed_by", "review", "review_note"])
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=grant.participant,
            object_type="emergency_access",
            object_id=str(grant.pk),
            detail={"review": review},
        )
        items = WorkItem.objects.filter(
            kind="emergency_access_review",
            source_type="emergency_access",
            source_id__startswith=f"{grant.pk}/",
            status=WorkItem.Status.OPEN,
        )
        for item in items:
            work_item_resolve(actor=actor, item=item, resolution=f"Reviewed: {grant.get_review_display()}.")
    return grant
