"""Documents in the participant's app: what waits for their signature is signed in the app (the same
signature event as through a private link, identified by their sign-in), copies of what they signed
(read and PDF), the treatment plan signed on a screen, the notice of privacy practices, and the copy of
their records downloaded in the app (right of access: audited, not in the accounting)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from bridge.audit.models import AuditEvent
from bridge.clinical.models import PlanVersion
from bridge.clinical.services import plans
from bridge.clinical.tests.conftest import admitted  # noqa: F401
from bridge.portal.tests.conftest import sign_in
from bridge.privacy import access_requests, notices, queries, signing
from bridge.privacy.models import AccessRequest, Consent, SignatureRequest
from bridge.privacy.tests.conftest import alex_attendance  # noqa: F401
from bridge.privacy.vocab import ConsentType, DataClass, Purpose
from bridge.worklist.models import WorkItem

pytestmark = pytest.mark.django_db


def _pdf_text(body: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).split())


def _consent_request(world, recipients, today, participant=None):
    participant = participant or world.alex
    request, _token = signing.consent_signature_request(
        actor=world.therapist_a,
        participant=participant,
        channel="phone",
        consent={
            "consent_type": ConsentType.NAMED,
            "patient_name": participant.legal_name,
            "discloser": "Harbor",
            "data_classes": [DataClass.ATTENDANCE],
            "recipients": [recipients["employer"]],
            "purposes": [Purpose.EMPLOYMENT],
            "expires_on": today + timedelta(days=90),
            "expiry_event": "",
        },
    )
    return request


def unsigned_plan_version(world, participant, clinician) -> PlanVersion:
    """A treatment plan signed by the clinician, waiting for the participant's signature."""
    plan = plans.plan_start(actor=clinician, participant=participant)
    version = plan.versions.get()
    problem = plans.plan_problem_add(actor=clinician, version=version, code="F11.20")
    goal = plans.plan_goal_add(
        actor=clinician, version=version, problem=problem, statement="I want to keep my job and my kids."
    )
    plans.plan_objective_add(
        actor=clinician,
        version=version,
        goal=goal,
        text="Attend 3 groups a week",
        target_on=timezone.localdate() + timedelta(days=60),
    )
    plans.plan_intervention_add(
        actor=clinician, version=version, goal=goal, modality="cbt", responsible=clinician, frequency="Weekly"
    )
    plans.plan_version_sign(actor=clinician, version=version, clinician_signature="Therapist Test")
    version.refresh_from_db()
    return version


def test_a_consent_waiting_for_signature_is_signed_in_the_app_with_the_same_signature_event(
    app_client, app_world, recipients, today
):
    waiting = _consent_request(app_world, recipients, today)
    page = app_client.get(reverse("portal:documents")).content.decode()
    assert "Waiting for your signature" in page and reverse("portal:document", args=[waiting.pk]) in page
    url = reverse("portal:document", args=[waiting.pk])
    read = app_client.get(url)
    assert read.status_code == 200 and "Acme Freight HR" in read.content.decode()
    bad = app_client.post(url, {"typed_name": "Alex Rivera"})
    assert bad.status_code == 400 and "agreed" in bad.context["form"].errors
    done = app_client.post(url, {"typed_name": "Alex Rivera", "agreed": "on"})
    assert done.status_code == 302 and done["Location"] == url
    waiting.refresh_from_db()
    assert waiting.status == SignatureRequest.Status.SIGNED and waiting.signer_name == "Alex Rivera"
    assert waiting.identified_how.startswith("Signed in to their Bridge app (one-time code")
    consent = Consent.objects.get(signature=waiting)
    assert consent.participant == app_world.alex and consent.signature_name == "Alex Rivera"
    event = AuditEvent.objects.get(action="sign", object_type="consent", object_id=str(consent.pk))
    assert event.actor_id is None and event.actor_label == "participant app"
    assert event.detail["document_sha256"] == waiting.document_hash
    # The private link made for it no longer works: it was one signature.
    assert not waiting.is_open_at(timezone.now())
    copy = app_client.get(url).content.decode()
    assert "Your signature" in copy and "Alex Rivera" in copy
    pdf = app_client.get(reverse("portal:document_pdf", args=[waiting.pk]))
    assert pdf["Content-Type"] == "application/pdf" and "Acme Freight HR" in _pdf_text(pdf.content)
    # Signing twice is a message, not a second signature.
    again = app_client.post(url, {"typed_name": "Alex Rivera", "agreed": "on"})
    assert again.status_code == 302 and Consent.objects.filter(participant=app_world.alex).count() == 1


