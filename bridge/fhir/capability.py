"""The CapabilityStatement, generated from the registry so it lists exactly what is implemented."""

from __future__ import annotations

from typing import Any

from bridge.fhir.registry import COMMON_PARAMS, TYPES

_PARAM_TYPES = {
    "_id": "token",
    "_lastUpdated": "date",
    "_count": "number",
    "patient": "reference",
    "subject": "reference",
    "date": "date",
    "code": "token",
    "status": "token",
}


def capability_statement(base: str) -> dict[str, Any]:
    resources = []
    for rtype in TYPES.values():
        entry: dict[str, Any] = {
            "type": rtype.name,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": name, "type": _PARAM_TYPES[name]} for name in (*COMMON_PARAMS, *rtype.params)
            ],
        }
        if rtype.description:
            entry["documentation"] = rtype.description
        if rtype.name in ("Patient", "Group"):
            entry["operation"] = [
                {
                    "name": "export",
                    "definition": f"http://hl7.org/fhir/uv/bulkdata/OperationDefinition/{rtype.name.lower()}-export",
                }
            ]
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-26",
        "publisher": "Bridge",
        "kind": "instance",
        "software": {"name": "Bridge"},
        "implementation": {"description": "Bridge FHIR R4 API", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Every resource about a participant carries the 42 CFR Part 2 security labels. "
                    "user/ tokens "
                    "see what their staff member sees on the screens; system/ tokens see only what a "
                    "participant's consent releases to the client, with the redisclosure notice."
                ),
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "description": (
                        "Authorization: Bearer <API token>. Tokens carry SMART-style scopes "
                        "(user/*.read, system/*.read, system/Patient.read, ...)."
                    ),
                },
                "resource": resources,
                "operation": [
                    {
                        "name": "export",
                        "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
                    }
                ],
            }
        ],
    }
