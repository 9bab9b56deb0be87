"""Disclosure packages: exactly the consented information, the notice, the consent summary, the labels.

`build_package` gathers the records of each released data class from the providers and returns the
package as stored on the Disclosure row: sections for the PDF and print view, and the FHIR Bundle.
Only the classes the decision point released are ever asked for.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from bridge.privacy import bases, fhir, labels
from bridge.privacy.models import Consent, Recipient
from bridge.privacy.notice import NOTICE_VERSION, REDISCLOSURE_NOTICE
from bridge.privacy.providers import Record, records_for
from bridge.privacy.vocab import PURPOSE_SYSTEMS, TPO_RECIPIENT_KINDS, DataClass, Purpose


def consent_summary_lines(consent: Consent) -> list[str]:
    """A clear explanation of the consent's scope (42 CFR 2.32(b)), one statement per line."""
    recipients = [r.name for r in consent.recipients.all()]
    if consent.tpo_class:
        recipients.append(fhir.TPO_CLASS_TEXT.lower().capitalize())
    signer = (
        f"{consent.signature_name} (the participant)"
        if consent.signer == Consent.Signer.PARTICIPANT
        else f"{consent.signature_name}, {consent.representative_authority}"
    )
    lines = [
        f"{consent.get_consent_type_display()} consent of {consent.patient_name}, "
        f"signed on {consent.signed_on.isoformat()} by {signer}.",
        f"Who may disclose: {consent.discloser}.",
        f"Information: {', '.join(consent.data_class_labels)}.",
        f"Recipients: {'; '.join(recipients)}.",
        f"Purposes: {', '.join(consent.purpose_labels)}.",
        f"Expires: {consent.expiry_label}.",
    ]
    if consent.intermediary_name:
        members = (
            "treating providers only"
            if consent.intermediary_treating_providers_only
            else consent.intermediary_members
        )
        lines.insert(4, f"Through the intermediary {consent.intermediary_name} to: {members}.")
    lines.append("The participant may revoke this consent in writing at any time.")
    return lines


def consent_summary(consent: Consent) -> str:
    return " ".join(consent_summary_lines(consent))


def describe(data_classes, date_from: date, date_to: date) -> str:
    """The brief description of the information an accounting entry needs."""
    names = [DataClass(c).label for c in DataClass.values if c in set(data_classes)]
    return f"{', '.join(names)} from {date_from.isoformat()} to {date_to.isoformat()}"


def _consent_resource(consent: Consent) -> dict[str, Any]:
    return fhir.consent(
        consent.pk,
        consent.participant_id,
        program_id=consent.program_id,
        active=consent.status == Consent.Status.ACTIVE,
        signed_on=consent.signed_on,
        expires_on=consent.expires_on,
        signer=consent.signature_name,
        recipients=[r.name for r in consent.recipients.all()],
        tpo_class=consent.tpo_class,
        purposes=[(PURPOSE_SYSTEMS[p], p, Purpose(p).label) for p in consent.purposes],
        data_classes=[(c, DataClass(c).label) for c in consent.data_classes],
        summary=consent_summary_lines(consent),
        source=_source_attachment(consent),
    )


def _source_attachment(consent: Consent) -> dict[str, Any] | None:
    """FHIR Consent.sourceAttachment: the scan of the signed paper form, where one is kept."""
    if not consent.signed_document:
        return None
    from django.urls import reverse

    name = consent.signed_document.name.rsplit("/", 1)[-1]
    kind = (
        "application/pdf"
        if name.lower().endswith(".pdf")
        else "image/png"
        if name.lower().endswith(".png")
        else "image/jpeg"
    )
    return {
        "contentType": kind,
        "url": reverse("privacy:consent_scan_file", args=[consent.participant_id, consent.pk]),
        "title": f"Signed consent form ({name})",
        "creation": consent.recorded_at.isoformat(),
    }


