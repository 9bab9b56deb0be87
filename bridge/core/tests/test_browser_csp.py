"""The main pages of every role, in Debian's Chromium under the real Content-Security-Policy: the
browser reports no CSP violation (an inline style, script or handler the policy blocks) and no
JavaScript error on any of them.

The static scan (test_templates.py) reads the templates; this one sees what the browser refuses,
including what a script adds to the page after it loads."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import override_settings

from bridge.clinical.models import Note
from bridge.scheduling.models import Session, SessionKind
from bridge.testing.browser import browser_login
from bridge.testing.snapshots import FAST_HASHERS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every `securitypolicyviolation` event of the page, kept on the window before any page script runs.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(
    `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
  );
});
"""


@pytest.fixture
def demo_ctx(transactional_db):
    from bridge.demo import builder

    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        return builder.build(scale=1)


def _pages_by_login(ctx) -> dict[str | None, list[str]]:
    therapist = ctx.staff["therapist1"]
    participant = next(p for p in ctx.participants if ctx.primary_of(p) == therapist)
    chart = f"/participants/{participant.pk}/"
    note = (
        Note.objects.filter(participant=participant, author=therapist).order_by("-created_at").first()
        or Note.objects.filter(participant=participant).first()
    )
    group = Session.objects.filter(program=ctx.program, kind=SessionKind.GROUP).order_by("starts_at").first()
    assert note is not None and group is not None
    therapist_pages = [
        "/",
        chart,
        f"{chart}notes/",
        f"{chart}notes/new/",
        f"{chart}notes/{note.pk}/",
        f"{chart}plan/",
        f"{chart}consents/",
        f"{chart}disclosures/",
        "/groups/",
        f"/groups/{group.pk}/",
        "/schedule/week/",
    ]
    return {
        "therapist1": therapist_pages,
        "director": [
            "/",
            "/schedule/week/",
            "/schedule/today/",
            "/privacy/compliance/",
            "/privacy/notices/",
            "/privacy/recipients/",
            f"{chart}intake/",
        ],
        "frontdesk": ["/", "/schedule/today/"],
        None: ["/find/", "/find/?where=94607&radius=25", f"/privacy-notice/{ctx.program.pk}/"],
    }


def _wait_until_idle(page) -> None:
    page.wait_for_load_state("load")
    page.wait_for_function("() => document.querySelectorAll('.htmx-request').length === 0")
    time.sleep(0.3)
    page.wait_for_function("() => document.querySelectorAll('.htmx-request').length === 0")


def test_no_page_of_any_role_breaks_the_content_security_policy(demo_ctx, chromium, live_server):
    assert "'unsafe-inline'" not in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    problems: list[str] = []
    visited = 0
    for login, paths in _pages_by_login(demo_ctx).items():
        context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        context.add_init_script(WATCH)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(f"JavaScript error: {exc}"))
        page.on(
            "console",
            lambda msg, errors=errors: (
                errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
            ),
        )
        if login is not None:
            browser_login(page, login, settings.BRIDGE_DEMO_PASSWORD)
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        for path in paths:
            errors.clear()
            response = page.goto(path)
            assert response is not None and response.status == 200, (
                login,
                path,
                response and response.status,
            )
            _wait_until_idle(page)
            violations = page.evaluate("() => window.__violations")
            problems += [f"{login or 'public'} {path}: {v}" for v in [*violations, *errors]]
            visited += 1
        context.close()
    assert visited >= 20
    assert not problems, "\n".join(problems)
