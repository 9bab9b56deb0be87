"""Rows to FHIR R4 resources for the REST API. Duck-typed on the model rows; no queries of its own.

Each function takes a row whose related objects the registry has already loaded (select_related /
prefetch_related), so a page of resources costs a constant number of queries. References are
relative (`Patient/<id>`), as a RESTful server's are; the disclosure Bundles of bridge/privacy keep
their `urn:uuid:` form. Where bridge/privacy already maps a record (Patient, Consent) it is reused.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bridge.privacy import fhir as privacy_fhir

LOCAL = "urn:bridge"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"


def ref(kind: str, pk: Any, display: str | None = None) -> dict[str, str]:
    out = {"reference": f"{kind}/{pk}"}
    if display:
        out["display"] = display
    return out


def instant(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def _rebase(value: Any, refs: dict[str, str]) -> Any:
    """Turn bridge/privacy's `urn:uuid:<id>` references into this server's relative ones."""
    if isinstance(value, dict):
        out = {k: _rebase(v, refs) for k, v in value.items()}
        target = out.get("reference")
        if isinstance(target, str) and target.startswith("urn:uuid:"):
            out["reference"] = refs.get(target[9:], target)
        return out
    if isinstance(value, list):
        return [_rebase(v, refs) for v in value]
    return value


def patient(p) -> dict[str, Any]:
    resource = privacy_fhir.patient(
        p.pk,
        family=p.last_name,
        given=p.first_name,
        preferred=p.preferred_name,
        birth_date=p.date_of_birth,
        phone=p.phone,
        email=p.email,
        address=p.address,
        contact_name=p.emergency_contact_name,
        contact_phone=p.emergency_contact_phone,
        contact_relationship=p.emergency_contact_relationship,
    )
    resource["active"] = p.status in ("prospect", "screening", "active", "step_down")
    resource["managingOrganization"] = ref("Organization", p.program_id)
    return resource


def episode_of_care(e) -> dict[str, Any]:
    changes = sorted(e.level_changes.all(), key=lambda c: (c.effective_on, c.created_at))
    levels = [(c.level_of_care, c.effective_on) for c in changes] or [(e.level_of_care, e.admitted_on)]
    period = {"start": e.admitted_on.isoformat()}
    if e.discharged_on:
        period["end"] = e.discharged_on.isoformat()
    return {
        "resourceType": "EpisodeOfCare",
        "id": str(e.pk),
        "status": "finished" if e.status == "finished" else "active",
        "type": [
            {
                "coding": [{"system": f"{LOCAL}:level-of-care", "code": level}],
                "text": f"Level of care {level} from {day.isoformat()}",
            }
            for level, day in levels
        ],
        "patient": ref("Patient", e.participant_id),
        "managingOrganization": ref("Organization", e.program_id),
        "period": period,
    }


def condition(problem) -> dict[str, Any]:
    version = problem.version
    return {
        "resourceType": "Condition",
        "id": str(problem.pk),
        "clinicalStatus": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}
            ]
        },
        "verificationStatus": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "problem-list-item",
                    }
                ]
            }
        ],
        "code": {
            "coding": [{"system": ICD10, "code": problem.code, "display": problem.description}],
            "text": problem.description,
        },
        "subject": ref("Patient", version.plan.participant_id),
        "recordedDate": instant(version.signed_at),
    }


def medication_request(order) -> dict[str, Any]:
    dose = order.dose_changes.all()
    current = max(dose, key=lambda c: (c.effective_on, c.created_at)) if dose else None
    amount = current.dose if current else order.dose
    frequency = current.get_frequency_display() if current else order.get_frequency_display()
    return {
        "resourceType": "MedicationRequest",
        "id": str(order.pk),
        "status": "stopped" if order.stop_on else "active",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": f"{LOCAL}:drug", "code": order.drug, "display": order.get_drug_display()}],
            "text": order.get_drug_display(),
        },
        "subject": ref("Patient", order.participant_id),
        "authoredOn": order.start_on.isoformat(),
        "requester": ref("Practitioner", order.prescriber_id),
        "reasonCode": [{"text": order.reason}],
        "dosageInstruction": [
            {
                "text": f"{amount} {order.unit} {order.get_route_display().lower()}, {frequency.lower()}",
                "route": {"text": order.get_route_display()},
                "doseAndRate": [{"doseQuantity": {"value": float(amount), "unit": order.unit}}],
            }
        ],
        "dispenseRequest": {
            "validityPeriod": {
                "start": order.start_on.isoformat(),
                **({"end": order.stop_on.isoformat()} if order.stop_on else {}),
            }
        },
    }


def medication_administration(a) -> dict[str, Any]:
    order = a.order
    return {
        "resourceType": "MedicationAdministration",
        "id": str(a.pk),
        "status": "entered-in-error" if a.error_at else "completed",
        "medicationCodeableConcept": {
            "coding": [{"system": f"{LOCAL}:drug", "code": order.drug, "display": order.get_drug_display()}],
            "text": order.get_drug_display(),
        },
        "subject": ref("Patient", a.participant_id),
        "effectiveDateTime": instant(a.given_at),
        "performer": [{"actor": ref("Practitioner", a.given_by_id)}],
        "request": ref("MedicationRequest", order.pk),
        "note": [{"text": f"Lot {a.lot_number}, site {a.get_site_display()}"}],
        "dosage": {
            "site": {"text": a.get_site_display()},
            "dose": {"value": float(a.dose), "unit": order.unit},
        },
    }


def drug_screen_observation(result) -> dict[str, Any]:
    screen = result.screen
    interpretation = {"positive": "POS", "negative": "NEG", "invalid": "IND"}[result.result]
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(result.pk),
        "status": "entered-in-error" if screen.error_at else "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": {
            "coding": [
                {
                    "system": f"{LOCAL}:drug-screen",
                    "code": result.substance,
                    "display": result.get_substance_display(),
                }
            ],
            "text": f"{result.get_substance_display()} ({screen.get_specimen_display().lower()} screen)",
        },
        "subject": ref("Patient", screen.participant_id),
        "effectiveDateTime": screen.collected_on.isoformat(),
        "issued": instant(screen.recorded_at),
        "valueCodeableConcept": {"text": result.get_result_display()},
        "interpretation": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                        "code": interpretation,
                    }
                ]
            }
        ],
        "specimen": {"display": screen.get_specimen_display()},
    }
    if result.expected:
        resource["note"] = [{"text": f"Expected positive: {result.expected_reason or 'prescribed'}"}]
    return resource


def instrument_observation(admin, definition) -> dict[str, Any]:
    """An instrument's total score; LOINC where the instrument has a total code."""
    coding = [{"system": f"{LOCAL}:instrument", "code": admin.instrument, "display": definition.name}]
    if definition.loinc_total:
        coding.insert(0, {"system": LOINC, "code": definition.loinc_total})
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(admin.pk),
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                    }
                ]
            }
        ],
        "code": {"coding": coding, "text": f"{definition.name} total score"},
        "subject": ref("Patient", admin.participant_id),
        "effectiveDateTime": instant(admin.administered_at),
        "derivedFrom": [ref("QuestionnaireResponse", admin.pk)],
    }
    total = admin.total
    if isinstance(total, int):
        resource["valueInteger"] = total
    elif isinstance(total, dict):
        resource["component"] = [
            {"code": {"text": str(part)}, "valueInteger": int(value)} for part, value in total.items()
        ]
    band = admin.band
    if isinstance(band, str) and band:
        resource["interpretation"] = [{"text": band}]
    return resource


