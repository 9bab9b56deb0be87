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


_SP = "http://hl7.org/fhir/SearchParameter/"
# The R4 SearchParameter each offered parameter is, where R4 defines one for that type: shared ones
# (clinical-patient, clinical-date, clinical-code, medications-status) or the type's own.
_CLINICAL_PATIENT = {
    "CarePlan", "Condition", "Consent", "DocumentReference", "Encounter", "EpisodeOfCare", "Goal",
    "MedicationAdministration", "MedicationRequest", "Observation",
}  # fmt: skip
_CLINICAL_DATE = {"CarePlan", "Consent", "Encounter", "EpisodeOfCare", "Observation"}
_CLINICAL_CODE = {"Condition", "MedicationAdministration", "MedicationRequest", "Observation"}
_MEDICATIONS = {"MedicationAdministration", "MedicationRequest"}
_OWN = {
    ("Patient", "active"),
    ("Appointment", "patient"),
    ("AuditEvent", "patient"),
    ("QuestionnaireResponse", "patient"),
    ("Appointment", "date"),
    ("AuditEvent", "date"),
    ("DocumentReference", "date"),
    ("Questionnaire", "code"),
    *((name, "subject") for name in (
        "CarePlan", "Condition", "DocumentReference", "Encounter", "Goal", "MedicationAdministration",
        "MedicationRequest", "Observation", "QuestionnaireResponse",
    )),
    *((name, "status") for name in (
        "Appointment", "CarePlan", "Consent", "DocumentReference", "Encounter", "EpisodeOfCare",
        "Observation", "Questionnaire", "QuestionnaireResponse",
    )),
}  # fmt: skip
# Parameters Bridge offers under a name R4 does not define for that type: said so, with what they do.
BRIDGE_DEFINED = {
    ("Condition", "date"): "Bridge's own: when the plan naming the diagnosis was signed (recorded).",
    ("MedicationRequest", "date"): "Bridge's own: the day the medication starts (eq, ge, le, gt, lt).",
    ("MedicationAdministration", "date"): "Bridge's own: when the dose was given (eq, ge, le, gt, lt).",
    ("QuestionnaireResponse", "date"): "Bridge's own: when the answers were given (R4's `authored`).",
    ("Goal", "status"): "Bridge's own: Goal.lifecycleStatus (R4's `lifecycle-status`).",
    ("AuditEvent", "code"): "Bridge's own: the audited action's code.",
}


def definition(resource: str, name: str) -> str | None:
    """The canonical URL of the R4 SearchParameter `name` is for `resource`; None when R4 has none."""
    if name.startswith("_"):
        return f"{_SP}Resource-{name.lstrip('_')}"
    if (name == "patient" and resource in _CLINICAL_PATIENT) or (
        name == "date" and resource in _CLINICAL_DATE
    ):
        return f"{_SP}clinical-{name}"
    if name == "code" and resource in _CLINICAL_CODE:
        return f"{_SP}clinical-code"
    if name == "status" and resource in _MEDICATIONS:
        return f"{_SP}medications-status"
    if (resource, name) in _OWN:
        return f"{_SP}{resource}-{name}"
    return None


def _param(resource: str, name: str) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name}
    url = definition(resource, name)
    if url is not None:
        out["definition"] = url
    out["type"] = _PARAM_TYPES[name]
    if url is None:
        out["documentation"] = BRIDGE_DEFINED[(resource, name)]
    return out


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
                        "see of the patient's records (care team, consent, or the participant's own app), "
                        "without the Patient entry when the caller may not see the demographics."
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
        # CORS headers for the origins of registered patient apps only (bridge/fhir/cors.py).
        "cors": True,
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
            "Send any of them as Authorization: Bearer <token>. CORS: the token endpoint, discovery "
            "and this API answer browser apps from the origins of registered patient apps' redirect "
            "URIs only (no credentials). Discovery: "
            f"{base}/.well-known/smart-configuration. No write scopes, no EHR launch, no OpenID "
            "Connect (openid, fhirUser), no refresh tokens."
        ),
    }
