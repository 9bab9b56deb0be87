"""An individual note in a real browser: type, press "Sign and lock" without saving, and nothing is lost."""

from __future__ import annotations

import re

import pytest

from bridge.clinical.models import Note
from bridge.clinical.services import notes
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_without_saving_keeps_the_text_and_signs_once_complete(individual_session, admitted, page):
    w = admitted
    note = notes.note_create(
        actor=w.therapist_a, participant=w.alex, session=individual_session, kind="individual", template="dap"
    )
    page.set_default_timeout(30_000)  # a loaded machine; nothing here is timed
    browser_login(page, "therapist_a", PASSWORD)
    page.goto(f"/participants/{w.alex.pk}/notes/{note.pk}/")
    page.get_by_label("Data").fill("Alex reported two cravings, both managed with urge surfing.")
    page.get_by_label("Plan").fill("Continue weekly CBT.")
    page.get_by_role("button", name="Sign and lock").click()  # the assessment is still empty
    page.get_by_text("Write the assessment part.").first.wait_for()
    assert page.get_by_label("Data").input_value().startswith("Alex reported two cravings")
    assert page.get_by_label("Plan").input_value() == "Continue weekly CBT."

    page.get_by_label("Assessment").fill("Engaged; insight improving.")
    page.get_by_role("button", name="Sign and lock").click()
    page.get_by_text(re.compile("Signed and locked")).first.wait_for()
    note = Note.objects.get(pk=note.pk)
    assert note.signed_at is not None and note.data.startswith("Alex reported") and note.assessment
