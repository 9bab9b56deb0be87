"""Issue 21, finding 6: every free-text field of every form has a limit fit for its purpose, which the
page shows (the field's maxlength; bridge/static/bridge/limits.js counts down as it is approached)."""

from __future__ import annotations

from django import forms

from bridge.core.forms import text_limited
from bridge.core.tests.test_date_ranges import _form_classes

# Not free text: an id, a one-time code, an ISO week; a password is checked by the password rules.
NOT_FREE_TEXT = (forms.UUIDField, forms.RegexField)
EXEMPT = {"bridge.accounts.forms.LoginForm.password"}


def test_every_text_field_of_every_form_has_a_limit():
    missing = []
    checked = 0
    for cls in _form_classes():
        for name, field in cls.base_fields.items():  # type: ignore[attr-defined]
            if not isinstance(field, forms.CharField) or isinstance(field, NOT_FREE_TEXT):
                continue
            if type(field).__name__ == "WeekField" or f"{cls.__module__}.{cls.__name__}.{name}" in EXEMPT:
                continue
            checked += 1
            if not field.max_length:
                missing.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert checked >= 150
    assert missing == []


def test_a_limited_model_text_field_shows_its_limit_and_refuses_more():
    field = text_limited(10)(widget=forms.Textarea)
    assert field.widget_attrs(field.widget)["maxlength"] == "10"
    assert field.clean("x" * 10) == "x" * 10
    try:
        field.clean("x" * 11)
    except forms.ValidationError as exc:
        assert "at most 10 characters" in exc.messages[0]
    else:
        raise AssertionError("11 characters were accepted")
