"""Who sees what through the FHIR API: the screens' rule for user tokens, consent for system tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.privacy import labels
from bridge.privacy import services as privacy_services
from bridge.privacy.models import Disclosure, Recipient
from bridge.privacy.notice import REDISCLOSURE_NOTICE


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {e["resource"]["id"] for e in response.json().get("entry", []) if e["search"]["mode"] == "match"}


@pytest.mark.parametrize(
    ("persona", "patients", "conditions"),
    [
        ("director", {"alex", "blair", "casey"}, {"alex", "blair"}),
        ("therapist_a", {"alex"}, {"alex"}),  # alex's primary clinician only
        ("therapist_b", {"blair"}, {"blair"}),
        ("frontdesk", {"alex", "blair", "casey"}, set()),  # sees details, never the chart
        ("peer", {"alex"}, set()),  # on the team, but not the chart
        ("intake", {"casey"}, set()),  # prospects only
        ("auditor", set(), set()),  # the audit log, never a participant
        ("outsider", {"eli"}, set()),  # another program's director: their own participant only
    ],
)
def test_user_tokens_see_what_the_screens_show(world, chart, fhir, token_for, persona, patients, conditions):
    secret = token_for(user=world.staff[persona])
    people = {
        "alex": world.alex,
        "blair": world.blair,
        "casey": world.casey,
        "eli": world.elsewhere_participant,
    }
    assert ids(fhir(secret, "Patient")) == {str(people[n].pk) for n in patients}
    assert ids(fhir(secret, "Condition")) == {str(chart[n]["problem"].pk) for n in conditions}


def test_outsider_reading_a_participant_gets_404_like_a_missing_one(world, chart, fhir, token_for):
    secret = token_for(user=world.outsider)
    denied = fhir(secret, f"Patient/{world.alex.pk}")
    missing = fhir(secret, "Patient/00000000-0000-0000-0000-000000000000")
    assert denied.status_code == missing.status_code == 404
    assert denied.json()["issue"][0]["code"] == missing.json()["issue"][0]["code"] == "not-found"
    assert AuditEvent.objects.filter(action="access_denied", object_type="fhir:Patient").count() == 2
    screen = chart["alex"]["screen"].results.first()
    assert fhir(secret, f"Observation/{screen.pk}").status_code == 404


def test_system_token_without_any_consent_receives_nothing(world, chart, fhir, token_for, clinic):
    secret = token_for(recipient=clinic)
    for name in ("Patient", "Condition", "Observation", "MedicationRequest", "Consent", "EpisodeOfCare"):
        assert ids(fhir(secret, name)) == set(), name
    assert fhir(secret, f"Patient/{world.alex.pk}").status_code == 404


def test_system_token_receives_what_the_consent_releases_with_the_notice(
    world, chart, fhir, token_for, clinic, alex_tpo_consent
):
    secret = token_for(recipient=clinic)
    assert ids(fhir(secret, "Patient")) == {str(world.alex.pk)}  # not blair: no consent
    response = fhir(secret, "Observation")
    screens = {str(r.pk) for r in chart["alex"]["screen"].results.all()}
    assert ids(response) == screens | {str(chart["phq9"].pk)}
    notices = [e for e in response.json()["entry"] if e["search"]["mode"] == "outcome"]
    assert notices[0]["resource"]["issue"][0]["details"]["text"] == REDISCLOSURE_NOTICE
    assert ids(fhir(secret, "Consent")) == {str(alex_tpo_consent.pk)}
    disclosed = AuditEvent.objects.filter(action="disclose", object_type="fhir:Observation").first()
    assert disclosed is not None
    assert disclosed.participant_id == world.alex.pk
    assert disclosed.detail["consent"] == str(alex_tpo_consent.pk)
    assert disclosed.detail["recipient"] == str(clinic.pk)
    # Each release is an entry of alex's accounting of disclosures (42 CFR 2.25), never blair's.
    entry = Disclosure.objects.get(pk=disclosed.detail["disclosure"])
    assert (entry.participant, entry.recipient, entry.consent) == (world.alex, clinic, alex_tpo_consent)
    assert entry.outcome == "released" and entry.channel == "electronic"
    assert entry.notice_text == REDISCLOSURE_NOTICE and entry.consent_summary
    assert {r["type"] for r in entry.records} == {"Observation"}
    assert not Disclosure.objects.filter(participant=world.blair).exists()


def test_a_single_read_under_consent_carries_the_notice_to_display(
    world, chart, fhir, token_for, clinic, alex_tpo_consent
):
    from bridge.privacy.labels import MUST_DISPLAY

    def shown(resource):
        return [e["valueString"] for e in resource["meta"].get("extension", []) if e["url"] == MUST_DISPLAY]

    patient = fhir(token_for(recipient=clinic), f"Patient/{world.alex.pk}").json()
    # The notice, then the summary of the consent it relies on (42 CFR 2.32(b)).
    assert shown(patient)[0] == REDISCLOSURE_NOTICE
    assert len(shown(patient)) == 2 and shown(patient)[1].startswith("The consent this release relies on:")
    # Staff reading with their own access are inside the program: nothing is disclosed to them.
    assert shown(fhir(token_for(user=world.therapist_a), f"Patient/{world.alex.pk}").json()) == []


def test_a_recipient_the_consent_does_not_cover_receives_nothing(
    world, chart, fhir, token_for, employer, alex_tpo_consent
):
    secret = token_for(recipient=employer, purpose="employment")
    assert ids(fhir(secret, "Patient")) == set()
    assert ids(fhir(secret, "Observation")) == set()


def test_the_wrong_purpose_receives_nothing(world, chart, fhir, token_for, clinic, alex_tpo_consent):
    secret = token_for(recipient=clinic, purpose="HLEGAL")
    assert ids(fhir(secret, "Patient")) == set()


def test_a_revoked_consent_stops_the_release(world, chart, fhir, token_for, clinic, alex_tpo_consent):
    secret = token_for(recipient=clinic)
    assert ids(fhir(secret, "Patient")) == {str(world.alex.pk)}
    privacy_services.consent_revoke(
        actor=world.director,
        consent=alex_tpo_consent,
        received_on=timezone.localdate(timezone=world.program.tz),
        received_how="letter",
        note="",
    )
    assert ids(fhir(secret, "Patient")) == set()


def test_group_lists_only_members_the_caller_may_see(world, chart, fhir, token_for, clinic, alex_tpo_consent):
    group = chart["group"]
    members = fhir(token_for(user=world.therapist_a), f"Group/{group.pk}").json()["member"]
    assert [m["entity"]["reference"] for m in members] == [f"Patient/{world.alex.pk}"]
    released = fhir(token_for(recipient=clinic), f"Group/{group.pk}").json()
    assert [m["entity"]["reference"] for m in released["member"]] == [f"Patient/{world.alex.pk}"]
    # Naming alex as a member is a release under consent: labelled, with the notice, accounted for.
    assert labels.carries_labels(released)
    assert any(e["valueString"] == REDISCLOSURE_NOTICE for e in released["meta"]["extension"])
    entry = Disclosure.objects.get(participant=world.alex, records__0__type="Group")
    assert entry.consent == alex_tpo_consent
    assert not Disclosure.objects.filter(participant=world.blair).exists()
    assert AuditEvent.objects.filter(action="read", object_type="fhir:Group", participant=world.alex).exists()
    assert fhir(token_for(user=world.outsider), f"Group/{group.pk}").status_code == 404


def test_encounters_are_part_of_the_session_and_a_client_sees_only_consented_attendance(
    world, chart, fhir, token_for, clinic, alex_tpo_consent
):
    session = chart["session"]
    attendance = chart["attendance"]
    director = token_for(user=world.director)
    mine = fhir(director, "Encounter", patient=str(world.alex.pk)).json()["entry"][0]["resource"]
    assert mine["partOf"] == {"reference": f"Encounter/{session.pk}"}
    assert mine["length"]["value"] == 180
    assert ids(fhir(director, "Encounter", patient=str(world.blair.pk))) == set()  # a no-show: no encounter
    noshow = fhir(director, f"Appointment/{attendance['blair'].pk}").json()
    assert noshow["status"] == "noshow"
    client = token_for(recipient=clinic)
    assert ids(fhir(client, "Encounter")) == {str(session.pk), str(attendance["alex"].pk)}
    assert ids(fhir(client, "Appointment")) == {str(attendance["alex"].pk)}
    stranger = token_for(
        recipient=Recipient.objects.create(
            program=world.program, name="Other clinic", kind="treating_provider", address="x"
        ),
        purpose="HPAYMT",
    )
    assert ids(fhir(stranger, "Encounter")) == set()  # no consent for payment: not even the session


def test_questionnaires_are_generated_from_the_instruments(world, fhir, token_for):
    secret = token_for(user=world.therapist_a)
    phq9 = fhir(secret, "Questionnaire/PHQ-9").json()
    assert phq9["code"][0]["code"] == "44249-1"
    assert len(phq9["item"]) == 9
    assert ids(fhir(secret, "Questionnaire", code="AUDIT-C")) == {"AUDIT-C"}


def test_a_consent_for_assessments_releases_instrument_totals_but_not_drug_screens(
    world, chart, fhir, token_for, employer
):
    today = timezone.localdate(timezone=world.program.tz)
    consent = privacy_services.consent_record(
        actor=world.director,
        participant=world.alex,
        consent_type="named",
        patient_name=world.alex.legal_name,
        discloser="Harbor",
        data_classes=["assessments"],
        recipients=[employer],
        purposes=["employment"],
        expires_on=today + timedelta(days=90),
        signature_name=world.alex.legal_name,
        signed_on=today - timedelta(days=1),
    )
    secret = token_for(recipient=employer, purpose="employment")
    assert ids(fhir(secret, "Observation")) == {str(chart["phq9"].pk)}
    assert ids(fhir(secret, "QuestionnaireResponse")) == {str(chart["phq9"].pk)}
    event = AuditEvent.objects.filter(action="disclose", object_type="fhir:Observation").get()
    assert event.detail["consent"] == str(consent.pk)


def test_the_audit_log_is_for_auditors_only(world, chart, fhir, token_for, clinic, alex_tpo_consent):
    director = token_for(user=world.director)
    fhir(director, f"Patient/{world.alex.pk}")
    auditor = token_for(user=world.auditor)
    reads = fhir(auditor, "AuditEvent", patient=str(world.alex.pk), code="read").json()
    assert reads["total"] >= 1
    assert reads["entry"][0]["resource"]["entity"][0]["what"]["reference"] == f"Patient/{world.alex.pk}"
    assert ids(fhir(director, "AuditEvent")) == set()  # directors review on the screens, not here
    assert ids(fhir(token_for(recipient=clinic), "AuditEvent")) == set()
    assert ids(fhir(token_for(user=world.outsider), "AuditEvent", patient=str(world.alex.pk))) == set()


def test_a_fhir_release_shows_in_the_participants_accounting(
    world, chart, fhir, token_for, clinic, alex_tpo_consent, login
):
    from django.urls import reverse

    fhir(token_for(recipient=clinic), "Condition")
    entry = Disclosure.objects.get(participant=world.alex)
    page = login(world.director)
    accounting = page.get(reverse("privacy:accounting", args=[world.alex.pk]))
    assert accounting.status_code == 200 and "Lakeside Clinic" in accounting.content.decode()
    detail = page.get(reverse("privacy:disclosure_detail", args=[world.alex.pk, entry.pk])).content.decode()
    assert "through the FHIR API" in detail and f"Condition/{chart['alex']['problem'].pk}" in detail
