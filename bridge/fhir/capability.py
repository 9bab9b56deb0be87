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
        if rtype.name == "Patient":
            entry["operation"].append(
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                    "documentation": (
                        "Instance level, GET, with _count (paged by next links); what the caller may "
                        "see of the patient's records (care team, consent, or the participant's own app)."
                    ),
                }
            )
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
                    "Read-only: read and search-type on the listed types, Patient/[id]/$everything, "
                    "and Bulk Data $export. "
                    "Every resource about a participant carries the 42 CFR Part 2 security labels. "
                    "user/ tokens see what their staff member sees on the screens; system/ tokens see "
                    "only what a participant's consent releases to the client, with the redisclosure "
                    "notice; patient/ tokens (an app the participant authorized) see that participant's own "
                    "records only."
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
    """What the server really does: SMART Backend Services for system clients, SMART App Launch
    standalone launch with PKCE for apps participants authorize (no EHR launch, no OpenID Connect, no
    refresh tokens), and bearer tokens issued by a director for staff. See
    /.well-known/smart-configuration."""
    root = base.removesuffix("/fhir")
    token_url = root + "/oauth/token"
    authorize_url = root + "/oauth/authorize"
    return {
        "extension": [
            {
                "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                "extension": [
                    {"url": "authorize", "valueUri": authorize_url},
                    {"url": "token", "valueUri": token_url},
                ],
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
                "text": (
                    "SMART Backend Services (client credentials with a signed JWT assertion); SMART App "
                    "Launch standalone launch with PKCE for participants' apps"
                ),
            }
        ],
        "description": (
            f"System clients: SMART Backend Services. Register the client's public keys (JWKS) with "
            f"the program; POST grant_type=client_credentials with a client_assertion signed RS384 or "
            f"ES384 to {token_url} for a 5-minute access token with system/ scopes "
            "(system/*.read, system/<Type>.read, SMART v2 .r/.s/.rs). "
            f"Participants' apps (public clients, registered with their redirect URIs): standalone "
            f"launch at {authorize_url} with response_type=code, aud={base}, PKCE S256 required, "
            "scopes launch/patient and patient/*.read, patient/*.rs or patient/<Type>.read|r|s|rs; the "
            "participant signs in with their app sign-in and approves on a consent screen; the code "
            f"and code_verifier are exchanged at {token_url} for a one-hour token whose response names "
            "the patient; it reads only that participant's own records, until they revoke it. "
            "Staff: a bearer token issued on the director's API tokens page, with user/ scopes, "
            "acting with that staff member's access until it expires. "
            "Send any of them as Authorization: Bearer <token>. Discovery: "
            f"{base}/.well-known/smart-configuration. No write scopes, no EHR launch, no OpenID "
            "Connect (openid, fhirUser), no refresh tokens."
        ),
    }
