"""FHIR R4 shapes for what a disclosure releases. Pure Python: plain values in, JSON-ready dicts out.

Providers (each app's `privacy_providers.py`) call these to turn their rows into resources; the
package builder adds the consent, the notice and the labels and wraps everything in a Bundle. Entries
reference each other with `urn:uuid:` full URLs, as a `collection` Bundle should.
"""

from __future__ import annotations

import html
import uuid
from datetime import date, datetime
from typing import Any

from bridge.privacy import labels
from bridge.privacy.notice import NOTICE_VERSION, REDISCLOSURE_NOTICE

PART2_POLICY_URI = "https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2"
DATA_CLASS_SYSTEM = "urn:bridge:data-class"
RECIPIENT_ROLE = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
    "code": "IRCP",
    "display": "information recipient",
}
TPO_CLASS_TEXT = (
    "My treating providers, health plans, third-party payers, and people helping to operate this program"
)


def ref(resource_id: Any) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def derived_id(base: Any, kind: str) -> str:
    """A stable UUID for a resource that has no row of its own (e.g. the care team of a participant)."""
    return str(uuid.uuid5(uuid.UUID(str(base)), kind))


def narrative(lines: list[str]) -> dict[str, str]:
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def patient_identity(participant_id: Any, *, family: str, given: str) -> dict[str, Any]:
    """The least a package says about who it is about: the name the consent itself carries."""
    return {
        "resourceType": "Patient",
        "id": str(participant_id),
        "name": [{"use": "official", "family": family, "given": [given]}],
    }


def patient(
    participant_id: Any,
    *,
    family: str,
    given: str,
    preferred: str = "",
    birth_date: date,
    phone: str = "",
    email: str = "",
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_relationship: str = "",
) -> dict[str, Any]:
    resource = patient_identity(participant_id, family=family, given=given)
    if preferred:
        resource["name"].append({"use": "usual", "given": [preferred], "family": family})
    resource["birthDate"] = birth_date.isoformat()
    telecom = []
    if phone:
        telecom.append({"system": "phone", "value": phone})
    if email:
        telecom.append({"system": "email", "value": email})
    if telecom:
        resource["telecom"] = telecom
    if address:
        resource["address"] = [{"text": address}]
    if contact_name:
        contact: dict[str, Any] = {"name": {"text": contact_name}}
        if contact_relationship:
            contact["relationship"] = [{"text": contact_relationship}]
        if contact_phone:
            contact["telecom"] = [{"system": "phone", "value": contact_phone}]
        resource["contact"] = [contact]
    return resource


def care_team(
    participant_id: Any, members: list[tuple[str, str, date, date | None]], *, active: bool
) -> dict[str, Any]:
    """`members`: (name, role, start, end or None)."""
    return {
        "resourceType": "CareTeam",
        "id": derived_id(participant_id, "care-team"),
        "status": "active" if active else "inactive",
        "subject": ref(participant_id),
        "participant": [
            {
                "role": [{"text": role}],
                "member": {"display": name},
                "period": {"start": start.isoformat(), **({"end": end.isoformat()} if end else {})},
            }
            for name, role, start, end in members
        ],
    }


def episode_of_care(
    episode_id: Any,
    participant_id: Any,
    *,
    finished: bool,
    start: date,
    end: date | None,
    levels: list[tuple[str, date]],
    organization_id: Any,
) -> dict[str, Any]:
    """`levels`: (level label, effective date), oldest first."""
    period = {"start": start.isoformat(), **({"end": end.isoformat()} if end else {})}
    return {
        "resourceType": "EpisodeOfCare",
        "id": str(episode_id),
        "status": "finished" if finished else "active",
        "patient": ref(participant_id),
        "managingOrganization": ref(organization_id),
        "period": period,
        "type": [{"text": f"Level of care {label} from {day.isoformat()}"} for label, day in levels],
    }


APPOINTMENT_STATUS = {
    "expected": "booked",
    "present": "fulfilled",
    "late": "fulfilled",
    "left_early": "fulfilled",
    "excused": "cancelled",
    "unexcused": "noshow",
    "no_show": "noshow",
}


