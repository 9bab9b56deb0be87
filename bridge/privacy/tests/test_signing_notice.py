"""The participant acknowledges the notice of privacy practices on a screen, through the same private
signature link as a consent: the exact version shown, by hash; a newer notice needs a new link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.privacy import notices, signing
from bridge.privacy.models import NoticeAcknowledgement, SignatureRequest

pytestmark = pytest.mark.django_db

SIGN = {"date_of_birth": "1990-05-17", "typed_name": "Alex Sample", "agreed": "on"}


@pytest.fixture
def notice(world, today):
    return notices.notice_publish(
        actor=world.director,
        program=world.program,
        version="2026-02",
        effective_on=today - timedelta(days=30),
        text=notices.DEFAULT_TEXT,
    )


def test_staff_make_a_notice_link_and_the_participant_acknowledges_it_on_a_screen(
    world, login, client, notice
):
    staff = login(world.frontdesk)
    page = staff.post(reverse("privacy:notice_sign_request", args=[world.alex.pk]), {"channel": "desk"})
    assert page.status_code == 200
    request = SignatureRequest.objects.get(kind=SignatureRequest.Kind.NOTICE)
    assert request.payload == {"notice": str(notice.pk)} and not NoticeAcknowledgement.objects.exists()
    token = page.content.decode().split("/sign/")[1].split("/")[0]
    staff.logout()

    url = reverse("privacy:sign", args=[token])
    shown = client.get(url)
    assert shown.status_code == 200
    assert "Notice of privacy practices" in shown.content.decode()
    assert notice.text_sha256 in shown.content.decode()
    assert "I have received and read this notice" in shown.content.decode()
    done = client.post(url, SIGN)
    assert done.status_code == 200
    ack = NoticeAcknowledgement.objects.get(participant=world.alex)
    assert ack.notice == notice and ack.outcome == "acknowledged" and ack.signer_name == "Alex Sample"
    request.refresh_from_db()
    assert request.status == "signed" and request.acknowledgement == ack and request.consent is None
    event = AuditEvent.objects.get(action="sign", object_type="notice_acknowledgement")
    assert event.detail["document_sha256"] == request.document_hash and event.participant == world.alex
    # The link works once.
    assert client.get(url).status_code == 404
    # The chart shows it was signed on a screen.
    chart = login(world.frontdesk).get(reverse("privacy:notice_chart", args=[world.alex.pk]))
    assert "on a screen" in chart.content.decode()


def test_a_newer_notice_published_after_the_link_needs_a_new_link(world, client, notice, today):
    request, token = signing.notice_signature_request(
        actor=world.frontdesk, participant=world.alex, channel="phone"
    )
    notices.notice_publish(
        actor=world.director, program=world.program, version="2026-12", effective_on=today, text="New text."
    )
    response = client.post(reverse("privacy:sign", args=[token]), SIGN)
    assert response.status_code == 400 and "newer notice" in response.content.decode()
    assert not NoticeAcknowledgement.objects.exists()
    request.refresh_from_db()
    assert request.status == "pending"


def test_no_published_notice_means_no_link(world, login):
    client = login(world.frontdesk)
    response = client.post(reverse("privacy:notice_sign_request", args=[world.alex.pk]), {"channel": "desk"})
    assert response.status_code == 302 and not SignatureRequest.objects.exists()


def test_a_bad_channel_makes_no_link(world, login, notice):
    client = login(world.frontdesk)
    client.post(reverse("privacy:notice_sign_request", args=[world.alex.pk]), {"channel": "carrier-pigeon"})
    assert not SignatureRequest.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "therapist_b"])
def test_staff_who_cannot_see_the_participant_get_a_404(world, login, notice, persona):
    client = login(getattr(world, persona))
    response = client.post(reverse("privacy:notice_sign_request", args=[world.alex.pk]), {"channel": "desk"})
    assert response.status_code == 404 and not SignatureRequest.objects.exists()


def test_a_get_is_not_allowed(world, login, notice):
    client = login(world.frontdesk)
    assert client.get(reverse("privacy:notice_sign_request", args=[world.alex.pk])).status_code == 405
