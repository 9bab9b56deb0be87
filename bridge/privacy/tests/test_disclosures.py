"""The consent matrix: every way a release can lack consent is refused, audited, and releases nothing;
the covered release produces a package with the exact notice and only the consented information."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from bridge.audit.models import AuditEvent
from bridge.privacy import services
from bridge.privacy.models import Disclosure
from bridge.privacy.notice import REDISCLOSURE_NOTICE
from bridge.privacy.rules import NO_APPLICABLE_CONSENT
from bridge.privacy.vocab import Channel, ConsentType, DataClass, Purpose


def _words(text: str) -> str:
    return " ".join(text.split())


def _pdf_text(body: bytes) -> str:
    return _words(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages))


@pytest.fixture
def employer_consent(make_consent, recipients):
    return make_consent(recipients=[recipients["employer"]])


def _prepare(world, recipient, *, purpose=Purpose.EMPLOYMENT, classes=(DataClass.ATTENDANCE,), today=None):
    return services.disclosure_prepare(
        actor=world.therapist_a,
        participant=world.alex,
        recipient=recipient,
        purpose=purpose,
        data_classes=list(classes),
        date_from=today - timedelta(days=30),
        date_to=today,
        channel=Channel.SECURE_EMAIL,
    )


def _no_consent(world, make_consent, recipients, today):
    return recipients["employer"], {}


def _expired(world, make_consent, recipients, today):
    consent = make_consent(recipients=[recipients["employer"]], signed_on=today - timedelta(days=40))
    type(consent).objects.filter(pk=consent.pk).update(expires_on=today)  # the expiry day itself is out
    return recipients["employer"], {}


def _revoked(world, make_consent, recipients, today):
    consent = make_consent(recipients=[recipients["employer"]])
    services.consent_revoke(actor=world.director, consent=consent, received_on=today, received_how="letter")
    return recipients["employer"], {}


def _wrong_recipient(world, make_consent, recipients, today):
    make_consent(recipients=[recipients["employer"]])
    return recipients["court"], {}


def _wrong_purpose(world, make_consent, recipients, today):
    make_consent(recipients=[recipients["employer"]])
    return recipients["employer"], {"purpose": Purpose.LEGAL}


def _counseling_notes_under_tpo(world, make_consent, recipients, today):
    make_consent(
        consent_type=ConsentType.TPO,
        data_classes=[c for c in DataClass.values if c != DataClass.COUNSELING_NOTES],
        purposes=[Purpose.TREATMENT],
        expires_on=None,
        expiry_event="when I revoke it",
    )
    return recipients["provider"], {"purpose": Purpose.TREATMENT, "classes": (DataClass.COUNSELING_NOTES,)}


def _uncovered_class(world, make_consent, recipients, today):
    make_consent(recipients=[recipients["employer"]])
    return recipients["employer"], {"classes": (DataClass.ATTENDANCE, DataClass.DEMOGRAPHICS)}


CASES = [
    _no_consent,
    _expired,
    _revoked,
    _wrong_recipient,
    _wrong_purpose,
    _counseling_notes_under_tpo,
    _uncovered_class,
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__.strip("_"))
def test_consent_matrix_refuses_audits_and_releases_nothing(
    world, make_consent, recipients, today, alex_attendance, case
):
    recipient, ask = case(world, make_consent, recipients, today)
    before = AuditEvent.objects.count()
    disclosure = _prepare(world, recipient, today=today, **ask)
    assert disclosure.outcome == Disclosure.Outcome.REFUSED
    assert disclosure.package is None and disclosure.records == [] and disclosure.consent is None
    assert disclosure.notice_text == ""
    assert disclosure.refusal_reasons[0] == NO_APPLICABLE_CONSENT
    events = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert [(e.action, e.outcome) for e in events] == [("policy_decision", "denied"), ("disclose", "denied")]
    assert events[0].participant == world.alex and events[0].detail["decision"] == "no_applicable_consent"
    # Nothing leaves later either: both downloads are refused (and audited).
    client = _client(world)
    for name in ("privacy:disclosure_pdf", "privacy:disclosure_bundle"):
        response = client.get(reverse(name, args=[world.alex.pk, disclosure.pk]))
        assert response.status_code == 403
        assert b"Relapse prevention" not in response.content  # no record of the chart leaves
        assert REDISCLOSURE_NOTICE.encode() not in response.content


def _client(world):
    from django.test import Client

    client = Client()
    client.force_login(world.therapist_a)
    return client


def test_refusal_reasons_name_the_problem_for_staff(world, make_consent, recipients, today):
    consent = make_consent(recipients=[recipients["employer"]])
    services.consent_revoke(actor=world.director, consent=consent, received_on=today, received_how="letter")
    disclosure = _prepare(world, recipients["employer"], today=today)
    assert f"revoked on {today.isoformat()}" in " ".join(disclosure.refusal_reasons)


def test_covered_release_carries_exact_notice_summary_and_only_consented_classes(
    world, employer_consent, recipients, today, alex_attendance
):
    disclosure = _prepare(world, recipients["employer"], today=today)
    assert disclosure.outcome == Disclosure.Outcome.RELEASED
    assert disclosure.consent == employer_consent
    assert disclosure.notice_text == REDISCLOSURE_NOTICE
    assert "Acme Freight HR" in disclosure.consent_summary and "revoke" in disclosure.consent_summary
    # The accounting fields are all there.
    assert (
        disclosure.recipient_name == "Acme Freight HR" and disclosure.recipient_address == "hr@acme.example"
    )
    assert disclosure.description.startswith("Attendance at sessions from")
    assert {r["id"] for r in disclosure.records} == {str(a.pk) for a in alex_attendance}
    # Only attendance, although the consent also covers episodes.
    package = disclosure.package
    assert [s["data_class"] for s in package["sections"]] == [DataClass.ATTENDANCE]
    bundle = package["bundle"]
    Bundle.model_validate(bundle)  # valid FHIR (R4B models)
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert types.count("Appointment") == 3
    assert "EpisodeOfCare" not in types and "CareTeam" not in types
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert set(patient) <= {"resourceType", "id", "name", "meta"}, "demographics were not consented"
    notice = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "OperationOutcome"
    )
    assert notice["issue"][0]["details"]["text"] == REDISCLOSURE_NOTICE
    consent = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Consent")
    assert consent["id"] == str(employer_consent.pk) and "Acme Freight HR" in json.dumps(consent)
    # Blair's attendance at the same session is not in Alex's package.
    assert str(world.blair.pk) not in json.dumps(bundle)


def test_covered_release_downloads_pdf_and_bundle_each_rechecked_and_audited(
    world, employer_consent, recipients, today, alex_attendance
):
    disclosure = _prepare(world, recipients["employer"], today=today)
    client = _client(world)
    pdf = client.get(reverse("privacy:disclosure_pdf", args=[world.alex.pk, disclosure.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert _words(REDISCLOSURE_NOTICE) in text
    assert "Relapse prevention" in text and "Acme Freight HR" in text
    bundle = client.get(reverse("privacy:disclosure_bundle", args=[world.alex.pk, disclosure.pk]))
    assert bundle.status_code == 200 and bundle["Content-Type"] == "application/fhir+json"
    assert Bundle.model_validate(bundle.json()).type == "collection"
    exports = AuditEvent.objects.filter(action="export", object_type="disclosure", outcome="success")
    assert exports.count() == 2
    assert AuditEvent.objects.filter(action="policy_decision", outcome="success").count() == 3
    # After the participant revokes the consent, no further copy leaves.
    services.consent_revoke(
        actor=world.director, consent=employer_consent, received_on=today, received_how="letter"
    )
    again = client.get(reverse("privacy:disclosure_bundle", args=[world.alex.pk, disclosure.pk]))
    assert again.status_code == 403 and "Acme" not in again.content.decode().split("Nothing was released")[-1]


def test_a_class_nobody_provides_yet_gives_an_empty_section(world, make_consent, recipients, today):
    make_consent(
        recipients=[recipients["employer"]], data_classes=[DataClass.DIAGNOSES, DataClass.ATTENDANCE]
    )
    disclosure = _prepare(world, recipients["employer"], today=today, classes=(DataClass.DIAGNOSES,))
    assert disclosure.outcome == Disclosure.Outcome.RELEASED
    assert disclosure.package["sections"] == [
        {"data_class": "diagnoses", "label": "Diagnoses", "records": []}
    ]
    Bundle.model_validate(disclosure.package["bundle"])


def test_demographics_care_team_and_episodes_providers(world, make_consent, recipients, today):
    from bridge.participants.services import episode_open
    from bridge.testing.personas import unadmit

    unadmit(world.alex)
    episode_open(
        actor=world.director,
        participant=world.alex,
        level_of_care="2.1",
        admitted_on=today - timedelta(days=20),
    )
    make_consent(
        recipients=[recipients["employer"]],
        data_classes=[DataClass.DEMOGRAPHICS, DataClass.CARE_TEAM, DataClass.EPISODES],
    )
    disclosure = _prepare(
        world,
        recipients["employer"],
        today=today,
        classes=(DataClass.DEMOGRAPHICS, DataClass.CARE_TEAM, DataClass.EPISODES),
    )
    bundle = disclosure.package["bundle"]
    Bundle.model_validate(bundle)
    by_type = {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}
    assert by_type["Patient"]["birthDate"] == "1990-05-17"
    members = [p["member"]["display"] for p in by_type["CareTeam"]["participant"]]
    assert "Therapist_a Test" in members and len(members) == 4
    assert by_type["EpisodeOfCare"]["status"] == "active"


def test_the_disclosure_form_in_the_view_refuses_and_records(world, login, recipients, today):
    client = login(world.therapist_a)
    url = reverse("privacy:disclosure_create", args=[world.alex.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "recipient": recipients["court"].pk,
            "purpose": Purpose.LEGAL,
            "data_classes": [DataClass.ATTENDANCE],
            "date_from": (today - timedelta(days=7)).isoformat(),
            "date_to": today.isoformat(),
            "channel": Channel.MAIL,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert NO_APPLICABLE_CONSENT in response.content.decode()
    assert Disclosure.objects.get().outcome == Disclosure.Outcome.REFUSED


def test_bad_disclosure_input_gives_field_errors(world, login, recipients, today):
    client = login(world.therapist_a)
    response = client.post(
        reverse("privacy:disclosure_create", args=[world.alex.pk]),
        {
            "recipient": recipients["elsewhere"].pk,  # another program's recipient
            "purpose": "nonsense",
            "date_from": today.isoformat(),
            "date_to": (today - timedelta(days=1)).isoformat(),
            "channel": Channel.MAIL,
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"recipient", "purpose", "data_classes", "date_to"} <= set(errors)
    assert not Disclosure.objects.exists()


def test_front_desk_and_emergency_viewers_cannot_prepare_disclosures(world, login):
    response = login(world.frontdesk).get(reverse("privacy:disclosure_create", args=[world.alex.pk]))
    assert response.status_code == 403


def test_disclosure_list_query_count_is_constant(
    world, login, employer_consent, recipients, today, django_assert_max_num_queries
):
    client = login(world.therapist_a)
    url = reverse("privacy:disclosure_list", args=[world.alex.pk])
    _prepare(world, recipients["employer"], today=today)
    with django_assert_max_num_queries(30) as first:
        client.get(url)
    for _ in range(4):
        _prepare(world, recipients["employer"], today=today)
        _prepare(world, recipients["court"], today=today)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(client.get(url).context["disclosures"]) == 9
