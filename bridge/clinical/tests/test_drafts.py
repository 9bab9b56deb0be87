"""Server-side drafts of free text (issue 13): kept as the clinician types, read back only by their
author on the same page, behind the page's own access check, and gone once the form is saved."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from bridge.accounts.models import Draft
from bridge.accounts.views import draft_saved_label
from bridge.audit.models import AuditEvent
from bridge.clinical.services import notes, plans

TEXT = "Alex described a hard weekend and the two calls that helped."
SAVE = reverse("accounts:draft_save")
LOAD = reverse("accounts:draft_load")
DISCARD = reverse("accounts:draft_discard")


@pytest.fixture
def note(individual_session, admitted):
    w = admitted
    return notes.note_create(
        actor=w.therapist_a, participant=w.alex, session=individual_session, kind="individual", template="dap"
    )


def _page(w, note) -> str:
    return reverse("clinical:note", args=[w.alex.pk, note.pk])


def _save(client, page, fields, form="note"):
    return client.post(SAVE, {"page": page, "form": form, **{f"field:{k}": v for k, v in fields.items()}})


def _load(client, page, form="note", since=None):
    data = {"page": page, "form": form}
    if since:
        data["since"] = since
    return client.post(LOAD, data)


def test_the_author_saves_a_draft_and_reads_it_back_with_the_time(note, admitted, login):
    client = login(admitted.therapist_a)
    page = _page(admitted, note)
    assert _save(client, page, {"data": "first"}).status_code == 200
    assert _save(client, page, {"data": TEXT, "plan": "Weekly CBT."}).status_code == 200
    draft = Draft.objects.get()
    assert draft.author == admitted.therapist_a and draft.page == page and draft.fields["data"] == TEXT
    # The first save is audited (it holds chart text); the saves after it are not.
    created = AuditEvent.objects.filter(action="create", object_type="draft")
    assert created.count() == 1 and created.get().participant == admitted.alex

    answer = _load(client, page).json()["draft"]
    assert answer["fields"] == {"data": TEXT, "plan": "Weekly CBT."}
    assert answer["saved_at_label"] == f"today at {timezone.localtime(draft.saved_at):%H:%M}"
    restored = AuditEvent.objects.filter(action="read", object_type="draft", object_id=str(draft.pk))
    assert restored.count() == 1 and restored.get().actor == admitted.therapist_a


def test_another_clinician_on_the_same_page_neither_reads_nor_overwrites_the_authors_draft(
    note, admitted, login, client
):
    page = _page(admitted, note)
    _save(login(admitted.therapist_a), page, {"data": TEXT})
    director = login(admitted.director)  # may document for every Harbor participant
    assert _load(director, page).json() == {"draft": None}
    assert _save(director, page, {"data": "The director's own words."}).status_code == 200
    assert director.post(DISCARD, {"page": page, "form": "note"}).json() == {"discarded": 1}
    mine = Draft.objects.get(author=admitted.therapist_a)
    assert mine.fields == {"data": TEXT}
    assert not Draft.objects.filter(author=admitted.director).exists()


@pytest.mark.parametrize("who", ["outsider", "therapist_b"])
def test_someone_who_may_not_see_the_chart_gets_404(note, admitted, login, who):
    client = login(getattr(admitted, who))
    page = _page(admitted, note)
    assert _save(client, page, {"data": TEXT}).status_code == 404
    assert _load(client, page).status_code == 404
    assert not Draft.objects.exists()
    assert AuditEvent.objects.filter(action="access_denied", actor=getattr(admitted, who)).exists()


@pytest.mark.parametrize("who", ["peer", "frontdesk"])
def test_someone_who_sees_alex_but_may_not_document_gets_403(note, admitted, login, who):
    client = login(getattr(admitted, who))  # peer: on Alex's team, read-only; front desk: details only
    assert _save(client, _page(admitted, note), {"data": TEXT}).status_code == 403
    assert _load(client, _page(admitted, note)).status_code == 403
    assert not Draft.objects.exists()


def test_a_page_that_keeps_no_drafts_is_404_and_a_bad_page_is_400(note, admitted, login):
    client = login(admitted.therapist_a)
    chart = reverse("participants:detail", args=[admitted.alex.pk])
    assert _save(client, chart, {"x": "y"}).status_code == 404
    assert _save(client, "/no/such/page/", {"x": "y"}).status_code == 404
    response = _save(client, "https://elsewhere.example/", {"x": "y"})
    assert response.status_code == 400 and "page" in response.json()["errors"]


def test_oversized_or_malformed_drafts_are_refused_with_400_naming_the_field(note, admitted, login):
    client = login(admitted.therapist_a)
    page = _page(admitted, note)
    too_big = _save(client, page, {f"f{i}": "x" * 9_000 for i in range(25)})  # ~225 KB
    assert too_big.status_code == 400 and "fields" in too_big.json()["errors"]
    long_field = _save(client, page, {"data": "x" * 20_001})
    assert long_field.status_code == 400 and "fields" in long_field.json()["errors"]
    too_many = _save(client, page, {f"f{i}": "x" for i in range(201)})
    assert too_many.status_code == 400 and "fields" in too_many.json()["errors"]
    no_form = client.post(SAVE, {"page": page, "field:data": TEXT})
    assert no_form.status_code == 400 and "form" in no_form.json()["errors"]
    assert not Draft.objects.exists()


def test_anonymous_is_sent_to_sign_in_and_get_is_not_allowed(note, admitted, login, client):
    page = _page(admitted, note)
    response = _save(client, page, {"data": TEXT})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert login(admitted.therapist_a).get(SAVE).status_code == 405


def test_a_draft_older_than_the_saved_record_is_dropped(note, admitted, login):
    client = login(admitted.therapist_a)
    page = _page(admitted, note)
    _save(client, page, {"data": TEXT})
    later = (timezone.now() + timedelta(seconds=5)).isoformat()
    assert _load(client, page, since=later).json() == {"draft": None}
    assert not Draft.objects.exists()


def test_saving_the_note_deletes_its_draft(note, admitted, login):
    client = login(admitted.therapist_a)
    page = _page(admitted, note)
    _save(client, page, {"data": TEXT})
    response = client.post(page, {"data": TEXT, "assessment": "", "plan": ""})
    assert response.status_code == 302
    assert not Draft.objects.exists()


def test_signing_the_note_deletes_its_draft_and_a_refusal_keeps_it(note, admitted, login):
    client = login(admitted.therapist_a)
    page = _page(admitted, note)
    sign = reverse("clinical:note_sign", args=[admitted.alex.pk, note.pk])
    _save(client, page, {"data": TEXT})
    refused = client.post(sign, {"data": TEXT, "assessment": "", "plan": "Weekly CBT."})
    assert refused.status_code == 400 and Draft.objects.count() == 1
    signed = client.post(sign, {"data": TEXT, "assessment": "Engaged.", "plan": "Weekly CBT."})
    assert signed.status_code == 302
    note.refresh_from_db()
    assert note.signed_at is not None and not Draft.objects.exists()


def test_adding_a_goal_deletes_only_the_goal_forms_draft(admitted, login):
    w = admitted
    plan = plans.plan_start(actor=w.therapist_a, participant=w.alex)
    version = plan.versions.get()
    problem = plans.plan_problem_add(actor=w.therapist_a, version=version, code="F11.20")
    client = login(w.therapist_a)
    page = reverse("clinical:plan_version", args=[w.alex.pk, version.pk])
    _save(client, page, {"statement": "Stay in recovery"}, form="goal")
    _save(client, page, {"statement": "Attend 3 groups a week"}, form="objective")
    response = client.post(
        reverse("clinical:plan_goal_add", args=[w.alex.pk, version.pk]),
        {"problem": problem.pk, "statement": "Stay in recovery"},
    )
    assert response.status_code == 302
    assert list(Draft.objects.values_list("form_key", flat=True)) == ["objective"]


def test_the_draft_pages_mark_their_forms(note, admitted, login):
    html = login(admitted.therapist_a).get(_page(admitted, note)).content.decode()
    assert 'data-draft="note"' in html and f'data-draft-page="{_page(admitted, note)}"' in html
    assert "data-draft-since=" in html and 'data-drafts-url="/accounts/drafts/save/"' in html


def test_group_note_drafts_follow_who_may_open_the_group(group_session, admitted, login):
    from bridge.clinical.tests.test_sign_keeps_text import _group_post

    w = admitted
    page = reverse("clinical:group", args=[group_session.pk])
    fields = {"shared_text": "High-risk situations; refusal role-play."}
    assert _save(login(w.therapist_a), page, fields, form="group-note").status_code == 404  # not theirs
    assert _save(login(w.outsider), page, fields, form="group-note").status_code == 404
    client = login(w.therapist_b)  # the facilitator
    assert _save(client, page, fields, form="group-note").status_code == 200
    assert _load(client, page, form="group-note").json()["draft"]["fields"] == fields
    client.post(page, {"start": "1"})
    assert client.post(page, _group_post(w)).status_code == 302  # one Save keeps every part
    assert not Draft.objects.exists()


def test_consent_and_aftercare_plan_pages_keep_drafts_for_who_may_edit_them(admitted, login):
    w = admitted
    consent = reverse("privacy:consent_create", args=[w.alex.pk, "tpo"])
    aftercare = reverse("aftercare:plan_edit", args=[w.alex.pk])
    for page in (consent, aftercare):  # (login() signs the one test client in as someone else)
        assert _save(login(w.therapist_a), page, {"purpose": "Coordinate care."}, form="x").status_code == 200
        assert _save(login(w.outsider), page, {"purpose": "x"}, form="x").status_code == 404
    assert set(Draft.objects.values_list("page", flat=True)) == {consent, aftercare}
    html = login(w.therapist_a).get(consent).content.decode()
    assert f'data-draft-page="{consent}"' in html


def test_the_restore_message_names_the_day_of_an_older_draft():
    zone = ZoneInfo("America/Los_Angeles")
    with time_machine.travel(datetime(2026, 12, 8, 9, 0, tzinfo=zone), tick=False), timezone.override(zone):
        assert draft_saved_label(datetime(2026, 12, 8, 7, 53, tzinfo=zone)) == "today at 07:53"
        assert draft_saved_label(datetime(2026, 12, 7, 18, 5, tzinfo=zone)) == "Mon Dec 7, 18:05"
