"""Rows to FHIR R4 resources for the REST API. Duck-typed on the model rows; no queries of its own.

Each function takes a row whose related objects the registry has already loaded (select_related /
prefetch_related), so a page of resources costs a constant number of queries. References are
relative (`Patient/<id>`), as a RESTful server's are; the disclosure Bundles of bridge/privacy keep
their `urn:uuid:` form. Where bridge/privacy already maps a record (Patient, Consent) it is reused.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from typing import Any

from bridge.privacy import fhir as privacy_fhir

LOCAL = "urn:bridge"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CPT = "http://www.ama-assn.org/go/cpt"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
US_CORE_EXT = US_CORE
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

# Urine drug screens (immunoassay, qualitative) by analyte: LOINC "<analyte> [Presence] in Urine by
# Screen method". Only codes checked against a published LOINC value set are listed; an analyte
# without one keeps Bridge's local code (US Core's binding for the code is extensible).
URINE_SCREEN_LOINC = {
    "AMP": ("19343-3", "Amphetamines [Presence] in Urine by Screen method"),
    "BZO": ("14316-4", "Benzodiazepines [Presence] in Urine by Screen method"),
    "COC": ("19359-9", "Cocaine [Presence] in Urine by Screen method"),
    "MAMP": ("19554-5", "Methamphetamine [Presence] in Urine by Screen method"),
    "MDMA": ("19568-5", "Methylenedioxymethamphetamine [Presence] in Urine by Screen method"),
    "MTD": ("19550-3", "Methadone [Presence] in Urine by Screen method"),
    "OPI": ("19295-5", "Opiates [Presence] in Urine by Screen method"),
    "THC": ("18282-4", "Cannabinoids [Presence] in Urine by Screen method"),
}
ORAL_FLUID_SCREEN_LOINC = {
    "COC": ("40802-1", "Cocaine [Presence] in Oral fluid by Screen method"),
    "THC": ("40801-3", "Cannabinoids [Presence] in Oral fluid by Screen method"),
}
# Qualitative results as SNOMED CT qualifier values.
SCREEN_RESULT_SNOMED = {
    "positive": ("10828004", "Positive"),
    "negative": ("260385009", "Negative"),
    "invalid": ("82334004", "Indeterminate"),
}
# Encounter.type for the session kinds with one CPT code whatever their length.
SESSION_KIND_CPT = {
    "group": ("90853", "Group psychotherapy"),
    "family": ("90847", "Family psychotherapy (conjoint psychotherapy) with patient present"),
}


def profiled(resource: dict[str, Any], profile: str) -> dict[str, Any]:
    """Claim a US Core 6.1 profile: only for resources whose required elements this mapping fills."""
    resource.setdefault("meta", {})["profile"] = [US_CORE + profile]
    return resource


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
    resource["active"] = p.status in ("prospect", "screening", "active", "step_down", "on_hold")
    resource["managingOrganization"] = ref("Organization", p.program_id)
    # The program's record number: Bridge's participant id, in the program's identifier system.
    resource["identifier"] = [
        {
            "use": "usual",
            "type": {
                "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}],
                "text": "Medical record number",
            },
            "system": f"{LOCAL}:program:{p.program_id}:mrn",
            "value": str(p.pk),
        }
    ]
    # US Core requires gender: what was recorded, or "unknown" when it was not asked.
    resource["gender"] = p.gender or "unknown"
    extensions = _us_core_demographics(p)
    if extensions:
        resource["extension"] = extensions
    return profiled(resource, "us-core-patient")


CDC_RACE = "urn:oid:2.16.840.1.113883.6.238"
NULL_FLAVOR = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"


def _omb(code: str, labels: dict[str, str]) -> dict[str, Any]:
    if code == "ASKU":
        return {"system": NULL_FLAVOR, "code": "ASKU", "display": "asked but declined"}
    return {"system": CDC_RACE, "code": code, "display": labels[code]}


def _us_core_demographics(p) -> list[dict[str, Any]]:
    """US Core race, ethnicity and birth sex extensions, for what intake recorded (declined included)."""
    from bridge.participants.models import ETHNICITY_CHOICES, RACE_CHOICES

    out: list[dict[str, Any]] = []
    races = dict(RACE_CHOICES)
    if p.race:
        text = "Declined to answer" if p.race == ["ASKU"] else ", ".join(races[c] for c in p.race)
        out.append(
            {
                "url": US_CORE_EXT + "us-core-race",
                "extension": [
                    *({"url": "ombCategory", "valueCoding": _omb(c, races)} for c in p.race),
                    {"url": "text", "valueString": text},
                ],
            }
        )
    if p.ethnicity:
        ethnicities = dict(ETHNICITY_CHOICES)
        out.append(
            {
                "url": US_CORE_EXT + "us-core-ethnicity",
                "extension": [
                    {"url": "ombCategory", "valueCoding": _omb(p.ethnicity, ethnicities)},
                    {"url": "text", "valueString": ethnicities[p.ethnicity]},
                ],
            }
        )
    if p.sex_at_birth:
        out.append({"url": US_CORE_EXT + "us-core-birthsex", "valueCode": p.sex_at_birth})
    return out


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
                        "display": "Problem List Item",
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
        "meta": {"profile": [US_CORE + "us-core-condition-problems-health-concerns"]},
    }


def note_text(note) -> str:
    """The signed note as plain text: its template's sections, then each addendum (who, when, why)."""
    parts = [f"{note.get_kind_display()} note, {note.get_template_display()}"]
    parts += [f"{label}:\n{body}" for label, body in note.sections() if body]
    for addendum in note.addenda.all():
        if addendum.entry_id is None:
            parts.append(f"Addendum {instant(addendum.created_at)} ({addendum.reason}):\n{addendum.text}")
    return "\n\n".join(parts)


