"""i19n on a phone-sized screen (390 x 844), in Debian's Chromium: the participant reads the notes their
program released (a long unbroken word does not widen the page), in English and in Spanish, and opens
their recovery-plan link and the public self-check in Spanish. Axe-core finds no violation."""

from __future__ import annotations

import pytest

from bridge.aftercare import services as aftercare
from bridge.aftercare.models import AftercarePlan
from bridge.clinical.services import notes
from bridge.clinical.tests.conftest import admitted, attend, make_session  # noqa: F401
from bridge.participants.models import Participant
from bridge.portal.models import ParticipantAppSettings
from bridge.portal.tests.test_browser_documents import no_violations, phone_context, sign_in_by_code  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "Talked about the weekend. " + "x" * 300


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_notes_and_private_links_on_a_phone_in_both_languages(admitted, app_world, phone_context):  # noqa: F811
    w = app_world
    session = make_session(w, days_ago=2)
    attend(session, w.alex)
    note = notes.note_create(
        actor=w.therapist_a, participant=w.alex, session=session, kind="individual", template="dap"
    )
    notes.note_update(actor=w.therapist_a, note=note, data=LONG, assessment="Steady.", plan="Keep the log.")
    notes.note_sign(actor=w.therapist_a, note=note)
    note.refresh_from_db()
    if note.cosign_required:
        notes.note_cosign(actor=w.director, note=note)
    ParticipantAppSettings.objects.create(program=w.program, released_note_kinds=["individual"])
    # Casey has no app account: their private link opens on its own, in the language on their record.
    Participant.objects.filter(pk=w.casey.pk).update(language="es")
    plan = AftercarePlan.objects.create(
        participant=w.casey,
        coping="Call my sponsor",
        contacts=[{"name": "Sam", "phone": "510-555-0100", "relationship": "sponsor"}],
        updated_by=w.therapist_a,
    )
    _link, token = aftercare.plan_link_create(actor=w.therapist_a, plan=plan)

    page = phone_context.new_page()
    sign_in_by_code(page)
    page.goto("/me/documents/")
    page.get_by_role("link", name="Read the notes your care team signed").click()
    page.get_by_role("heading", name="Notes from your sessions").wait_for()
    no_violations(page)
    page.get_by_role("link", name="Individual session").click()
    page.get_by_role("heading", name="What happened in the session").wait_for()
    _fits(page)
    no_violations(page)
    page.get_by_role("button", name="Español").click()
    page.get_by_role("heading", name="Lo que pasó en la sesión").wait_for()
    _fits(page)
    no_violations(page)
    page.goto("/me/notes/")
    page.get_by_role("heading", name="Notas de sus sesiones").wait_for()
    no_violations(page)

    # Another phone, no app: Casey's plan link in the language on their record, then the switcher.
    base = page.url.split("/me/")[0]
    other = phone_context.browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    stranger = other.new_page()
    stranger.goto(f"{base}/my-plan/{token}/")
    stranger.get_by_role("heading", name="Mi plan de recuperación").wait_for()
    _fits(stranger)
    no_violations(stranger)
    stranger.get_by_role("button", name="English").click()
    stranger.get_by_role("heading", name="My recovery plan").wait_for()
    stranger.goto(f"{base}/self-check/{w.program.pk}/")
    stranger.get_by_role("button", name="Español").click()
    stranger.get_by_role(
        "heading", name="Unas preguntas sobre el alcohol, las drogas y cómo se siente"
    ).wait_for()
    _fits(stranger)
    no_violations(stranger)
    other.close()
