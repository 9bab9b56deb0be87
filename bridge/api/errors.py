"""One error shape for the whole JSON API: {"error": {"code", "message", "field"}}.

Bad input is 400 and names the field; a 500 is always a bug.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from ninja import Schema


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None = None


class Error(Schema):
    error: ErrorDetail


class ApiError(Exception):
    """Raise from an endpoint to answer `status` with a named field and a message."""

    def __init__(self, status: int, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.code = code


def error_body(message: str, *, field: str | None = None, code: str = "invalid") -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def field_path(loc: Sequence[Any]) -> str:
    """Turn pydantic's location (e.g. ['body', 'payload', 'responses', 3]) into 'responses[3]'."""
    parts = [p for p in loc if p not in ("body", "payload", "query", "path")]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


@contextmanager
def refused_as_400(*, prefix: str = "") -> Iterator[None]:
    """The JSON API's `bridge.core.refusal`: run a service inside it, and its ValidationError answers
    400 naming the first field at fault (`prefix` + field; none when the refusal names no field)."""
    try:
        yield
    except ValidationError as exc:
        field, messages = (
            next(iter(exc.message_dict.items())) if hasattr(exc, "error_dict") else (None, exc.messages)
        )
        named = f"{prefix}{field}" if field and field != NON_FIELD_ERRORS else None
        raise ApiError(400, " ".join(messages), field=named) from None