def document_reference(note) -> dict[str, Any]:
    """A signed individual, family or case-management note: US Core clinical note (LOINC Progress note)."""
    signed = instant(note.signed_at)
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": str(note.pk),
        "meta": {"profile": [US_CORE + "us-core-documentreference"]},
        "status": "entered-in-error" if note.error_at else "current",
        "docStatus": "final" if note.status in ("signed", "entered_in_error") else "preliminary",
        "type": {
            "coding": [{"system": LOINC, "code": "11506-3", "display": "Progress note"}],
            "text": f"{note.get_kind_display()} progress note",
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
                        "code": "clinical-note",
                        "display": "Clinical Note",
                    }
                ]
            }
        ],
        "subject": ref("Patient", note.participant_id),
        "date": signed,
        "author": [ref("Practitioner", note.author_id)],
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "data": base64.b64encode(note_text(note).encode()).decode(),
                    "title": f"{note.get_kind_display()} note",
                    "creation": signed,
                },
                "format": {
                    "system": "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode",
                    "code": "urn:ihe:iti:xds:2017:mimeTypeSufficient",
                    "display": "mimeType Sufficient",
                },
            }
        ],
        "context": {"encounter": [ref("Encounter", note.session_id)]},
    }
    if note.cosigned_by_id:
        resource["authenticator"] = ref("Practitioner", note.cosigned_by_id)
    return resource


def drug_concept(code: str, display: str) -> dict[str, Any]:
    """The drug catalogue's RxNorm ingredient code first (where it is verified), then Bridge's own."""
    from bridge.clinical.medication import DRUGS

    coding = [{"system": f"{LOCAL}:drug", "code": code, "display": display}]
    drug = DRUGS.get(code)
    if drug is not None and drug.rxnorm and not drug.verify:
        coding.insert(0, {"system": RXNORM, "code": drug.rxnorm, "display": drug.rxnorm_name or display})
    return {"coding": coding, "text": display}


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
        "medicationCodeableConcept": drug_concept(order.drug, order.get_drug_display()),
        "subject": ref("Patient", order.participant_id),
        "reportedBoolean": False,
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
        "meta": {"profile": [US_CORE + "us-core-medicationrequest"]},
    }


