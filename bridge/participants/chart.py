"""The context every page of a participant's chart gives its template (any app's chart page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from bridge.participants.access import Cap


def caps_of(request: HttpRequest) -> dict[str, bool]:
    caps: frozenset[Cap] = getattr(request, "participant_caps", frozenset())
    return {c.value: (c in caps) for c in Cap}


def chart_context(request: HttpRequest, participant: Any, **extra: Any) -> dict[str, Any]:
    return {"participant": participant, "caps": caps_of(request), **extra}
