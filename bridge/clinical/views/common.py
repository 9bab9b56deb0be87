"""Helpers every clinical view uses."""

from __future__ import annotations

from bridge.core.forms import apply_errors  # noqa: F401 (the clinical views import it from here)
from bridge.participants.access import Cap


def caps_of(request) -> dict[str, bool]:
    caps = getattr(request, "participant_caps", frozenset())
    return {c.value: (c in caps) for c in Cap}


def chart_context(request, participant, **extra) -> dict:
    return {"participant": participant, "caps": caps_of(request), **extra}