def medication_administration(a) -> dict[str, Any]:
    order = a.order
    return {
        "resourceType": "MedicationAdministration",
        "id": str(a.pk),
        "status": "entered-in-error" if a.error_at else "completed",
        "medicationCodeableConcept": drug_concept(order.drug, order.get_drug_display()),
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
    """One analyte of a drug screen: a US Core laboratory result, LOINC-coded where a code is known."""
    screen = result.screen
    interpretation = {"positive": "POS", "negative": "NEG", "invalid": "IND"}[result.result]
    coding = [
        {
            "system": f"{LOCAL}:drug-screen",
            "code": result.substance,
            "display": result.get_substance_display(),
        }
    ]
    table = {"urine": URINE_SCREEN_LOINC, "oral_fluid": ORAL_FLUID_SCREEN_LOINC}.get(screen.specimen, {})
    if result.substance in table:
        loinc, display = table[result.substance]
        coding.insert(0, {"system": LOINC, "code": loinc, "display": display})
    snomed, answer = SCREEN_RESULT_SNOMED[result.result]
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(result.pk),
        "meta": {"profile": [US_CORE + "us-core-observation-lab"]},
        "status": "entered-in-error" if screen.error_at else "final",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "laboratory", "display": "Laboratory"}]}
        ],
        "code": {
            "coding": coding,
            "text": f"{result.get_substance_display()} ({screen.get_specimen_display().lower()} screen)",
        },
        "subject": ref("Patient", screen.participant_id),
        "effectiveDateTime": screen.collected_on.isoformat(),
        "issued": instant(screen.recorded_at),
        "valueCodeableConcept": {
            "coding": [{"system": SNOMED, "code": snomed, "display": answer}],
            "text": result.get_result_display(),
        },
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
        "meta": {"profile": [US_CORE + "us-core-observation-screening-assessment"]},
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}],
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
        "meta": {"profile": [US_CORE + "us-core-organization"]},
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
        "meta": {"profile": [US_CORE + "us-core-practitioner"]},
        # Bridge keeps no NPI yet: the staff account's id is the identifier US Core requires.
        "identifier": [{"system": f"{LOCAL}:staff", "value": str(user.pk)}],
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


QUESTIONNAIRE_URL = "urn:bridge:questionnaire:"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _answer_coding(option) -> dict[str, Any]:
    if option.loinc:
        return {"system": LOINC, "code": option.loinc, "display": option.label}
    return {"system": f"{LOCAL}:answer", "code": str(option.value), "display": option.label}


def questionnaire(inst) -> dict[str, Any]:
    """An instrument definition as a Questionnaire: our item summaries, the options and their LOINC."""
    items = []
    for item in inst.items:
        entry: dict[str, Any] = {"linkId": item.key, "prefix": item.number, "text": item.text}
        if item.loinc:
            entry["code"] = [{"system": LOINC, "code": item.loinc}]
        if item.options:
            entry["type"] = "choice"
            entry["answerOption"] = [{"valueCoding": _answer_coding(o)} for o in item.options]
        else:
            entry["type"] = "integer"
        items.append(entry)
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": inst.code,
        "url": QUESTIONNAIRE_URL + inst.code,
        "name": "".join(ch for ch in inst.code if ch.isalnum()),
        "title": inst.name,
        "status": "active",
        "subjectType": ["Patient"],
        "description": inst.summary,
        "item": items,
    }
    if inst.loinc_panel:
        resource["code"] = [{"system": LOINC, "code": inst.loinc_panel, "display": inst.name}]
    return resource


def _answer(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    return {"valueString": str(value)}


def _coded_answer(item, value: Any) -> dict[str, Any]:
    """A choice item's answer as the Coding its Questionnaire declares (valueCoding); others as is."""
    if item is not None and item.options and not isinstance(value, bool):
        option = next((o for o in item.options if o.value == value), None)
        if option is not None:
            return {"valueCoding": _answer_coding(option)}
    return _answer(value)


def questionnaire_response(admin, inst) -> dict[str, Any]:
    items = []
    responses = admin.responses
    if isinstance(responses, dict):
        pairs = [(str(k), v) for k, v in responses.items()]
    else:
        keys = [i.key for i in inst.items]
        pairs = [(keys[n] if n < len(keys) else f"item-{n + 1}", v) for n, v in enumerate(responses or [])]
    by_key = {i.key: i for i in inst.items}
    for link_id, value in pairs:
        entry: dict[str, Any] = {"linkId": link_id}
        if value is not None:
            entry["answer"] = [_coded_answer(by_key.get(link_id), value)]
        items.append(entry)
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(admin.pk),
        "questionnaire": QUESTIONNAIRE_URL + admin.instrument,
        "status": "entered-in-error" if admin.entered_in_error_at else "completed",
        "subject": ref("Patient", admin.participant_id),
        "authored": instant(admin.administered_at),
        "item": items,
    }
    if admin.administered_by_id:
        resource["author"] = ref("Practitioner", admin.administered_by_id)
    elif admin.source == "self_report":
        resource["source"] = ref("Patient", admin.participant_id)
    return resource


