"""The participant's privacy rights in the app: their consents and a written revocation that the
decision point obeys at once, the accounting of disclosures, a request for a copy that reaches the
director's work list. Only their own: another participant's consent is a 404, staff are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.portal.tests.conftest import sign_in
from bridge.privacy import policy, services
from bridge.privacy.models import AccessRequest, Consent
from bridge.privacy.vocab import Channel, ConsentType, DataClass, Purpose
from bridge.worklist.models import WorkItem

pytestmark = pytest.mark.django_db


def _employer_decision(world, recipient):
    return policy.decide(
        actor=world.therapist_a,
        participant=world.alex,
        recipient=recipient,
        purpose=Purpose.EMPLOYMENT,
        data_classes=[DataClass.EPISODES],
        channel=Channel.SECURE_EMAIL,
    )


def test_the_participant_sees_their_consents_and_the_page_read_is_audited(
    app_client, app_world, make_consent, recipients
):
    consent = make_consent(recipients=[recipients["employer"]])
    page = app_client.get(reverse("portal:consents"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Acme Freight HR" in text and reverse("portal:consent_revoke", args=[consent.pk]) in text
    assert AuditEvent.objects.filter(
        action="read", participant=app_world.alex, object_type="consent", actor_label="participant app"
    ).exists()


def test_a_written_revocation_in_the_app_ends_the_consent_and_the_decision_point_refuses(
    app_client, app_world, make_consent, recipients, today
):
    consent = make_consent(recipients=[recipients["employer"]])
    assert _employer_decision(app_world, recipients["employer"]).permit
    url = reverse("portal:consent_revoke", args=[consent.pk])
    assert app_client.get(url).status_code == 200
    response = app_client.post(url, {"typed_name": "Alex Rivera", "reason": "New job"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:consents")
    consent.refresh_from_db()
    assert consent.status == Consent.Status.REVOKED and consent.ended_on == today
    assert consent.revocation_received == Consent.RevocationReceived.PORTAL
    assert consent.ended_by is None and "Alex Rivera" in consent.end_note and "New job" in consent.end_note
    event = AuditEvent.objects.get(action="update", object_type="consent", object_id=str(consent.pk))
    assert event.actor_id is None and event.actor_label == "participant app"
    assert event.detail["received"] == "portal"
    decision = _employer_decision(app_world, recipients["employer"])
    assert not decision.permit
    # Revoking again is a message on the page, not a crash.
    again = app_client.post(url, {"typed_name": "Alex Rivera"})
    assert again.status_code == 400 and "already ended" in again.content.decode()


def test_a_revocation_needs_the_typed_name(app_client, make_consent, recipients):
    consent = make_consent(recipients=[recipients["employer"]])
    response = app_client.post(reverse("portal:consent_revoke", args=[consent.pk]), {"typed_name": " "})
    assert response.status_code == 400 and "typed_name" in response.context["form"].errors
    consent.refresh_from_db()
    assert consent.status == Consent.Status.ACTIVE


def test_a_criminal_justice_consent_cannot_be_revoked_in_the_app(app_client, make_consent, recipients):
    consent = make_consent(
        consent_type=ConsentType.CRIMINAL_JUSTICE,
        recipients=[recipients["court"]],
        purposes=[Purpose.LEGAL],
        cj_agency="County Drug Court",
        cj_period="Until the end of probation",
        expiry_event="the end of probation",
        expires_on=None,
    )
    page = app_client.get(reverse("portal:consents")).content.decode()
    assert reverse("portal:consent_revoke", args=[consent.pk]) not in page
    response = app_client.post(reverse("portal:consent_revoke", args=[consent.pk]), {"typed_name": "Alex"})
    assert response.status_code == 400 and "the end of probation" in response.content.decode()
    consent.refresh_from_db()
    assert consent.status == Consent.Status.ACTIVE


def test_another_participants_consent_is_a_404_and_stays_active(client, app_world, make_consent, recipients):
    alex_consent = make_consent(recipients=[recipients["employer"]])
    sign_in(client, contact=app_world.blair.phone)
    url = reverse("portal:consent_revoke", args=[alex_consent.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"typed_name": "Blair"}).status_code == 404
    assert "Acme Freight HR" not in client.get(reverse("portal:consents")).content.decode()
    alex_consent.refresh_from_db()
    assert alex_consent.status == Consent.Status.ACTIVE


@pytest.mark.parametrize("name", ["consents", "disclosures", "copy", "events"])
def test_staff_cannot_use_the_rights_pages(login, app_world, name):
    client = login(app_world.outsider)
    assert client.get(reverse(f"portal:{name}")).status_code == 403


@pytest.mark.parametrize("name", ["consents", "disclosures", "copy", "events"])
def test_anonymous_visitors_are_sent_to_sign_in(client, app_world, name):
    response = client.get(reverse(f"portal:{name}"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal:sign_in"))


def test_the_accounting_shows_who_received_their_records_and_only_theirs(
    app_client, app_world, make_consent, recipients, today
):
    make_consent(recipients=[recipients["employer"]])
    disclosure = services.disclosure_prepare(
        actor=app_world.therapist_a,
        participant=app_world.alex,
        recipient=recipients["employer"],
        purpose=Purpose.EMPLOYMENT,
        data_classes=[DataClass.EPISODES],
        date_from=today - timedelta(days=30),
        date_to=today,
        channel=Channel.SECURE_EMAIL,
    )
    assert disclosure.outcome == "released"
    page = app_client.get(reverse("portal:disclosures"))
    assert page.status_code == 200
    assert [r["disclosure"] for r in page.context["rows"]] == [disclosure]
    assert "Acme Freight HR" in page.content.decode()
    assert AuditEvent.objects.filter(
        action="read", participant=app_world.alex, object_type="accounting"
    ).exists()
    blair = Client()
    sign_in(blair, contact=app_world.blair.phone)
    other = blair.get(reverse("portal:disclosures"))
    assert other.context["rows"] == [] and "Acme Freight HR" not in other.content.decode()


def test_a_copy_request_from_the_app_is_the_request_staff_see_with_its_clock(
    app_client, app_world, today, login
):
    response = app_client.post(reverse("portal:copy"), {"request_text": "Everything since I started"})
    assert response.status_code == 302
    request = AccessRequest.objects.get(participant=app_world.alex)
    assert request.requested_in_app and request.recorded_by is None
    assert request.requested_on == today and request.due_on == today + timedelta(days=30)
    assert DataClass.COUNSELING_NOTES not in request.data_classes and request.date_to == today
    item = WorkItem.objects.get(kind="access_request", participant=app_world.alex)
    assert item.assigned_to == app_world.director and item.due_on == request.due_on
    assert AuditEvent.objects.filter(
        action="create",
        object_type="access_request",
        object_id=str(request.pk),
        actor_label="participant app",
    ).exists()
    # A second request while one is open is a field error.
    again = app_client.post(reverse("portal:copy"), {"request_text": "Again"})
    assert again.status_code == 400 and "request_text" in again.context["form"].errors
    assert AccessRequest.objects.filter(participant=app_world.alex).count() == 1
    # Staff see it as asked in the app; produced and delivered as any request.
    director = login(app_world.director)
    detail = director.get(reverse("privacy:access_request_detail", args=[app_world.alex.pk, request.pk]))
    assert "By the participant, in the Bridge app" in detail.content.decode()
    outsider = login(app_world.outsider)
    assert (
        outsider.get(
            reverse("privacy:access_request_detail", args=[app_world.alex.pk, request.pk])
        ).status_code
        == 404
    )


def test_a_copy_request_needs_words(app_client, app_world):
    response = app_client.post(reverse("portal:copy"), {"request_text": ""})
    assert response.status_code == 400 and "request_text" in response.context["form"].errors
    assert not AccessRequest.objects.filter(participant=app_world.alex).exists()


def test_a_copy_delivered_to_the_participant_shows_in_the_app_but_not_in_the_accounting(
    app_client, app_world, today
):
    from bridge.privacy.access_requests import access_request_deliver, access_request_produce

    app_client.post(reverse("portal:copy"), {"request_text": "Everything"})
    request = AccessRequest.objects.get(participant=app_world.alex)
    access_request_produce(actor=app_world.director, request=request)
    access_request_deliver(actor=app_world.director, request=request, delivered_on=today, how="hand")
    page = app_client.get(reverse("portal:copy")).content.decode()
    assert "You received it on" in page
    # A disclosure to the individual is recorded (audit) but is not an accounting entry (45 CFR
    # 164.528(a)(1)(ii)); the app's accounting stays empty.
    assert AuditEvent.objects.filter(
        action="disclose", object_type="access_request", object_id=str(request.pk), detail__to="participant"
    ).exists()
    assert app_client.get(reverse("portal:disclosures")).context["rows"] == []