PARTICIPANT_COPY = "participant_copy"  # the participant's right of access: not a disclosure basis


def redisclosure_prohibited(basis: str, consent: Consent | None, recipient: Recipient) -> bool:
    """Does the release carry the "no redisclosure" refrain (NORDSCLCD)?

    Not on a release under the single TPO consent to a covered entity or business associate (its
    class of recipients), which HIPAA lets redisclose for TPO (42 CFR 2.32(a)(2), 2.33(b)); not to a
    business associate on its agreement. Everywhere else redisclosure is prohibited.
    """
    if basis == bases.CONSENT:
        return not (consent is not None and consent.tpo_class and recipient.kind in TPO_RECIPIENT_KINDS)
    return bases.basis(basis).redisclosure_prohibited


def notice_for(basis: str, details: dict[str, Any]) -> str:
    """The notice that travels with a release on `basis` (the 2.32 Statement 1 for consent)."""
    if basis == PARTICIPANT_COPY:
        return (
            "Your own copy of your records, given to you under your right of access "
            "(42 CFR 2.23; 45 CFR 164.524). You may share it as you wish."
        )
    b = bases.basis(basis)
    if b.notice == bases.NOTICE_CONSENT:
        return REDISCLOSURE_NOTICE
    parts = [b.notice_text]
    if b.notice == bases.NOTICE_COURT_ORDER and details.get("order_limits"):
        parts.append(f"The order's limits: {details['order_limits']}")
    if b.notice in (bases.NOTICE_STATEMENT, bases.NOTICE_COURT_ORDER):
        parts.append(REDISCLOSURE_NOTICE)
    return "\n\n".join(parts)