def care_plan(version) -> dict[str, Any]:
    plan = version.plan
    current = plan.current_version_id == version.pk
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": str(version.pk),
        "status": "active" if current else "revoked",
        "intent": "plan",
        "title": f"Treatment plan version {version.number}",
        "subject": ref("Patient", plan.participant_id),
        "period": {"start": as_date(version.signed_at)},
        "created": instant(version.signed_at),
        "goal": [ref("Goal", g.pk) for g in version.goals.all()] if current else [],
        "activity": [
            {
                "detail": {
                    "status": "in-progress" if current else "stopped",
                    "description": f"{i.get_modality_display()}: {i.frequency}"
                    + (f". {i.description}" if i.description else ""),
                }
            }
            for i in version.interventions.all()
        ],
    }
    if version.signed_by_id:
        resource["author"] = ref("Practitioner", version.signed_by_id)
    if current:
        resource["addresses"] = [ref("Condition", p.pk) for p in version.problems.all()]
    if version.change_summary:
        resource["description"] = version.change_summary
    return {k: v for k, v in resource.items() if v != []}


def goal(g) -> dict[str, Any]:
    version = g.version
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "id": str(g.pk),
        "lifecycleStatus": "active",
        "description": {"text": g.statement},
        "subject": ref("Patient", version.plan.participant_id),
        "startDate": version.signed_at.astimezone(UTC).date().isoformat() if version.signed_at else None,
        "addresses": [ref("Condition", g.problem_id)],
        "target": [{"detailString": o.text, "dueDate": o.target_on.isoformat()} for o in g.objectives.all()],
    }
    return {k: v for k, v in resource.items() if v not in (None, [])}


def appointment(att) -> dict[str, Any]:
    session = att.session
    status = (
        "cancelled"
        if session.status == "cancelled"
        else privacy_fhir.APPOINTMENT_STATUS.get(att.status, "booked")
    )
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": str(att.pk),
        "status": status,
        "serviceType": [{"text": session.get_kind_display()}],
        "description": session.title or session.get_kind_display(),
        "start": instant(session.starts_at),
        "end": instant(session.ends_at),
        "minutesDuration": max(1, session.scheduled_minutes),
        "participant": [
            {"actor": ref("Patient", att.participant_id), "status": "accepted"},
            {"actor": ref("Practitioner", session.staff_id), "status": "accepted"},
        ],
        "comment": att.get_status_display() + (f", {att.minutes} minutes attended" if att.minutes else ""),
    }
    if session.room_id:
        # The room booked for it, so a client sees room bookings (telehealth has none).
        resource["participant"].append({"actor": ref("Location", session.room_id), "status": "accepted"})
    if session.status == "cancelled":
        resource["cancelationReason"] = {"text": session.cancel_reason}
    return resource


def _encounter_class(modality: str) -> dict[str, str]:
    if modality == "telehealth":
        return {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "VR",
            "display": "virtual",
        }
    return {
        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
        "code": "AMB",
        "display": "ambulatory",
    }


SESSION_ENCOUNTER_STATUS = {"scheduled": "planned", "completed": "finished", "cancelled": "cancelled"}


def _encounter_type(session) -> list[dict[str, Any]]:
    coding = [
        {"system": f"{LOCAL}:session-kind", "code": session.kind, "display": session.get_kind_display()}
    ]
    if session.kind in SESSION_KIND_CPT:
        code, display = SESSION_KIND_CPT[session.kind]
        coding.insert(0, {"system": CPT, "code": code, "display": display})
    return [{"coding": coding, "text": session.get_kind_display()}]


def _encounter_location(session) -> dict[str, Any]:
    if not session.room_id:
        return {}
    return {"location": [{"location": ref("Location", session.room_id)}]}


def session_encounter(session) -> dict[str, Any]:
    """The session itself (a group meets once, many attend): the encounter each participant's is part of."""
    return {
        "resourceType": "Encounter",
        "id": str(session.pk),
        "status": SESSION_ENCOUNTER_STATUS.get(session.status, "planned"),
        "class": _encounter_class(session.modality),
        "type": _encounter_type(session),
        "period": {"start": instant(session.starts_at), "end": instant(session.ends_at)},
        "participant": [{"individual": ref("Practitioner", session.staff_id)}],
        "serviceProvider": ref("Organization", session.program_id),
        **({"reasonCode": [{"text": session.title}]} if session.title else {}),
        **_encounter_location(session),
    }


ATTENDED = ("present", "late", "left_early")


