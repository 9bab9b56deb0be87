"""Recording, revoking and ending consents; the form names a missing element; nothing is deleted."""

from __future__ import annotations

import io
from datetime import timedelta
from html import escape

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from pypdf import PdfReader

from bridge.audit.models import AuditEvent
from bridge.privacy import services
from bridge.privacy.models import Consent, Recipient
from bridge.privacy.statements import RIGHT_TO_REVOKE, TPO_REDISCLOSURE
from bridge.privacy.vocab import ConsentType, DataClass, Purpose


def _form_data(world, known, today, **overrides):
    data = {
        "patient_name": world.alex.legal_name,
        "discloser": "Harbor (Harbor Test Org)",
        "data_classes": [DataClass.ATTENDANCE],
        "recipients": [known["employer"].pk],
        "purposes": [Purpose.EMPLOYMENT],
        "expires_on": (today + timedelta(days=90)).isoformat(),
        "signer": "participant",
        "signature_name": world.alex.legal_name,
        "signed_on": today.isoformat(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_records_a_named_consent_through_the_form(world, login, recipients, today):
    client = login(world.therapist_a)
    url = reverse("privacy:consent_create", args=[world.alex.pk, ConsentType.NAMED])
    page = client.get(url)
    assert page.status_code == 200
    assert (
        escape(RIGHT_TO_REVOKE) in page.content.decode()
    )  # the fixed statements are shown to the participant
    response = client.post(url, _form_data(world, recipients, today))
    consent = Consent.objects.get()
    assert response.status_code == 302 and str(consent.pk) in response["Location"]
    assert list(consent.recipients.all()) == [recipients["employer"]]
    assert consent.statements[0] == RIGHT_TO_REVOKE and consent.status == Consent.Status.ACTIVE
    event = AuditEvent.objects.get(action="create", object_type="consent")
    assert event.participant == world.alex and event.detail["consent_type"] == "named"


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"patient_name": ""}, "patient_name", "participant's name"),
        ({"discloser": ""}, "discloser", "who may disclose"),
        ({"data_classes": None}, "data_classes", "what information"),
        ({"recipients": None}, "recipients", "who may receive it"),
        ({"purposes": None}, "purposes", "purpose"),
        ({"expires_on": None}, "expires_on", "expires"),
        ({"signature_name": ""}, "signature_name", "signature"),
        ({"signer": "representative"}, "representative_authority", "authority"),
        ({"signed_on": None}, "signed_on", "date of signature"),
    ],
)
def test_the_form_refuses_a_missing_element_and_says_which(
    world, login, recipients, today, overrides, field, words
):
    client = login(world.therapist_a)
    url = reverse("privacy:consent_create", args=[world.alex.pk, ConsentType.NAMED])
    response = client.post(url, _form_data(world, recipients, today, **overrides))
    assert response.status_code == 400
    form = response.context["form"]
    assert words in " ".join(form.errors[field])
    assert words in " ".join(form.non_field_errors())  # the summary at the top names it too
    assert not Consent.objects.exists()


def test_counseling_notes_cannot_be_put_in_a_general_consent(world, login, recipients, today):
    client = login(world.therapist_a)
    url = reverse("privacy:consent_create", args=[world.alex.pk, ConsentType.NAMED])
    response = client.post(
        url, _form_data(world, recipients, today, data_classes=[DataClass.COUNSELING_NOTES])
    )
    assert response.status_code == 400 and not Consent.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            actor=world.director,
            participant=world.alex,
            consent_type=ConsentType.NAMED,
            patient_name="Alex Sample",
            discloser="Harbor",
            data_classes=[DataClass.ATTENDANCE, DataClass.COUNSELING_NOTES],
            recipients=[recipients["employer"]],
            purposes=[Purpose.EMPLOYMENT],
            expires_on=today + timedelta(days=5),
            signature_name="Alex Sample",
            signed_on=today,
        )
    assert "separate consent" in str(exc.value)


def test_a_new_recipient_can_be_added_from_the_consent_form(world, login, recipients, today):
    client = login(world.therapist_a)
    url = reverse("privacy:consent_create", args=[world.alex.pk, ConsentType.NAMED])
    data = _form_data(
        world,
        recipients,
        today,
        recipients=None,
        new_recipient_name="Jamie Sample (mother)",
        new_recipient_kind="family",
        new_recipient_address="(510) 555-0101",
        purposes=[Purpose.FAMILY],
    )
    assert client.post(url, data).status_code == 302
    added = Recipient.objects.get(name="Jamie Sample (mother)")
    assert list(Consent.objects.get().recipients.all()) == [added]


def test_a_new_tpo_consent_replaces_the_old_one_and_keeps_it(world, make_consent, today):
    kwargs = {
        "consent_type": ConsentType.TPO,
        "purposes": [Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS],
        "expires_on": None,
        "expiry_event": "when I revoke it in writing",
    }
    first = make_consent(**kwargs)
    second = make_consent(**kwargs, signed_on=today)
    first.refresh_from_db()
    assert first.status == Consent.Status.SUPERSEDED and first.superseded_by == second
    assert second.tpo_class and second.status == Consent.Status.ACTIVE
    assert TPO_REDISCLOSURE in second.statements
    assert Consent.objects.count() == 2


