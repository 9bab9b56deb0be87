"""Idle sign-out never destroys work, in a real browser with the idle limit shortened to 10 seconds:
the page warns before the limit and "Stay signed in" keeps the session; if it still ends, signing
in again returns to the same page with the typed text restored from the server's draft, and says
so, even in another browser (nothing is kept in the first browser's storage)."""

from __future__ import annotations

import pytest

from bridge.accounts.models import Draft
from bridge.clinical.services import notes
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Alex described a hard weekend and the two calls that helped."


def test_warning_stay_signed_in_and_text_restored_after_signing_in_again(
    individual_session, admitted, page, settings, chromium, live_server
):
    settings.BRIDGE_IDLE_SECONDS = 10  # warns 5 s before the limit (half the limit when it is short)
    w = admitted
    note = notes.note_create(
        actor=w.therapist_a, participant=w.alex, session=individual_session, kind="individual", template="dap"
    )
    page.set_default_timeout(40_000)
    browser_login(page, "therapist_a", PASSWORD)
    url = f"/participants/{w.alex.pk}/notes/{note.pk}/"
    page.goto(url)

    # The warning comes, and "Stay signed in" keeps the session.
    stay = page.get_by_role("button", name="Stay signed in")
    stay.wait_for()
    stay.click()
    # 5 s (the warning) + 7 s is past the original limit, and 7 s after the ping is within it: still
    # signed in thanks to the ping.
    page.wait_for_timeout(7_000)
    assert page.request.get(url, max_redirects=0).status == 200  # the session is alive (not sent to sign in)
    page.get_by_label("Data").fill(TEXT)  # typing counts as activity too
    assert page.get_by_role("button", name="Sign and lock").is_visible()

    # Now nobody touches the page: the session ends, and the page goes to the sign-in form.
    page.get_by_label("Username").wait_for(timeout=60_000)
    assert "next=" in page.url
    page.get_by_label("Username").fill("therapist_a")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("You were signed out while writing. Restored your unsaved draft from").wait_for()
    assert page.url.split("?")[0].endswith(url)
    assert page.get_by_label("Data").input_value() == TEXT
    assert Draft.objects.get(author=w.therapist_a).fields["data"] == TEXT  # kept by the server

    # A fresh browser (no cookies, no storage of the first one) gets the draft back from the server.
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(40_000)
    other = context.new_page()
    try:
        browser_login(other, "therapist_a", PASSWORD)
        other.goto(url)
        other.get_by_text("Restored your unsaved draft from").wait_for()
        assert other.get_by_label("Data").input_value() == TEXT
        # "Discard the draft" puts the saved note back (empty) and forgets the draft.
        other.get_by_role("button", name="Discard the draft").click()
        assert other.get_by_label("Data").input_value() == ""
        other.wait_for_function("() => !document.querySelector('.draft-restored')")
        for _ in range(20):
            if not Draft.objects.exists():
                break
            other.wait_for_timeout(250)
        assert not Draft.objects.exists()
    finally:
        context.close()
