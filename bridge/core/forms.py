"""Form helpers shared by every app."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting


def apply_errors(form: forms.BaseForm, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: on the named field when the form has it (after
    `aliases`, service field -> form field), else at the top of the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    aliases = aliases or {}
    for field, errors in exc.message_dict.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def uuid_or_none(text: str | None) -> uuid.UUID | None:
    """A posted or query-string id as a UUID; None when it is missing or not a UUID (filtering a UUID
    primary key by such text raises ValidationError: a 500, not "not found")."""
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def choices_of(field: forms.ChoiceField) -> list[tuple[Any, Any]]:
    """A choice field's choices as (value, label) pairs. Django normalizes what is assigned into
    pairs; django-stubs types the getter like the setter (which also takes callables and mappings)."""
    return list(cast(Iterable[tuple[Any, Any]], field.choices))


def text_limited(limit: int) -> type[forms.CharField]:
    """For a ModelForm's `field_classes`: the form field of a model TextField, with a limit fit for its
    purpose (the textarea's maxlength, so the person sees it as they approach it: bridge/limits.js)."""

    class LimitedText(forms.CharField):
        def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
            super().__init__(*args, max_length=min(max_length or limit, limit), **kwargs)

    LimitedText.__name__ = f"TextLimited{limit}"
    return LimitedText


class FormRenderer(TemplatesSetting):
    """Forms render with the project's templates; every field through the one field template."""

    field_template_name = "forms/field.html"
