"""The notice of privacy practices: versioned, public with how to complain, given and acknowledged (or a
good-faith attempt), shown in the chart and on the director's privacy work list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format

from bridge.audit.models import AuditEvent
from bridge.participants.models import Participant
from bridge.privacy import notices, restrictions
from bridge.privacy.models import NoticeAcknowledgement


@pytest.fixture
def notice(world, today):
    return notices.notice_publish(
        actor=world.director,
        program=world.program,
        version="2026-02",
        effective_on=today,
        text=notices.DEFAULT_TEXT,
    )


def test_the_public_page_shows_the_current_version_and_how_to_complain(world, client, notice, today):
    url = reverse("privacy:public_notice", args=[world.program.pk])
    body = client.get(url).content.decode()
    assert "version 2026-02" in body.lower() and "Office for Civil Rights" in body and "retaliate" in body
    newer = notices.notice_publish(
        actor=world.director, program=world.program, version="2026-03", effective_on=today, text="New text."
    )
    assert notices.current_notice(world.program) == newer
    assert "New text." in client.get(url).content.decode()
    with pytest.raises(ValidationError):
        notices.notice_publish(
            actor=world.director, program=world.program, version="2026-03", effective_on=today, text="x"
        )


def test_acknowledgement_or_a_good_faith_attempt_is_recorded_and_shown_in_the_chart(
    world, login, notice, today
):
    client = login(world.therapist_a)
    url = reverse("privacy:notice_chart", args=[world.alex.pk])
    missing = client.post(url, {"outcome": "good_faith", "given_on": today.isoformat()})
    assert missing.status_code == 400 and "attempt_note" in missing.context["form"].errors
    response = client.post(
        url, {"outcome": "acknowledged", "given_on": today.isoformat(), "signer_name": "Alex Sample"}
    )
    assert response.status_code == 302
    ack = NoticeAcknowledgement.objects.get()
    assert ack.notice == notice and ack.signer_name == "Alex Sample"
    assert AuditEvent.objects.filter(object_type="notice_acknowledgement", detail__version="2026-02").exists()
    assert "Alex Sample" in client.get(url).content.decode()
    assert login(world.outsider).get(url).status_code == 404


def test_the_work_list_names_active_participants_without_an_acknowledgement(world, login, notice, today):
    Participant.objects.filter(pk=world.alex.pk).update(status=Participant.Status.ACTIVE)
    page = login(world.director).get(reverse("privacy:compliance"))
    assert page.status_code == 200
    assert world.alex in page.context["no_notice"]
    notices.notice_acknowledge(
        actor=world.director,
        participant=world.alex,
        outcome="good_faith",
        given_on=today - timedelta(days=1) if notice.effective_on < today else today,
        attempt_note="Given at admission; the participant declined to sign.",
    )
    page = login(world.director).get(reverse("privacy:compliance"))
    assert world.alex not in page.context["no_notice"]
    assert login(world.therapist_a).get(reverse("privacy:compliance")).status_code == 403


def test_the_chart_shows_the_notice_given_and_the_restrictions_agreed(
    world, login, notice, today, recipients
):
    url = reverse("participants:section", args=[world.alex.pk, "consents"])
    client = login(world.therapist_a)
    body = client.get(url).content.decode()
    assert "version 2026-02" in body and "not given yet" in body and "Restrictions agreed" not in body
    notices.notice_acknowledge(
        actor=world.therapist_a,
        participant=world.alex,
        outcome="good_faith",
        given_on=today,
        attempt_note="Given at admission; declined to sign.",
    )
    restriction = restrictions.restriction_request(
        actor=world.therapist_a,
        participant=world.alex,
        requested_on=today,
        request_text="Nothing more to my employer.",
        recipient=recipients["employer"],
    )
    assert "Restrictions agreed" not in client.get(url).content.decode()  # requested, not yet agreed
    restrictions.restriction_decide(actor=world.director, restriction=restriction, agree=True)
    body = client.get(url).content.decode()
    assert (
        "not given yet" not in body
        and f"good-faith attempt recorded) on {date_format(today, 'DATE_FORMAT')}" in body
    )
    assert "Restrictions agreed" in body and "Not to Acme Freight HR" in body
    assert login(world.outsider).get(url).status_code == 404