def test_the_database_allows_one_active_tpo_consent(world, make_consent):
    tpo = make_consent(
        consent_type=ConsentType.TPO, purposes=[Purpose.TREATMENT], expires_on=None, expiry_event="x"
    )
    twin = Consent.objects.get(pk=tpo.pk)
    twin.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save(force_insert=True)


def test_revocation_in_writing_makes_the_consent_inactive_at_once(
    world, login, make_consent, recipients, today
):
    consent = make_consent(recipients=[recipients["employer"]])
    assert consent.is_active_on(today)
    client = login(world.therapist_a)
    response = client.post(
        reverse("privacy:consent_revoke", args=[world.alex.pk, consent.pk]),
        {"received_on": today.isoformat(), "received_how": "signed_form", "note": "At the front desk"},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == Consent.Status.REVOKED and not consent.is_active_on(today)
    assert consent.ended_on == today and consent.revocation_received == "signed_form"
    assert consent.ended_by == world.therapist_a
    # History is kept and shown.
    listing = client.get(reverse("privacy:consent_list", args=[world.alex.pk]))
    assert listing.context["history"] == [consent] and listing.context["active"] == []
    # A second revocation is refused with a message, not a crash.
    again = client.post(
        reverse("privacy:consent_revoke", args=[world.alex.pk, consent.pk]),
        {"received_on": today.isoformat(), "received_how": "letter"},
    )
    assert again.status_code == 400


def test_revocation_needs_a_written_form_and_a_sane_date(world, login, make_consent, recipients, today):
    consent = make_consent(recipients=[recipients["employer"]])
    client = login(world.therapist_a)
    url = reverse("privacy:consent_revoke", args=[world.alex.pk, consent.pk])
    response = client.post(
        url, {"received_on": (today + timedelta(days=2)).isoformat(), "received_how": "phone"}
    )
    assert response.status_code == 400
    assert "received_how" in response.context["revoke_form"].errors
    response = client.post(
        url, {"received_on": (today + timedelta(days=2)).isoformat(), "received_how": "letter"}
    )
    assert response.status_code == 400 and "received_on" in response.context["revoke_form"].errors
    consent.refresh_from_db()
    assert consent.status == Consent.Status.ACTIVE


def test_the_expiry_event_ends_the_consent(world, login, make_consent, recipients, today):
    consent = make_consent(
        recipients=[recipients["court"]], purposes=[Purpose.LEGAL], expiry_event="when probation ends"
    )
    client = login(world.therapist_a)
    response = client.post(
        reverse("privacy:consent_end", args=[world.alex.pk, consent.pk]),
        {"occurred_on": today.isoformat(), "note": "Probation officer confirmed the end of probation."},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == Consent.Status.EXPIRED and not consent.is_active_on(today)


def test_an_expiry_date_ends_the_consent_without_any_write(make_consent, recipients, today):
    consent = make_consent(recipients=[recipients["employer"]], expires_on=today + timedelta(days=1))
    assert consent.is_active_on(today)
    assert not consent.is_active_on(today + timedelta(days=1))
    assert consent.state_on(today + timedelta(days=1)) == Consent.Status.EXPIRED


def test_peer_cannot_record_a_consent(world, login):
    url = reverse("privacy:consent_create", args=[world.alex.pk, ConsentType.NAMED])
    assert login(world.peer).get(url).status_code == 403


def test_unknown_consent_type_is_404(world, login):
    assert (
        login(world.therapist_a)
        .get(reverse("privacy:consent_create", args=[world.alex.pk, "all"]))
        .status_code
        == 404
    )


def test_printed_consent_has_both_copies_every_element_and_is_audited(world, login, make_consent, recipients):
    consent = make_consent(recipients=[recipients["employer"]])
    client = login(world.frontdesk)
    page = client.get(reverse("privacy:consent_print", args=[world.alex.pk, consent.pk])).content.decode()
    assert "Program's copy" in page and "Participant's copy" in page
    for text in (
        "Acme Freight HR",
        "Attendance at sessions",
        "Employment",
        RIGHT_TO_REVOKE,
        "/s/ Alex Sample",
    ):
        assert page.count(escape(text)) >= 2, text
    pdf = client.get(reverse("privacy:consent_pdf", args=[world.alex.pk, consent.pk]))
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) >= 2
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Program's copy" in text and "Participant's copy" in text
    assert (
        AuditEvent.objects.filter(action="policy_decision", detail__decision="participant_access").count()
        == 2
    )
    assert (
        AuditEvent.objects.filter(action="export", object_type__in=["consent_print", "consent_pdf"]).count()
        == 2
    )


def test_consent_list_query_count_is_constant(
    world, login, make_consent, recipients, django_assert_max_num_queries, today
):
    client = login(world.therapist_a)
    make_consent(recipients=[recipients["employer"]])
    url = reverse("privacy:consent_list", args=[world.alex.pk])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for i in range(6):
        make_consent(
            recipients=[recipients["employer"], recipients["court"]],
            purposes=[Purpose.LEGAL],
            signed_on=today - timedelta(days=i),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
