"""One error path for views: no view catches a service's ValidationError by hand.

A view runs a service inside `bridge.core.refusal` (`on_form`, `as_message`, `silently`; scheduling's
`booking_refusal` for services that book), and a JSON API operation inside `bridge.api.errors.refused_as_400`.
This test reads every view module's source and fails on an `except ValidationError` (or a tuple
naming it) written in a view, so the next view cannot grow its own copy.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from bridge.core import refusal

BRIDGE = Path(__file__).resolve().parents[2]

# (module path relative to bridge/, function name) -> why it may catch ValidationError itself.
# Keep it empty unless a view truly cannot use the helper.
ALLOWED: dict[tuple[str, str], str] = {}


def _is_view_module(path: Path) -> bool:
    rel = path.relative_to(BRIDGE)
    if "tests" in rel.parts or "migrations" in rel.parts:
        return False
    return (
        path.name in ("views.py", "api.py")
        or path.name.endswith("_views.py")
        or (len(rel.parts) > 1 and rel.parts[-2] == "views")
    )


def _names(node: ast.expr | None) -> list[str]:
    if node is None:
        return []
    if isinstance(node, ast.Tuple):
        return [n for elt in node.elts for n in _names(elt)]
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    return []


def hand_caught(source: str) -> list[tuple[str, int]]:
    """(enclosing function, line) of every `except` naming ValidationError in `source`."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = child.name
            if isinstance(child, ast.ExceptHandler) and "ValidationError" in _names(child.type):
                found.append((name, child.lineno))
            visit(child, name)

    visit(ast.parse(source), "<module>")
    return found


def view_modules() -> list[Path]:
    return sorted(p for p in BRIDGE.rglob("*.py") if _is_view_module(p))


def test_the_scan_finds_view_modules_in_every_shape():
    found = {str(p.relative_to(BRIDGE)) for p in view_modules()}
    assert {
        "intake/views.py",  # views.py
        "clinical/views/notes.py",  # a views/ package
        "portal/rights_views.py",  # <topic>_views.py
        "scheduling/api.py",  # JSON API operations
    } <= found
    assert not any("tests" in f for f in found)


def test_the_scan_catches_a_hand_written_handler():
    source = """
def view(request):
    try:
        service()
    except (KeyError, exceptions.ValidationError) as exc:
        apply_errors(form, exc)
    try:
        other()
    except ValidationError:
        pass
    with refusal.on_form(form):
        service()
"""
    assert hand_caught(source) == [("view", 5), ("view", 9)]


def test_no_view_catches_validation_error_by_hand():
    offenders = [
        f"{path.relative_to(BRIDGE)}:{line} in {function}()"
        for path in view_modules()
        for function, line in hand_caught(path.read_text())
        if (str(path.relative_to(BRIDGE)), function) not in ALLOWED
    ]
    assert not offenders, (
        "Run the service inside bridge.core.refusal (on_form / as_message / silently) instead of "
        "catching ValidationError in the view:\n" + "\n".join(offenders)
    )


def test_the_allow_list_names_only_real_handlers():
    for (module, function), reason in ALLOWED.items():
        assert reason.strip(), f"{module}:{function} needs a reason"
        assert function in {f for f, _ in hand_caught((BRIDGE / module).read_text())}, (
            f"{module}:{function} no longer catches ValidationError: take it off the allow-list"
        )


# --- The helper itself ---------------------------------------------------------------------------


class _Form(forms.Form):
    name = forms.CharField()
    on = forms.DateField(required=False)


def _request():
    request = RequestFactory().post("/")
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def test_on_form_puts_each_refusal_on_its_field_and_the_rest_at_the_top():
    form = _Form({"name": "x"})
    assert form.is_valid()
    with refusal.on_form(form, aliases={"day": "on"}) as outcome:
        raise ValidationError({"name": "Taken.", "day": "Too early.", "other": "At the top."})
    assert outcome.refused
    assert form.errors == {"name": ["Taken."], "on": ["Too early."], "__all__": ["At the top."]}


def test_on_form_skips_the_rest_of_the_block_and_passes_other_exceptions():
    form = _Form({"name": "x"})
    form.is_valid()
    ran: list[str] = []
    with refusal.on_form(form, field="name") as outcome:
        raise ValidationError("Not now.")
        ran.append("after")  # pragma: no cover
    assert ran == [] and outcome.refused and outcome.messages == ["Not now."]
    assert form.errors == {"name": ["Not now."]}
    with pytest.raises(KeyError), refusal.on_form(form):
        raise KeyError("x")
    with refusal.on_form(form) as fine:
        pass
    assert not fine.refused and fine.messages == []


def test_on_form_at_top_puts_field_errors_at_the_top():
    form = _Form({"name": "x"})
    form.is_valid()
    with refusal.on_form(form, at_top=True):
        raise ValidationError({"name": "Row one."})
    assert form.errors == {"__all__": ["Row one."]}


def test_as_message_shows_one_error_message_with_its_prefix():
    request = _request()
    with refusal.as_message(request, prefix="Ana: "):
        raise ValidationError({"a": "One.", "b": ["Two.", "Three."]})
    assert [str(m) for m in get_messages(request)] == ["Ana: One. Two. Three."]
    assert [m.level_tag for m in get_messages(request)] == ["error"]


def test_silently_shows_nothing_but_keeps_the_messages():
    with refusal.silently() as outcome:
        raise ValidationError(["First.", "Second."])
    assert outcome.refused and outcome.messages == ["First.", "Second."]


def test_on_form_can_keep_the_messages_of_no_field_for_the_page():
    form = _Form({"name": "x"})
    form.is_valid()
    page_errors: list[str] = []
    with refusal.on_form(form, unplaced=page_errors):
        raise ValidationError({"name": "Taken.", "__all__": "Already revoked."})
    assert form.errors == {"name": ["Taken."]} and page_errors == ["Already revoked."]
    with refusal.on_form(form, unplaced=page_errors):
        raise ValidationError("Closed.")
    assert page_errors == ["Already revoked.", "Closed."]


# --- Console commands ----------------------------------------------------------------------------

# Commands that catch ValidationError themselves, and why (not a service's refusal).
COMMANDS_ALLOWED: dict[tuple[str, str], str] = {
    ("directory/management/commands/directory.py", "_as_of"): "parses an option, not a service refusal",
}


def test_no_command_catches_a_refusal_by_hand():
    offenders = [
        f"{rel}:{line} in {function}()"
        for path in sorted(BRIDGE.glob("*/management/commands/*.py"))
        for rel in [str(path.relative_to(BRIDGE))]
        for function, line in hand_caught(path.read_text())
        if (rel, function) not in COMMANDS_ALLOWED
    ]
    assert not offenders, "Run the service inside bridge.core.refusal.as_command_error():\n" + "\n".join(
        offenders
    )


def test_as_command_error_names_each_field_and_its_messages():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as caught, refusal.as_command_error():
        raise ValidationError({"name": ["Too long.", "Taken."], "__all__": "Closed.", "scopes": "Unknown."})
    assert str(caught.value) == "name: Too long. Taken.; Closed.; scopes: Unknown."
    assert isinstance(caught.value.__cause__, ValidationError)
    with pytest.raises(CommandError, match=r"^First\.; Second\.$"), refusal.as_command_error():
        raise ValidationError(["First.", "Second."])
    with pytest.raises(KeyError), refusal.as_command_error():
        raise KeyError("other")
