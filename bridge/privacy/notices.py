"""The notice of privacy practices: publish a version, give it at admission and record the
acknowledgement or the good-faith attempt. Every write atomic and audited. The default text is
Bridge's starting draft for counsel; a program publishes its own."""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.accounts.models import User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.participants.models import Participant
from bridge.privacy.models import NoticeAcknowledgement, PrivacyNotice
from bridge.programs.models import Program

NON_RETALIATION = (
    "We will not retaliate against you, or condition your treatment on anything, because you complain."
)


def how_to_complain(program: Program) -> list[str]:
    """The text on the public pages telling people how to complain (42 CFR 2.4; 45 CFR 164.530(d))."""
    contact = program.phone or "the front desk"
    return [
        f"To complain to {program.name}: tell the privacy officer in person, call {contact}, or write to "
        f"{program.address_line or program.name}. You may complain in writing or out loud; we write it down.",
        "To complain to the U.S. Department of Health and Human Services: Office for Civil Rights, "
        "200 Independence Avenue SW, Washington, DC 20201, 1-800-368-1019, or online at "
        "https://www.hhs.gov/ocr/complaints/. For a violation of 42 CFR part 2 you may also report to "
        "the Secretary of HHS in the same ways.",
        NON_RETALIATION,
    ]


DEFAULT_TEXT = "\n\n".join(
    [
        ("How we may use and disclose your substance use disorder treatment records, and your rights."),
        (
            "Your records are protected by federal law (42 CFR part 2) and, where we are a covered entity, by"
            " HIPAA. We use and disclose them only with your written consent, or without it only where those "
            "laws allow: in a medical emergency, for research and audits under strict conditions, under a "
            "court order that meets 42 CFR part 2, to organizations that work for us under written "
            "agreements, and to report suspected child abuse or neglect as state law requires."
        ),
        (
            "Records disclosed with your consent may not be used in civil, criminal, administrative or "
            "legislative proceedings against you without your specific consent or a court order."
        ),
        (
            "Your rights: to get a copy of your records; to ask us to restrict uses and disclosures (we must "
            "agree not to tell your health plan about care you paid for in full yourself); to ask for "
            "confidential communications; to an accounting of disclosures; to a paper copy of this notice; to"
            " be told of a breach of your records; to revoke a consent in writing; and to complain, as below."
        ),
    ]
)


def notice_publish(
    *, actor: User, program: Program, version: str, effective_on: date, text: str
) -> PrivacyNotice:
    if not version.strip():
        raise ValidationError({"version": "Give the version a name (for example 2026-02)."})
    if not text.strip():
        raise ValidationError({"text": "Write the notice."})
    if PrivacyNotice.objects.filter(program=program, version=version.strip()).exists():
        raise ValidationError({"version": "This version exists already; a change is a new version."})
    with transaction.atomic():
        notice = PrivacyNotice(
            program=program,
            version=version.strip(),
            effective_on=effective_on,
            text=text.strip(),
            text_sha256=hashlib.sha256(text.strip().encode()).hexdigest(),
            published_by=actor,
        )
        notice.full_clean()
        notice.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            object_type="privacy_notice",
            object_id=str(notice.pk),
            detail={"version": notice.version, "sha256": notice.text_sha256},
        )
    return notice


def current_notice(program: Program, on: date | None = None) -> PrivacyNotice | None:
    on = on or timezone.localdate(timezone=program.tz)
    return (
        PrivacyNotice.objects.filter(program=program, effective_on__lte=on)
        .order_by("-effective_on", "-published_at")
        .first()
    )


def notice_acknowledge(
    *,
    actor: User,
    participant: Participant,
    outcome: str,
    given_on: date,
    signer_name: str = "",
    attempt_note: str = "",
) -> NoticeAcknowledgement:
    """Record that the current notice was given, with the acknowledgement or the good-faith attempt."""
    notice = current_notice(participant.program, given_on)
    if notice is None:
        raise ValidationError({"__all__": "The program has not published a notice of privacy practices yet."})
    if outcome not in NoticeAcknowledgement.Outcome.values:
        raise ValidationError({"outcome": "Say whether the participant acknowledged it."})
    if outcome == NoticeAcknowledgement.Outcome.ACKNOWLEDGED and not signer_name.strip():
        raise ValidationError({"signer_name": "Type the participant's name as they signed."})
    if outcome == NoticeAcknowledgement.Outcome.GOOD_FAITH and not attempt_note.strip():
        raise ValidationError({"attempt_note": "Say what was tried and why there is no acknowledgement."})
    if given_on > timezone.localdate(timezone=participant.program.tz):
        raise ValidationError({"given_on": "The date cannot be in the future."})
    with transaction.atomic():
        ack = NoticeAcknowledgement(
            participant=participant,
            notice=notice,
            outcome=outcome,
            given_on=given_on,
            signer_name=signer_name.strip() if outcome == NoticeAcknowledgement.Outcome.ACKNOWLEDGED else "",
            attempt_note=attempt_note.strip(),
            recorded_by=actor,
        )
        ack.full_clean()
        ack.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="notice_acknowledgement",
            object_id=str(ack.pk),
            detail={"outcome": outcome, "version": notice.version, "sha256": notice.text_sha256},
        )
    return ack
