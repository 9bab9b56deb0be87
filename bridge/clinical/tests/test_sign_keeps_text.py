"""Nothing typed is lost: "Sign and lock" saves the text on the page and signs in one POST, a refusal
comes back with everything typed, and the group note is one form whose parts also autosave."""

from __future__ import annotations

from django.urls import reverse

from bridge.clinical.models import GroupNoteEntry, Note
from bridge.clinical.services import notes
from bridge.clinical.tests.test_group_notes import ALEX_PART, BLAIR_PART

DATA = "Alex reported two cravings this week, both managed with urge surfing."


def _draft(w, session):
    return notes.note_create(
        actor=w.therapist_a, participant=w.alex, session=session, kind="individual", template="dap"
    )


def test_signing_without_saving_first_saves_the_text_and_signs(individual_session, admitted, login):
    note = _draft(admitted, individual_session)
    client = login(admitted.therapist_a)
    response = client.post(
        reverse("clinical:note_sign", args=[admitted.alex.pk, note.pk]),
        {"data": DATA, "assessment": "Engaged; insight improving.", "plan": "Continue weekly CBT."},
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.signed_at is not None and note.data == DATA and note.plan == "Continue weekly CBT."


def test_a_refused_signature_keeps_everything_typed_and_says_why(individual_session, admitted, login):
    note = _draft(admitted, individual_session)
    client = login(admitted.therapist_a)
    response = client.post(
        reverse("clinical:note_sign", args=[admitted.alex.pk, note.pk]),
        {"data": DATA, "assessment": "", "plan": "Continue weekly CBT."},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert DATA in page and "Continue weekly CBT." in page
    assert "Write the assessment part." in page and "not signed yet" in page
    note.refresh_from_db()
    assert note.signed_at is None and note.data == DATA  # the draft was kept on the server as well


def test_the_sign_button_lives_in_the_same_form_as_the_text(individual_session, admitted, login):
    note = _draft(admitted, individual_session)
    page = login(admitted.therapist_a).get(reverse("clinical:note", args=[admitted.alex.pk, note.pk]))
    html = page.content.decode()
    form = html[html.index('<form method="post" novalidate data-unsaved-warning') :]
    form = form[: form.index("</form>")]
    assert 'name="data"' in form and reverse("clinical:note_sign", args=[admitted.alex.pk, note.pk]) in form


def _group_post(w, shared=True, alex=ALEX_PART, blair=BLAIR_PART):
    data: dict = {}
    if shared:
        data.update(topic="Relapse prevention", shared_text="High-risk situations; refusal role-play.")
    for p, texts in ((w.alex, alex), (w.blair, blair)):
        if texts is None:
            continue
        prefix = f"p{p.pk.hex[:8]}"
        data.update(
            {
                f"{prefix}-participation": texts[0],
                f"{prefix}-response": texts[1],
                f"{prefix}-progress": texts[2],
            }
        )
    return data


def test_one_save_keeps_the_shared_part_and_every_members_part(group_session, admitted, login):
    client = login(admitted.therapist_b)
    url = reverse("clinical:group", args=[group_session.pk])
    client.post(url, {"start": "1"})
    response = client.post(url, _group_post(admitted))
    assert response.status_code == 302
    note = Note.objects.get(session=group_session)
    assert note.topic == "Relapse prevention" and note.shared_text.startswith("High-risk")
    parts = {e.participant_id: e for e in GroupNoteEntry.objects.filter(note=note)}
    assert parts[admitted.alex.pk].participation == ALEX_PART[0]
    assert parts[admitted.blair.pk].progress == BLAIR_PART[2]


def test_saving_one_part_keeps_the_others(group_session, admitted, login):
    client = login(admitted.therapist_b)
    url = reverse("clinical:group", args=[group_session.pk])
    client.post(url, {"start": "1"})
    client.post(url, _group_post(admitted))
    note = Note.objects.get(session=group_session)
    changed = ("Alex spoke first tonight about the party.", ALEX_PART[1], ALEX_PART[2])
    response = client.post(
        reverse("clinical:group_entry", args=[group_session.pk, admitted.alex.pk]),
        _group_post(admitted, alex=changed, blair=None, shared=False),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Saved at" in response.content.decode()
    note.refresh_from_db()
    assert note.topic == "Relapse prevention"
    parts = {e.participant_id: e for e in GroupNoteEntry.objects.filter(note=note)}
    assert parts[admitted.alex.pk].participation == changed[0]
    assert parts[admitted.blair.pk].participation == BLAIR_PART[0]


def test_the_shared_part_autosaves_on_its_own(group_session, admitted, login):
    client = login(admitted.therapist_b)
    url = reverse("clinical:group", args=[group_session.pk])
    client.post(url, {"start": "1"})
    response = client.post(
        url, {"only": "shared", "topic": "Coping", "shared_text": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    note = Note.objects.get(session=group_session)
    assert note.topic == "Coping" and not note.entries.exists()  # no empty parts created


def test_a_refused_group_signature_saves_and_keeps_every_part(group_session, admitted, login):
    client = login(admitted.therapist_b)
    client.post(reverse("clinical:group", args=[group_session.pk]), {"start": "1"})
    cloned = (ALEX_PART[0].replace("Alex", "Blair"), ALEX_PART[1], ALEX_PART[2])
    response = client.post(
        reverse("clinical:group_sign", args=[group_session.pk]), _group_post(admitted, blair=cloned)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "nearly identical" in page and "Saved, but not signed" in page
    assert ALEX_PART[0] in page and cloned[0] in page and "High-risk situations" in page
    note = Note.objects.get(session=group_session)
    assert note.signed_at is None and note.entries.count() == 2


def test_group_sign_in_one_post_signs_what_is_on_the_page(group_session, admitted, login):
    client = login(admitted.therapist_b)
    client.post(reverse("clinical:group", args=[group_session.pk]), {"start": "1"})
    response = client.post(reverse("clinical:group_sign", args=[group_session.pk]), _group_post(admitted))
    assert response.status_code == 302
    note = Note.objects.get(session=group_session)
    assert note.signed_at is not None and note.participant_count == 2


def test_each_substance_starts_not_tested_and_must_be_entered(admitted, login):
    client = login(admitted.nurse)
    url = reverse("clinical:screen_create", args=[admitted.alex.pk])
    page = client.get(url + "?panel=5").content.decode()
    assert 'value="" selected>Not tested' in page
    response = client.post(
        url, {"collected_on": "2026-01-05", "specimen": "urine", "panel": "5", "result_AMP": "negative"}
    )
    assert response.status_code == 400
    assert "Enter the result for" in response.content.decode()
    assert (
        "result_COC" in response.context["form"].errors
        and "result_AMP" not in response.context["form"].errors
    )