@pytest.mark.usefixtures("admitted")
def test_the_treatment_plan_is_signed_on_screen_and_the_version_carries_the_signature(
    app_world, client, login
):
    w = app_world
    version = unsigned_plan_version(w, w.alex, w.therapist_a)
    staff = login(w.therapist_a)
    response = staff.post(
        reverse("clinical:plan_sign_request", args=[w.alex.pk, version.pk]), {"channel": "phone"}
    )
    assert response.status_code == 200 and "/sign/" in response.content.decode()
    request = SignatureRequest.objects.get(kind=SignatureRequest.Kind.PLAN)
    assert request.payload["version"] == str(version.pk)
    assert "I want to keep my job and my kids." in str(request.document["elements"])
    staff.logout()
    participant = Client()
    sign_in(participant)
    url = reverse("portal:document", args=[request.pk])
    assert participant.post(url, {"typed_name": "Alex Rivera", "agreed": "on"}).status_code == 302
    version.refresh_from_db()
    assert version.participant_signature == "Alex Rivera" and version.participant_signed_at is not None
    request.refresh_from_db()
    assert request.status == "signed" and version.participant_signed_at == request.signed_at
    assert AuditEvent.objects.filter(
        action="sign", object_id=str(request.pk), detail__signed__version=str(version.pk)
    ).exists()
    body = participant.get(reverse("portal:document_pdf", args=[request.pk])).content
    assert "I want to keep my job and my kids." in _pdf_text(body)
    # A version the participant already signed cannot be sent again.
    again = login(w.therapist_a)
    refused = again.post(
        reverse("clinical:plan_sign_request", args=[w.alex.pk, version.pk]), {"channel": "phone"}
    )
    assert refused.status_code == 302 and SignatureRequest.objects.filter(kind="plan").count() == 1


@pytest.mark.usefixtures("admitted")
def test_the_plan_signed_through_the_private_link_marks_the_version_too(world, client):
    w = world
    version = unsigned_plan_version(w, w.alex, w.therapist_a)
    _request, token = plans.plan_signature_request(actor=w.therapist_a, version=version, channel="desk")
    response = client.post(
        reverse("privacy:sign", args=[token]),
        {
            "date_of_birth": w.alex.date_of_birth.isoformat(),
            "typed_name": "Alex R",
            "agreed": "on",
        },
    )
    assert response.status_code == 200
    version.refresh_from_db()
    assert version.participant_signature == "Alex R"


