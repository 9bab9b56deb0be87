"""Every template keeps to what the Content-Security-Policy allows and to the head block for CSS.

The CSP (django-csp, settings) allows no inline style or script: an inline `style=` attribute, a
`<style>` element, an inline `<script>` or an `on…=` handler would be blocked in the browser. Style
sheets belong in base.html's `{% block head %}`, not in the body.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ALL = sorted(TEMPLATES.rglob("*.html"))

INLINE = [
    (re.compile(r"""\sstyle\s*=\s*["']""", re.I), "an inline style attribute"),
    (re.compile(r"<style[\s>]", re.I), "a <style> element"),
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I), "an inline event handler"),
]


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_inline_style_or_script(path: Path):
    text = path.read_text()
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert not found, f"{path.relative_to(TEMPLATES)} has {', '.join(found)}: the CSP blocks it"


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_style_sheets_are_linked_from_the_head(path: Path):
    text = path.read_text()
    if path.name == "base.html":
        return
    outside_head = re.sub(r"\{% block head %\}.*?\{% endblock %\}", "", text, flags=re.S)
    assert 'rel="stylesheet"' not in outside_head, (
        f"{path.relative_to(TEMPLATES)} links a style sheet outside {{% block head %}}"
    )


def test_base_has_a_head_block_inside_head():
    base = (TEMPLATES / "base.html").read_text()
    head = base[base.index("<head>") : base.index("</head>")]
    assert "{% block head %}" in head