def build_package(
    *,
    disclosure_id: uuid.UUID,
    participant,
    consent: Consent | None,
    recipient: Recipient | None,
    purpose: str,
    data_classes,
    date_from: date,
    date_to: date,
    created_at: datetime,
    basis: str = bases.CONSENT,
    basis_details: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """(package, record references). The package is JSON: {"sections", "bundle", ...}."""
    program = participant.program
    details = basis_details or {}
    notice_text = notice_for(basis, details)
    wanted = [c for c in DataClass.values if c in set(data_classes)]
    sections = []
    resources: list[dict[str, Any]] = [
        fhir.notice(fhir.derived_id(disclosure_id, "notice"), text=notice_text)
    ]
    if consent is not None:
        resources.append(_consent_resource(consent))
    resources.append(fhir.organization(program.pk, name=program.name, address=program.address_line))
    head = len(resources)  # the patient comes right after the notice, the consent and the program
    refs: list[dict[str, str]] = []
    patient_resource = fhir.patient_identity(
        participant.pk, family=participant.last_name, given=participant.first_name
    )
    for data_class in wanted:
        records: list[Record] = records_for(data_class, participant, date_from, date_to)
        sections.append(
            {
                "data_class": data_class,
                "label": DataClass(data_class).label,
                "records": [
                    {
                        "title": r.title,
                        "when": r.when.isoformat() if r.when else "",
                        "lines": [list(x) for x in r.lines],
                    }
                    for r in records
                ],
            }
        )
        for record in records:
            refs.append(record.ref())
            if record.resource is None:
                continue
            if record.resource.get("resourceType") == "Patient":
                patient_resource = record.resource  # the full identity, when demographics are released
            else:
                resources.append(record.resource)
    resources.insert(head, patient_resource)
    bundle = fhir.bundle(
        disclosure_id,
        program_id=program.pk,
        timestamp=created_at,
        resources=resources,
        no_redisclosure=recipient is not None and redisclosure_prohibited(basis, consent, recipient),
    )
    unlabelled = [e["resource"]["id"] for e in bundle["entry"] if not labels.carries_labels(e["resource"])]
    if unlabelled or not labels.carries_labels(bundle):
        raise RuntimeError(f"refusing to release resources without Part 2 labels: {unlabelled}")
    package = {
        "program": {"name": program.name, "address": program.address_line, "phone": program.phone},
        "participant": {"name": participant.legal_name},
        "recipient": (
            {"name": recipient.name, "address": recipient.address}
            if recipient is not None
            else {"name": f"{participant.legal_name} (the participant's own copy)", "address": ""}
        ),
        "purpose": Purpose(purpose).label,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "created_at": timezone.localtime(created_at, program.tz).strftime("%Y-%m-%d %H:%M %Z"),
        "notice": notice_text,
        "notice_version": NOTICE_VERSION if basis == bases.CONSENT else f"{NOTICE_VERSION}+{basis}",
        "labels": labels.PRINT_LABEL,
        "legal_basis": "The participant's right of access (42 CFR 2.23; 45 CFR 164.524)"
        if basis == PARTICIPANT_COPY
        else f"{bases.basis(basis).label} ({bases.basis(basis).citation})",
        "basis_lines": [] if basis == PARTICIPANT_COPY else bases.detail_lines(basis, details),
        "consent_summary": consent_summary_lines(consent) if consent is not None else [],
        "sections": sections,
        "bundle": bundle,
    }
    return package, refs


def consent_document(consent: Consent, *, today: date | None = None) -> dict[str, Any]:
    """The signed consent as printed (print view, PDF): every element, the statements, the signature."""
    from bridge.privacy.vocab import DATA_CLASS_DESCRIPTIONS

    recipients = [f"{r.name} ({r.get_kind_display()}), {r.address}" for r in consent.recipients.all()]
    if consent.tpo_class:
        recipients.append(fhir.TPO_CLASS_TEXT)
    elements = [
        ("Participant", consent.patient_name),
        ("Kind of consent", consent.get_consent_type_display()),
        ("Who may disclose", consent.discloser),
        (
            "What information",
            "; ".join(f"{DataClass(c).label} ({DATA_CLASS_DESCRIPTIONS[c]})" for c in consent.data_classes),
        ),
        ("Who may receive it", "; ".join(recipients)),
    ]
    if consent.intermediary_name:
        members = (
            "the participant's treating providers only"
            if consent.intermediary_treating_providers_only
            else consent.intermediary_members
        )
        elements.append(("Through the intermediary", f"{consent.intermediary_name}, to: {members}"))
    if consent.cj_agency:
        elements += [
            ("Referred by (criminal justice agency)", consent.cj_agency),
            ("In effect for", consent.cj_period),
            ("Cannot be revoked until", consent.expiry_event),
        ]
    if consent.proceeding:
        elements.append(("Only for the proceeding", consent.proceeding))
    elements += [
        ("Purpose", ", ".join(consent.purpose_labels)),
        ("This consent expires", consent.expiry_label),
    ]
    signer = (
        "The participant"
        if consent.signer == Consent.Signer.PARTICIPANT
        else f"An authorized representative ({consent.representative_authority})"
    )
    signature = [
        ("Signed by", signer),
        ("Signature", f"/s/ {consent.signature_name}"),
        *(
            [("Also signed by", f"/s/ {consent.parent_signature_name} ({consent.parent_relationship})")]
            if consent.parent_signature_name
            else []
        ),
        ("Date", consent.signed_on.isoformat()),
    ]
    state = consent.state_on(today or timezone.localdate(timezone=consent.program.tz))
    status_rows: list[tuple[str, str]] = []
    if state != Consent.Status.ACTIVE:
        status_rows.append(("Status", Consent.Status(state).label))
        if consent.ended_on:
            status_rows.append(("Since", consent.ended_on.isoformat()))
        if consent.revocation_received:
            status_rows.append(("Revocation received as", consent.get_revocation_received_display()))
    return {
        "elements": elements,
        "statements": list(consent.statements),
        "signature": signature,
        "status_rows": status_rows,
        "labels": labels.PRINT_LABEL,
    }