def test_another_participants_document_is_a_404_and_staff_are_refused(
    app_client, app_world, recipients, today, login
):
    blairs = _consent_request(app_world, recipients, today, participant=app_world.blair)
    for name in ("portal:document", "portal:document_pdf"):
        assert app_client.get(reverse(name, args=[blairs.pk])).status_code == 404
    response = app_client.post(
        reverse("portal:document", args=[blairs.pk]), {"typed_name": "X", "agreed": "on"}
    )
    assert response.status_code == 404
    blairs.refresh_from_db()
    assert blairs.status == SignatureRequest.Status.PENDING
    # A document not signed yet has no PDF copy.
    alexs = _consent_request(app_world, recipients, today)
    assert app_client.get(reverse("portal:document_pdf", args=[alexs.pk])).status_code == 404
    staff = login(app_world.therapist_a)
    assert staff.get(reverse("portal:documents")).status_code == 403
    assert staff.get(reverse("portal:document", args=[alexs.pk])).status_code == 403
    anonymous = Client()
    page = anonymous.get(reverse("portal:documents"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("portal:sign_in"))


def test_the_document_list_and_the_notice_are_audited_reads(app_client, app_world, today):
    notices.notice_publish(
        actor=app_world.director,
        program=app_world.program,
        version="2026-02",
        effective_on=today - timedelta(days=3),
        text=notices.DEFAULT_TEXT,
    )
    assert app_client.get(reverse("portal:documents")).status_code == 200
    page = app_client.get(reverse("portal:notice"))
    assert page.status_code == 200 and "2026-02" in page.content.decode()
    reads = AuditEvent.objects.filter(
        action="read", participant=app_world.alex, actor_label="participant app"
    )
    assert {"signature_request", "privacy_notice"} <= set(reads.values_list("object_type", flat=True))


def test_a_spanish_participant_reads_the_app_in_spanish_and_the_document_as_prepared(
    app_client, app_world, recipients, today
):
    app_world.alex.language = "es"
    app_world.alex.save()
    waiting = _consent_request(app_world, recipients, today)
    page = app_client.get(reverse("portal:document", args=[waiting.pk])).content.decode()
    assert "Este documento está en inglés" in page and "Firmar" in page
    assert "Esperan su firma" in app_client.get(reverse("portal:documents")).content.decode()


@pytest.mark.usefixtures("alex_attendance")
def test_the_copy_of_their_records_is_downloaded_in_the_app_audited_and_not_accounted(
    app_client, app_world, today, login
):
    requested = access_requests.access_request_record(
        actor=app_world.director,
        participant=app_world.alex,
        requested_on=today,
        request_text="My attendance",
        data_classes=[DataClass.ATTENDANCE],
        date_from=today - timedelta(days=30),
        date_to=today,
    )
    url = reverse("portal:copy_file", args=[requested.pk, "pdf"])
    assert app_client.get(url).status_code == 404  # not produced yet
    access_requests.access_request_produce(actor=app_world.director, request=requested)
    before = queries.accounting_for(app_world.alex, today).count()
    page = app_client.get(reverse("portal:copy")).content.decode()
    assert url in page
    response = app_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "right of access" in _pdf_text(response.content)
    bundle = app_client.get(reverse("portal:copy_file", args=[requested.pk, "json"]))
    assert bundle["Content-Type"] == "application/fhir+json" and b'"resourceType": "Bundle"' in bundle.content
    events = AuditEvent.objects.filter(
        action="export", object_type="access_request", object_id=str(requested.pk)
    )
    app_events = events.filter(actor_label="participant app")
    assert [e.detail["format"] for e in app_events.order_by("seq")] == ["pdf", "json"]
    # HIPAA right of access: a copy to the person themself is not a disclosure to account for.
    assert queries.accounting_for(app_world.alex, today).count() == before
    # i19a: the first download is the copy's delivery; the director's 30-day clock item closes.
    delivered = AccessRequest.objects.get(pk=requested.pk)
    assert delivered.status == "delivered" and delivered.delivered_on == today
    assert delivered.get_delivered_how_display() == "Downloaded in the participant app"
    item = WorkItem.objects.get(kind="access_request", source_id__startswith=f"{requested.pk}/")
    assert item.status == "done" and item.resolved_by is None and "in their app" in item.resolution
    assert (
        AuditEvent.objects.filter(
            action="disclose", object_id=str(requested.pk), actor_label="participant app", detail__how="app"
        ).count()
        == 1
    )  # the second download (JSON) delivers nothing new
    detail = reverse("privacy:access_request_detail", args=[app_world.alex.pk, requested.pk])
    page = login(app_world.director).get(detail)
    assert "Downloaded in the participant app" in page.content.decode()


@pytest.mark.usefixtures("alex_attendance")
def test_another_participant_cannot_download_the_copy(app_world, today, client):
    requested = access_requests.access_request_record(
        actor=app_world.director,
        participant=app_world.alex,
        requested_on=today,
        request_text="My attendance",
        data_classes=[DataClass.ATTENDANCE],
        date_from=today - timedelta(days=30),
        date_to=today,
    )
    access_requests.access_request_produce(actor=app_world.director, request=requested)
    sign_in(client, contact="510-555-0199")  # Blair
    assert client.get(reverse("portal:copy_file", args=[requested.pk, "pdf"])).status_code == 404
    assert not AuditEvent.objects.filter(action="export", actor_label="participant app").exists()


def test_a_signature_link_leads_a_participant_with_the_app_into_it(app_world, recipients, today, client):
    request, token = signing.consent_signature_request(
        actor=app_world.therapist_a,
        participant=app_world.alex,
        channel="phone",
        consent={
            "consent_type": ConsentType.NAMED,
            "patient_name": app_world.alex.legal_name,
            "discloser": "Harbor",
            "data_classes": [DataClass.ATTENDANCE],
            "recipients": [recipients["employer"]],
            "purposes": [Purpose.EMPLOYMENT],
            "expires_on": today + timedelta(days=90),
            "expiry_event": "",
        },
    )
    url = reverse("privacy:sign", args=[token])
    response = client.get(url)
    document = reverse("portal:document", args=[request.pk])
    assert response.status_code == 302 and response["Location"] == document
    assert client.get(document)["Location"].startswith(reverse("portal:sign_in"))
    sign_in(client, next_url=document)
    assert client.get(document).status_code == 200
    # Without an app account (closed), the private link is the place to sign, as before.
    account = app_world.alex.portal_account
    account.closed_at, account.closed_by = timezone.now(), app_world.frontdesk
    account.save()
    assert Client().get(url).status_code == 200