def appointment(
    attendance_id: Any,
    participant_id: Any,
    *,
    status: str,
    start: datetime,
    end: datetime,
    title: str,
    kind: str,
    minutes: int | None,
    status_label: str,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": str(attendance_id),
        "status": APPOINTMENT_STATUS.get(status, "booked"),
        "serviceType": [{"text": kind}],
        "description": title,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "minutesDuration": max(1, int((end - start).total_seconds() // 60)),
        "participant": [{"actor": ref(participant_id), "status": "accepted"}],
        "comment": status_label + (f", {minutes} minutes attended" if minutes else ""),
    }
    return resource


def organization(program_id: Any, *, name: str, address: str) -> dict[str, Any]:
    resource: dict[str, Any] = {"resourceType": "Organization", "id": str(program_id), "name": name}
    if address:
        resource["address"] = [{"text": address}]
    return resource


def consent(
    consent_id: Any,
    participant_id: Any,
    *,
    program_id: Any,
    active: bool,
    signed_on: date,
    expires_on: date | None,
    signer: str,
    recipients: list[str],
    tpo_class: bool,
    purposes: list[tuple[str, str, str]],
    data_classes: list[tuple[str, str]],
    summary: list[str],
    source: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The consent the release relies on (42 CFR 2.32(b): a copy or explanation of the consent).

    `purposes`: (system, code, display); `data_classes`: (code, display).
    """
    actors = [
        {"role": {"coding": [dict(RECIPIENT_ROLE)]}, "reference": {"display": name}} for name in recipients
    ]
    if tpo_class:
        actors.append({"role": {"coding": [dict(RECIPIENT_ROLE)]}, "reference": {"display": TPO_CLASS_TEXT}})
    period = {"start": signed_on.isoformat(), **({"end": expires_on.isoformat()} if expires_on else {})}
    resource = {
        "resourceType": "Consent",
        "id": str(consent_id),
        "text": narrative(summary),
        "status": "active" if active else "inactive",
        "scope": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}
            ]
        },
        "category": [
            {"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}]}
        ],
        "patient": ref(participant_id),
        "dateTime": signed_on.isoformat(),
        "performer": [{"display": signer}],
        "organization": [ref(program_id)],
        "policy": [{"uri": PART2_POLICY_URI}],
        "provision": {
            "type": "permit",
            "period": period,
            "actor": actors,
            "purpose": [{"system": s, "code": c, "display": d} for s, c, d in purposes],
            "securityLabel": labels.security_labels(),
            "code": [
                {"coding": [{"system": DATA_CLASS_SYSTEM, "code": c, "display": d}]} for c, d in data_classes
            ],
        },
    }
    if source:
        resource["sourceAttachment"] = source  # the signed paper form, kept with the record
    return resource


def notice(notice_id: Any, text: str = REDISCLOSURE_NOTICE) -> dict[str, Any]:
    """The 42 CFR 2.32 redisclosure notice (or the notice of the disclosure's legal basis, which
    includes it where redisclosure is prohibited) as an entry every reader of the Bundle meets first."""
    return {
        "resourceType": "OperationOutcome",
        "id": str(notice_id),
        "issue": [
            {
                "severity": "information",
                "code": "informational",
                "details": {"text": text},
                "diagnostics": f"42 CFR 2.32 redisclosure notice ({NOTICE_VERSION})",
            }
        ],
    }


def bundle(
    bundle_id: Any,
    *,
    program_id: Any,
    timestamp: datetime,
    resources: list[dict[str, Any]],
    no_redisclosure: bool = True,
) -> dict:
    """A labelled `collection` Bundle: every entry and the Bundle itself carry the Part 2 labels; the
    entries carry the "no redisclosure" refrain only when `no_redisclosure` (packages.py decides)."""
    entries = [
        {
            "fullUrl": f"urn:uuid:{r['id']}",
            "resource": labels.label_resource(r, program_id=program_id, refrain=no_redisclosure),
        }
        for r in resources
    ]
    return labels.label_resource(
        {
            "resourceType": "Bundle",
            "id": str(bundle_id),
            "type": "collection",
            "timestamp": timestamp.isoformat(),
            "entry": entries,
        },
        program_id=program_id,
        entry=False,
    )
