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
    "active": "token",
}


def _param(resource: str, name: str) -> dict[str, Any]:
    base = "Resource" if name.startswith("_") else resource
    return {
        "name": name,
        "definition": f"http://hl7.org/fhir/SearchParameter/{base}-{name.lstrip('_')}",
        "type": _PARAM_TYPES[name],
    }


def capability_statement(base: str) -> dict[str, Any]:
    resources = []
    for rtype in TYPES.values():
        entry: dict[str, Any] = {
            "type": rtype.name,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            # _count is a result parameter (supported, up to 500), not a search parameter.
            "searchParam": [
                _param(rtype.name, name) for name in (*COMMON_PARAMS, *rtype.params) if name != "_count"
            ],
        }
        if rtype.includes:
            entry["searchInclude"] = list(rtype.includes)
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
        "date": "2026-12-06",
        "publisher": "Bridge",
        "kind": "instance",
        "software": {"name": "Bridge"},
        "implementation": {"description": "Bridge FHIR R4 API (read-only)", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Read-only: read and search-type on the listed types, and Bulk Data $export. "
                    "Every resource about a participant carries the 42 CFR Part 2 security labels. "
                    "user/ tokens see what their staff member sees on the screens; system/ tokens see "
                    "only what a participant's consent releases to the client, with the redisclosure "
                    "notice."
                ),
                "security": security(base),
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


def security(base: str) -> dict[str, Any]:
    """What the server really does: SMART Backend Services for system clients (token endpoint only:
    there is no authorize endpoint, so no app launch is claimed), and bearer tokens issued by a
    director for staff. See /.well-known/smart-configuration."""
    token_url = base.removesuffix("/fhir") + "/oauth/token"
    return {
        "extension": [
            {
                "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                "extension": [{"url": "token", "valueUri": token_url}],
            }
        ],
        "service": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                        "display": "SMART-on-FHIR",
                    }
                ],
                "text": "SMART Backend Services (client credentials with a signed JWT assertion)",
            }
        ],
        "description": (
            f"System clients: SMART Backend Services. Register the client's public keys (JWKS) with "
            f"the program; POST grant_type=client_credentials with a client_assertion signed RS384 or "
            f"ES384 to {token_url} for a 5-minute access token with system/ scopes "
            "(system/*.read, system/<Type>.read, SMART v2 .r/.s/.rs). "
            "Staff: a bearer token issued on the director's API tokens page, with user/ scopes, "
            "acting with that staff member's access until it expires. "
            "Send either as Authorization: Bearer <token>. Discovery: "
            f"{base}/.well-known/smart-configuration. No write scopes, no patient/ scopes, "
            "no app launch."
        ),
    }
