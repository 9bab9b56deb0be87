"""A participant's status is written only by the workflows that mean it.

The scan reads every Bridge module (not tests, migrations or test support) and finds each place that
sets a participant status: `x.status = <a Participant.Status>`, and `status=<a Participant.Status>`
in a create or update. Each must be in a workflow's service module (or the demo's seed data).
A new place fails here until it is a workflow, named below.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

WORKFLOWS = {
    "bridge/participants/services.py": "a new person (prospect), admission, hold and resume",
    "bridge/intake/services.py": "screening starts, referral elsewhere",
    "bridge/intake/public_services.py": "a public self-check asking for a call-back (a new prospect)",
    "bridge/aftercare/services.py": "discharge",
    "bridge/aftercare/stepping.py": "step-down and step-up",
    "bridge/aftercare/followup.py": "alumni enrolment",
}
# The demo is a picture of a running program, seeded directly (its final state is checked by
# `bridge check-records` in participants/tests/test_records_workflow.py).
SEED_DATA = {
    "bridge/demo/builder.py",
    "bridge/intake/demo.py",
    "bridge/aftercare/demo.py",
    "bridge/safety/demo.py",
}
WRITE_CALLS = {"update", "create", "get_or_create", "update_or_create", "Participant"}


def _status_aliases(tree: ast.Module) -> set[str]:
    """Names bound to Participant.Status in the module (e.g. `S = Participant.Status`)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and ast.unparse(node.value) == "Participant.Status":
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _is_participant_status(value: ast.expr, aliases: set[str]) -> bool:
    text = ast.unparse(value)
    if text.startswith("Participant.Status.") or text.endswith(".status_before"):
        return True
    return isinstance(value, ast.Attribute) and ast.unparse(value.value) in aliases


def status_writes(source: str) -> list[int]:
    """The line numbers where `source` sets a participant status."""
    tree = ast.parse(source)
    aliases = _status_aliases(tree)
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                is_status = isinstance(target, ast.Attribute) and target.attr == "status"
                if is_status and _is_participant_status(node.value, aliases):
                    lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in WRITE_CALLS:
                for kw in node.keywords:
                    if kw.arg == "status" and _is_participant_status(kw.value, aliases):
                        lines.append(node.lineno)
    return lines


def test_the_scan_finds_a_status_write():
    found = status_writes(
        "S = Participant.Status\n"
        "p.status = S.ACTIVE\n"
        "Participant.objects.filter(pk=1).update(status=Participant.Status.ALUMNI)\n"
        "Participant.objects.filter(status=S.ACTIVE)\n"  # a read
        "if p.status == S.ACTIVE: pass\n"
    )
    assert found == [2, 3]


def test_status_is_written_only_by_the_workflows():
    root = Path(settings.BASE_DIR)
    found: dict[str, list[int]] = {}
    for path in sorted((root / "bridge").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if "/tests/" in rel or "/migrations/" in rel or rel.startswith("bridge/testing/"):
            continue
        lines = status_writes(path.read_text())
        if lines:
            found[rel] = lines
    outside = {f: lines for f, lines in found.items() if f not in WORKFLOWS and f not in SEED_DATA}
    assert outside == {}, "status written outside a workflow (see this test's docstring)"
    # Each workflow module named here still writes a status (the list stays true).
    assert set(WORKFLOWS) <= set(found)
