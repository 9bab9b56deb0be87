"""Helpers every clinical view uses."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from bridge.participants.access import Cap


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: named fields where the form has them, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def caps_of(request) -> dict[str, bool]:
    caps = getattr(request, "participant_caps", frozenset())
    return {c.value: (c in caps) for c in Cap}


def chart_context(request, participant, **extra) -> dict:
    return {"participant": participant, "caps": caps_of(request), **extra}
