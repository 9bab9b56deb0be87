"""OperationOutcome errors: every failure of the FHIR API is one, with the right status."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

FHIR_JSON = "application/fhir+json"

# HTTP status -> OperationOutcome issue code.
_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    422: "processing",
}


class FhirError(Exception):
    def __init__(self, status: int, message: str, *, expression: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.expression = expression


def outcome(message: str, *, code: str, severity: str = "error", expression: str | None = None) -> dict:
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": message}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def fhir_response(body: dict, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(json.dumps(body, separators=(",", ":")), status=status, content_type=FHIR_JSON)
    for key, value in headers.items():
        response[key.replace("_", "-")] = value
    return response


def error_response(exc: FhirError) -> HttpResponse:
    body = outcome(exc.message, code=_CODES.get(exc.status, "exception"), expression=exc.expression)
    response = fhir_response(body, exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="bridge-fhir"'
    return response