def participant_encounter(att) -> dict[str, Any]:
    session = att.session
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": str(att.pk),
        "meta": {"profile": [US_CORE + "us-core-encounter"]},
        "identifier": [{"system": f"{LOCAL}:attendance", "value": str(att.pk)}],
        "status": "finished",
        "class": _encounter_class(session.modality),
        "type": _encounter_type(session),
        "subject": ref("Patient", att.participant_id),
        "participant": [{"individual": ref("Practitioner", session.staff_id)}],
        "partOf": ref("Encounter", session.pk),
        "period": {
            "start": instant(att.arrived_at or session.starts_at),
            "end": instant(att.departed_at or session.ends_at),
        },
        "serviceProvider": ref("Organization", session.program_id),
        **_encounter_location(session),
    }
    if att.minutes is not None:
        resource["length"] = {
            "value": att.minutes,
            "unit": "min",
            "system": "http://unitsofmeasure.org",
            "code": "min",
        }
    return resource


def practitioner_role(role) -> dict[str, Any]:
    return {
        "resourceType": "PractitionerRole",
        "id": str(role.pk),
        "active": role.user.is_active,
        "practitioner": ref("Practitioner", role.user_id),
        "organization": ref("Organization", role.program_id),
        "code": [
            {
                "coding": [
                    {"system": f"{LOCAL}:role", "code": role.role, "display": role.get_role_display()}
                ],
                "text": role.get_role_display(),
            }
        ],
    }


def location(room) -> dict[str, Any]:
    return {
        "resourceType": "Location",
        "id": str(room.pk),
        "meta": {"profile": [US_CORE + "us-core-location"]},
        "status": "active" if room.is_active else "inactive",
        "name": room.name,
        "mode": "instance",
        "description": f"Seats {room.capacity}",
        "physicalType": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/location-physical-type", "code": "ro"}
            ]
        },
        "managingOrganization": ref("Organization", room.program_id),
    }


def healthcare_service(track) -> dict[str, Any]:
    return {
        "resourceType": "HealthcareService",
        "id": str(track.pk),
        "active": track.is_active,
        "providedBy": ref("Organization", track.program_id),
        "name": track.name,
        "comment": (
            f"{track.get_modality_display()} intensive outpatient track for "
            f"{track.get_age_group_display().lower()}, {track.target_hours_per_week} hours a week"
        ),
        "availableTime": [
            {
                "daysOfWeek": [WEEKDAYS[d] for d in track.weekdays if 0 <= d < 7],
                "availableStartTime": track.start_time.strftime("%H:%M:%S"),
                "availableEndTime": track.end_time.strftime("%H:%M:%S"),
            }
        ],
    }


AUDIT_ACTION_CODE = {"read": "R", "search": "E", "create": "C", "update": "U", "export": "R", "disclose": "R"}
AUDIT_OUTCOME = {"success": "0", "denied": "4", "failure": "8"}


def audit_event(e) -> dict[str, Any]:
    """One audit-log row in the shape of IHE BALP's AuditEvent (who, what, when, from where, outcome)."""
    agent: dict[str, Any] = {"requestor": True, "type": {"text": e.channel}}
    if e.actor_id:
        agent["who"] = ref("Practitioner", e.actor_id, e.actor_label)
    else:
        agent["who"] = {"display": e.actor_label}
    if e.client_ip:
        agent["network"] = {"address": e.client_ip, "type": "2"}
    entities: list[dict[str, Any]] = []
    if e.participant_id:
        entities.append(
            {"what": ref("Patient", e.participant_id), "role": {"code": "1", "display": "Patient"}}
        )
    if e.object_type:
        entities.append({"what": {"display": f"{e.object_type}/{e.object_id}".rstrip("/")}})
    resource: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": str(e.pk),
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"},
        "subtype": [{"system": f"{LOCAL}:audit-action", "code": e.action}],
        "action": AUDIT_ACTION_CODE.get(e.action, "E"),
        "recorded": instant(e.occurred_at),
        "outcome": AUDIT_OUTCOME.get(e.outcome, "8"),
        "agent": [agent],
        "source": {"observer": {"display": "Bridge"}, "site": e.request_id or None},
    }
    if not resource["source"]["site"]:
        del resource["source"]["site"]
    if entities:
        resource["entity"] = entities
    if e.detail.get("purpose") == "BTG":
        resource["purposeOfEvent"] = [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "BTG"}]}
        ]
    return resource
