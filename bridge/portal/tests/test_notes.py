"""The participant's notes in their app (i19n): none by default; the program chooses the kinds; signed
notes only, with addenda; a group note gives only their own part; never another participant's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.clinical.models import Note
from bridge.clinical.services import notes
from bridge.clinical.tests.conftest import (  # noqa: F401 (fixtures)
    admitted,
    attend,
    group_session,
    group_type,
    individual_session,
    make_session,
)
from bridge.clinical.tests.test_group_notes import ALEX_PART, BLAIR_PART
from bridge.portal.models import RELEASABLE_NOTE_KINDS, ParticipantAppSettings
from bridge.portal.tests.conftest import sign_in

DAP_DATA = "Alex talked about the weekend and the two calls that helped."
DAP_PLAN = "Keep the craving log; next session Tuesday."
DRAFT_TEXT = "Draft thoughts not yet signed."


def _release(program, *kinds: str) -> None:
    ParticipantAppSettings.objects.update_or_create(
        program=program, defaults={"released_note_kinds": list(kinds)}
    )


def _signed_dap(w, session, participant, data=DAP_DATA, plan=DAP_PLAN, author=None):
    author = author or w.therapist_a
    note = notes.note_create(
        actor=author, participant=participant, session=session, kind="individual", template="dap"
    )
    notes.note_update(actor=author, note=note, data=data, assessment="Steady.", plan=plan)
    notes.note_sign(actor=author, note=note)
    note.refresh_from_db()
    if note.cosign_required:  # an unlicensed author: the director co-signs
        notes.note_cosign(actor=w.director, note=note)
    return note


def _signed_group(w, session):
    note = notes.group_note_start(actor=w.therapist_b, session=session)
    notes.group_note_update_shared(
        actor=w.therapist_b,
        note=note,
        topic="Coping with cravings",
        shared_text="Urge surfing practice with the whole group.",
        interventions=["cbt"],
    )
    for p, texts in ((w.alex, ALEX_PART), (w.blair, BLAIR_PART)):
        notes.group_entry_save(
            actor=w.therapist_b,
            note=note,
            participant=p,
            participation=texts[0],
            response=texts[1],
            progress=texts[2],
        )
    notes.note_sign(actor=w.therapist_b, note=note)
    note.refresh_from_db()
    if note.cosign_required:
        notes.note_cosign(actor=w.director, note=note)
    return note


@pytest.fixture
def world_with_notes(admitted, individual_session, group_session, app_world):  # noqa: F811
    """Alex: a signed individual note, a draft, a signed group note; Blair: a signed individual note."""
    w = admitted
    signed = _signed_dap(w, individual_session, w.alex)
    second = make_session(w, days_ago=3)
    attend(second, w.alex)
    draft = notes.note_create(
        actor=w.therapist_a, participant=w.alex, session=second, kind="individual", template="dap"
    )
    notes.note_update(actor=w.therapist_a, note=draft, data=DRAFT_TEXT)
    group = _signed_group(w, group_session)
    blair_session = make_session(w, days_ago=2)
    attend(blair_session, w.blair)
    blairs = _signed_dap(
        w, blair_session, w.blair, data="Blair private individual detail.", plan="Blair plan."
    )
    w.notes = {"signed": signed, "draft": draft, "group": group, "blairs": blairs}
    return w


def test_the_kinds_a_program_may_release_are_kinds_of_notes_bridge_keeps():
    assert set(RELEASABLE_NOTE_KINDS) <= set(Note.Kind.values)
    assert not any("counsel" in k or "psychotherapy" in k for k in RELEASABLE_NOTE_KINDS)


def test_by_default_no_notes_are_shown_and_the_pages_are_404(client, world_with_notes):
    w = world_with_notes
    sign_in(client)
    assert ParticipantAppSettings.for_program(w.program).note_kinds == []
    assert client.get(reverse("portal:notes")).status_code == 404
    assert client.get(reverse("portal:note", args=[w.notes["signed"].pk])).status_code == 404
    documents = client.get(reverse("portal:documents")).content.decode()
    assert reverse("portal:notes") not in documents


def test_released_shows_signed_notes_only_with_addenda_and_audits_each_read(client, world_with_notes):
    w = world_with_notes
    _release(w.program, "individual", "group")
    signed = w.notes["signed"]
    notes.note_addendum_add(
        actor=w.therapist_a, note=signed, entry=None, reason="Clarify", text="Called back Wednesday."
    )
    sign_in(client)
    assert reverse("portal:notes") in client.get(reverse("portal:documents")).content.decode()
    listing = client.get(reverse("portal:notes"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert reverse("portal:note", args=[signed.pk]) in html
    assert reverse("portal:note", args=[w.notes["group"].pk]) in html
    assert reverse("portal:note", args=[w.notes["draft"].pk]) not in html
    assert reverse("portal:note", args=[w.notes["blairs"].pk]) not in html
    page = client.get(reverse("portal:note", args=[signed.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert DAP_DATA in text and DAP_PLAN in text and "Called back Wednesday." in text
    assert "What happened in the session" in text
    assert client.get(reverse("portal:note", args=[w.notes["draft"].pk])).status_code == 404
    reads = AuditEvent.objects.filter(action="read", participant=w.alex, object_type="note")
    assert reads.filter(object_id="").exists() and reads.filter(object_id=str(signed.pk)).exists()


def test_only_the_released_kinds_are_shown(client, world_with_notes):
    w = world_with_notes
    _release(w.program, "group")
    sign_in(client)
    html = client.get(reverse("portal:notes")).content.decode()
    assert reverse("portal:note", args=[w.notes["group"].pk]) in html
    assert reverse("portal:note", args=[w.notes["signed"].pk]) not in html
    assert client.get(reverse("portal:note", args=[w.notes["signed"].pk])).status_code == 404


def test_a_note_entered_in_error_or_awaiting_cosignature_is_not_shown(client, world_with_notes):
    w = world_with_notes
    _release(w.program, "individual")
    signed = w.notes["signed"]
    notes.note_mark_error(actor=w.therapist_a, note=signed, reason="Wrong participant")
    Note.objects.filter(pk=w.notes["draft"].pk).update(
        signed_at=signed.signed_at, cosign_required=True, cosigned_at=None
    )
    sign_in(client)
    assert client.get(reverse("portal:note", args=[signed.pk])).status_code == 404
    assert client.get(reverse("portal:note", args=[w.notes["draft"].pk])).status_code == 404


def test_another_participants_note_is_404(client, world_with_notes):
    w = world_with_notes
    _release(w.program, *RELEASABLE_NOTE_KINDS)
    sign_in(client)
    assert client.get(reverse("portal:note", args=[w.notes["blairs"].pk])).status_code == 404
    assert "Blair" not in client.get(reverse("portal:notes")).content.decode()


def test_a_group_note_shows_only_their_own_part(client, world_with_notes):
    w = world_with_notes
    _release(w.program, "group")
    group = w.notes["group"]
    notes.note_addendum_add(
        actor=w.therapist_b,
        note=group,
        entry=group.entries.get(participant=w.blair),
        reason="Late",
        text="Blair private addendum",
    )
    notes.note_addendum_add(
        actor=w.therapist_b,
        note=group,
        entry=group.entries.get(participant=w.alex),
        reason="Follow-up",
        text="Alex called the next day.",
    )
    sign_in(client)
    html = client.get(reverse("portal:note", args=[group.pk])).content.decode()
    assert all(part in html for part in ALEX_PART) and "Alex called the next day." in html
    assert "Coping with cravings" in html
    for other in ("Blair", *BLAIR_PART, "Blair private addendum", "Urge surfing practice"):
        assert other not in html, other


def test_staff_cannot_use_the_notes_pages(login, world_with_notes):
    w = world_with_notes
    _release(w.program, *RELEASABLE_NOTE_KINDS)
    client = login(w.therapist_a)
    assert client.get(reverse("portal:notes")).status_code == 403
    assert client.get(reverse("portal:note", args=[w.notes["signed"].pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, world_with_notes):
    response = client.get(reverse("portal:notes"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal:sign_in"))


def test_the_notes_pages_in_spanish(client, world_with_notes):
    w = world_with_notes
    _release(w.program, "individual", "group")
    sign_in(client)
    client.post(reverse("portal:language"), {"language": "es", "next": reverse("portal:home")})
    listing = client.get(reverse("portal:notes")).content.decode()
    assert "Notas de sus sesiones" in listing and "Sesión individual" in listing
    page = client.get(reverse("portal:note", args=[w.notes["signed"].pk])).content.decode()
    assert "Lo que pasó en la sesión" in page and DAP_DATA in page
    group = client.get(reverse("portal:note", args=[w.notes["group"].pk])).content.decode()
    assert "Cómo participó" in group


def test_a_director_chooses_the_kinds_and_the_change_is_audited(login, world_with_notes):
    w = world_with_notes
    client = login(w.director)
    url = reverse("portal:app_settings", args=[w.program.pk])
    page = client.get(url).content.decode()
    assert "Show signed notes to participants" in page
    data = {
        "office_days": ["0", "1", "2", "3", "4"],
        "opens_at": "09:00",
        "closes_at": "17:00",
        "show_measures": "on",
        "released_note_kinds": ["group", "individual"],
    }
    assert client.post(url, data).status_code == 302
    assert ParticipantAppSettings.for_program(w.program).note_kinds == ["individual", "group"]
    event = AuditEvent.objects.filter(
        object_type="participant_app_settings", action__in=["create", "update"]
    ).last()
    assert event is not None and event.detail["changed"]["released_note_kinds"] == [
        [],
        ["individual", "group"],
    ]
    bad = client.post(url, {**data, "released_note_kinds": ["counseling_notes"]})
    assert bad.status_code == 400
    assert ParticipantAppSettings.for_program(w.program).note_kinds == ["individual", "group"]