def consent(c) -> dict[str, Any]:
    from bridge.privacy.packages import _consent_resource

    resource = _consent_resource(c)
    return _rebase(
        resource,
        {
            str(c.participant_id): f"Patient/{c.participant_id}",
            str(c.program_id): f"Organization/{c.program_id}",
        },
    )


def organization(program) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Organization",
        "id": str(program.pk),
        "active": True,
        "name": program.name,
        "partOf": {"display": program.organization.name},
    }
    address = {
        k: v
        for k, v in (
            ("line", [program.street] if program.street else None),
            ("city", program.city),
            ("state", program.state),
            ("postalCode", program.zip_code),
        )
        if v
    }
    if address:
        resource["address"] = [address]
    if program.phone:
        resource["telecom"] = [{"system": "phone", "value": program.phone}]
    return resource


def practitioner(user) -> dict[str, Any]:
    return {
        "resourceType": "Practitioner",
        "id": str(user.pk),
        "active": user.is_active,
        "name": [
            {"family": user.last_name or user.username, "given": [user.first_name] if user.first_name else []}
        ],
    }


def group(series, members: list[Any]) -> dict[str, Any]:
    return {
        "resourceType": "Group",
        "id": str(series.pk),
        "active": series.is_active,
        "type": "person",
        "actual": True,
        "name": series.name,
        "quantity": len(members),
        "managingEntity": ref("Organization", series.program_id),
        "member": [
            {
                "entity": ref("Patient", m.participant_id),
                "period": {
                    k: v
                    for k, v in (
                        ("start", m.joined_on.isoformat() if m.joined_on else None),
                        ("end", m.left_on.isoformat() if m.left_on else None),
                    )
                    if v
                },
                "inactive": m.status != "active",
            }
            for m in members
        ],
    }


def as_date(value: date | datetime | None) -> str | None:
    if isinstance(value, datetime):
        return instant(value)
    return value.isoformat() if value else None
