"""The participant signs a consent on a screen (ESIGN/UETA event), or staff attach the signed paper scan."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.privacy import packages, signing
from bridge.privacy.models import Consent, SignatureMethod, SignatureRequest
from bridge.privacy.vocab import ConsentType, DataClass, Purpose


def _consent_fields(world, recipients, today):
    return {
        "consent_type": ConsentType.NAMED,
        "patient_name": world.alex.legal_name,
        "discloser": "Harbor",
        "data_classes": [DataClass.ATTENDANCE],
        "recipients": [recipients["employer"]],
        "purposes": [Purpose.EMPLOYMENT],
        "expires_on": today + timedelta(days=90),
        "expiry_event": "",
    }


@pytest.fixture
def link(world, recipients, today):
    request, token = signing.consent_signature_request(
        actor=world.therapist_a,
        participant=world.alex,
        channel="phone",
        consent=_consent_fields(world, recipients, today),
    )
    return request, token


def test_staff_prepare_a_consent_for_signature_and_nothing_is_recorded_until_it_is_signed(
    world, login, recipients, today
):
    client = login(world.therapist_a)
    url = reverse("privacy:consent_create", args=[world.alex.pk, ConsentType.NAMED])
    response = client.post(
        url,
        {
            "patient_name": world.alex.legal_name,
            "discloser": "Harbor",
            "data_classes": [DataClass.ATTENDANCE],
            "recipients": [recipients["employer"].pk],
            "purposes": [Purpose.EMPLOYMENT],
            "expires_on": (today + timedelta(days=90)).isoformat(),
            "sign_on_screen": "phone",
        },
    )
    assert response.status_code == 200
    assert "/sign/" in response.content.decode()
    assert not Consent.objects.exists()
    request = SignatureRequest.objects.get()
    assert request.status == "pending" and len(request.document_hash) == 64
    assert AuditEvent.objects.filter(object_type="signature_request", action="create").exists()


def test_the_participant_signs_with_date_of_birth_typed_name_and_a_tick(world, client, link):
    request, token = link
    url = reverse("privacy:sign", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "Acme Freight HR" in page.content.decode()
    wrong = client.post(url, {"date_of_birth": "1991-01-01", "typed_name": "Alex Sample", "agreed": "on"})
    assert wrong.status_code == 400 and "date_of_birth" in wrong.context["form"].errors
    unticked = client.post(url, {"date_of_birth": "1990-05-17", "typed_name": "Alex Sample"})
    assert unticked.status_code == 400 and "agreed" in unticked.context["form"].errors
    assert not Consent.objects.exists()
    done = client.post(
        url,
        {"date_of_birth": "1990-05-17", "typed_name": "Alex Sample", "agreed": "on"},
        HTTP_USER_AGENT="Phone",
    )
    assert done.status_code == 200 and "you signed" in done.content.decode()
    consent = Consent.objects.get()
    request.refresh_from_db()
    assert consent.signature_method == SignatureMethod.ELECTRONIC and consent.signature_name == "Alex Sample"
    assert request.status == "signed" and request.consent == consent and request.user_agent == "Phone"
    assert "date of birth" in request.identified_how
    event = AuditEvent.objects.get(action="sign", object_type="consent")
    assert event.detail["document_sha256"] == request.document_hash
    # The link works once.
    assert client.get(url).status_code == 404


def test_an_unknown_or_expired_link_is_404_and_audited(world, client, link):
    request, token = link
    assert client.get(reverse("privacy:sign", args=["nope"])).status_code == 404
    with time_machine.travel(request.expires_at + timedelta(minutes=1)):
        assert client.get(reverse("privacy:sign", args=[token])).status_code == 404
    assert AuditEvent.objects.filter(object_type="signature_request", outcome="denied").count() >= 2


def test_a_changed_document_cannot_be_signed(world, client, link):
    request, token = link
    SignatureRequest.objects.filter(pk=request.pk).update(document={**request.document, "title": "Other"})
    response = client.post(
        reverse("privacy:sign", args=[token]),
        {"date_of_birth": "1990-05-17", "typed_name": "Alex Sample", "agreed": "on"},
    )
    assert response.status_code == 400 and not Consent.objects.exists()


def test_a_paper_scan_is_kept_and_linked_from_the_fhir_consent(world, login, make_consent, recipients):
    consent = make_consent(recipients=[recipients["employer"]])
    client = login(world.therapist_a)
    scan = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    response = client.post(
        reverse("privacy:consent_scan", args=[world.alex.pk, consent.pk]), {"document": scan}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.signature_method == SignatureMethod.PAPER_SCAN and consent.signed_document
    resource = packages._consent_resource(consent)
    assert resource["sourceAttachment"]["url"].endswith("/scan/file/")
    file_url = reverse("privacy:consent_scan_file", args=[world.alex.pk, consent.pk])
    assert client.get(file_url).content == b"%PDF-1.4 signed"
    assert login(world.outsider).get(file_url).status_code == 404
