"""The group-note flow in a real browser: write the shared part and each member's part, meet the
anti-cloning guard, fix it, sign; then a member's therapist sees only that member's part."""

from __future__ import annotations

import re
import time

import pytest

from bridge.clinical.models import Note
from bridge.clinical.tests.test_group_notes import ALEX_PART, BLAIR_PART
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_part(page, participant, texts):
    part = page.locator(f"#part-{participant.pk}")
    part.get_by_label("Participation").fill(texts[0])
    part.get_by_label("Response").fill(texts[1])
    part.get_by_label("Progress on their goals").fill(texts[2])


def _wait_for_part(note, participant, progress):
    """The autosaves of one part's fields run one after another; wait for the last to land."""
    for _ in range(60):
        entries = {e.participant_id: e for e in note.entries.all()}
        if entries[participant.pk].progress == progress:
            break
        time.sleep(0.5)
    return entries


def _wait_until_idle(page):
    """No htmx request in flight or queued behind the form's sync."""
    page.wait_for_function("() => document.querySelectorAll('.htmx-request').length === 0")
    time.sleep(0.3)
    page.wait_for_function("() => document.querySelectorAll('.htmx-request').length === 0")


def test_facilitator_writes_signs_and_each_chart_shows_only_its_own_part(group_session, admitted, page):
    w = admitted
    page.set_default_timeout(30_000)  # a loaded machine; nothing here is timed
    browser_login(page, "therapist_b", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Group notes").click()
    page.get_by_role("heading", name="Group notes").wait_for()
    page.locator("table.data tbody a").first.click()
    page.get_by_role("button", name="Start the group note").click()

    shared = page.get_by_role("region", name="Shared part")
    shared.get_by_label("Topic").fill("Relapse prevention: high-risk situations")
    shared.get_by_label("Shared content (what the whole group did)").fill(
        "Teaching on high-risk situations; refusal role-play."
    )
    shared.get_by_label("Relapse prevention").check()

    # Nothing is saved by hand: type every part, then press Sign straight away.
    _fill_part(page, w.alex, ALEX_PART)
    cloned = (ALEX_PART[0].replace("Alex", "Blair"), ALEX_PART[1], ALEX_PART[2])
    _fill_part(page, w.blair, cloned)
    # Autosaves run one at a time; wait for the last before signing (SQLite in tests is one writer).
    shared.get_by_label("Topic").click()
    page.locator(f"#status-{w.blair.pk}").get_by_text(re.compile("Saved at")).wait_for()
    # "Saved at" shows after the first of Blair's autosaves; wait for the last one to land and
    # for no request to be in flight (the test server shares one SQLite connection).
    _wait_for_part(Note.objects.get(session=group_session), w.blair, cloned[2])
    _wait_until_idle(page)
    page.get_by_role("button", name="Sign the group note").click()
    refusal = page.get_by_text(
        re.compile("The parts for Alex Sample and Blair Sample are nearly identical")
    ).first
    refusal.wait_for()
    note = Note.objects.get(session=group_session)
    assert note.signed_at is None and note.topic == "Relapse prevention: high-risk situations"
    # Everything typed is still on the page (and saved).
    assert (
        page.get_by_role("region", name="Shared part")
        .get_by_label("Topic")
        .input_value()
        .startswith("Relapse prevention")
    )
    assert page.locator(f"#part-{w.alex.pk}").get_by_label("Participation").input_value() == ALEX_PART[0]
    assert page.locator(f"#part-{w.blair.pk}").get_by_label("Participation").input_value() == cloned[0]

    # Rewrite Blair's part and move on: it is saved on its own (htmx), Alex's part untouched.
    _fill_part(page, w.blair, BLAIR_PART)
    page.locator(f"#part-{w.alex.pk}").get_by_label("Participation").click()
    page.locator(f"#status-{w.blair.pk}").get_by_text(re.compile("Saved at")).wait_for()
    entries = _wait_for_part(note, w.blair, BLAIR_PART[2])
    assert entries[w.blair.pk].progress == BLAIR_PART[2] and entries[w.alex.pk].participation == ALEX_PART[0]

    _wait_until_idle(page)
    page.get_by_role("button", name="Save the group note").click()
    page.get_by_text("Group note saved").wait_for()
    page.get_by_role("button", name="Sign the group note").click()
    page.get_by_text("Signed and locked.").wait_for()
    note = Note.objects.get(session=group_session)
    assert note.signed_at is not None and note.participant_count == 2
    assert page.get_by_role("button", name="Save the group note").count() == 0  # locked: no more editing

    # Alex's therapist opens Alex's chart: the shared part and Alex's own part, nothing of Blair's.
    page.get_by_role("button", name="Sign out").click()
    browser_login(page, "therapist_a", PASSWORD)
    page.goto(f"/participants/{w.alex.pk}/")
    page.get_by_role("region", name="Recent notes").get_by_role("link", name=re.compile("Group")).click()
    page.get_by_role("heading", name="Shared part (the whole group)").wait_for()
    body = page.locator("main").inner_text()
    assert "Teaching on high-risk situations" in body and ALEX_PART[2] in body
    assert "Blair" not in body and BLAIR_PART[2] not in body
