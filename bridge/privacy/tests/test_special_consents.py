"""Special consents: the criminal-justice consent (42 CFR 2.35) and the proceedings-only consent; the
"no conditioning" statement is printed only where it is true."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.privacy import services, statements
from bridge.privacy.models import Consent
from bridge.privacy.vocab import ConsentType, DataClass, Purpose


@pytest.fixture
def cj_consent(make_consent, recipients):
    return make_consent(
        consent_type=ConsentType.CRIMINAL_JUSTICE,
        recipients=[recipients["court"]],
        purposes=[Purpose.LEGAL],
        expires_on=None,
        expiry_event="the final disposition of the probation in case CR-26-101",
        cj_agency="Alameda County Probation Department",
        cj_period="Until the end of probation, expected January 2027",
    )


def test_a_criminal_justice_consent_records_agency_period_and_event(cj_consent, world, login):
    assert cj_consent.cj_agency.startswith("Alameda") and cj_consent.status == Consent.Status.ACTIVE
    assert statements.NO_CONDITIONING not in cj_consent.statements
    assert statements.CRIMINAL_JUSTICE in cj_consent.statements
    page = (
        login(world.therapist_a)
        .get(reverse("privacy:consent_print", args=[world.alex.pk, cj_consent.pk]))
        .content.decode()
    )
    assert "Cannot be revoked until" in page and "Alameda County Probation Department" in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cj_agency": ""}, "cj_agency"),
        ({"cj_period": ""}, "cj_period"),
        ({"expiry_event": "", "expires_on": "DATE"}, "expiry"),
        ({"purposes": [Purpose.LEGAL, Purpose.TREATMENT]}, "purposes"),
    ],
)
def test_a_criminal_justice_consent_needs_each_of_its_elements(
    make_consent, recipients, today, overrides, field
):
    fields = {
        "consent_type": ConsentType.CRIMINAL_JUSTICE,
        "recipients": [recipients["court"]],
        "purposes": [Purpose.LEGAL],
        "expires_on": None,
        "expiry_event": "final disposition",
        "cj_agency": "Probation",
        "cj_period": "one year",
    }
    fields.update(overrides)
    if fields.get("expires_on") == "DATE":
        fields["expires_on"] = today + timedelta(days=100)
    with pytest.raises(ValidationError) as exc:
        make_consent(**fields)
    assert field in exc.value.message_dict


def test_a_criminal_justice_consent_names_only_criminal_justice_recipients(make_consent, recipients):
    with pytest.raises(ValidationError) as exc:
        make_consent(
            consent_type=ConsentType.CRIMINAL_JUSTICE,
            recipients=[recipients["employer"]],
            purposes=[Purpose.LEGAL],
            expires_on=None,
            expiry_event="final disposition",
            cj_agency="Probation",
            cj_period="one year",
        )
    assert "recipients" in exc.value.message_dict


def test_a_criminal_justice_consent_cannot_be_revoked_before_its_event(cj_consent, world, login, today):
    with pytest.raises(ValidationError) as exc:
        services.consent_revoke(
            actor=world.director, consent=cj_consent, received_on=today, received_how="letter"
        )
    assert "2.35" in exc.value.messages[0]
    response = login(world.therapist_a).post(
        reverse("privacy:consent_revoke", args=[world.alex.pk, cj_consent.pk]),
        {"received_on": today.isoformat(), "received_how": "letter"},
    )
    assert response.status_code == 400
    cj_consent.refresh_from_db()
    assert cj_consent.status == Consent.Status.ACTIVE
    # The event it names ends it.
    services.consent_end_by_event(
        actor=world.director, consent=cj_consent, occurred_on=today, note="Probation terminated by the court."
    )
    cj_consent.refresh_from_db()
    assert cj_consent.status == Consent.Status.EXPIRED


def test_a_proceedings_consent_is_for_its_proceeding_only(make_consent, recipients):
    consent = make_consent(
        consent_type=ConsentType.PROCEEDINGS,
        recipients=[recipients["court"]],
        purposes=[Purpose.LEGAL],
        proceeding="Custody hearing, Alameda Superior Court FL-2026-0042",
    )
    assert statements.PROCEEDINGS_ONLY in consent.statements
    with pytest.raises(ValidationError) as exc:
        make_consent(
            consent_type=ConsentType.PROCEEDINGS,
            recipients=[recipients["court"]],
            purposes=[Purpose.LEGAL, Purpose.EMPLOYMENT],
            proceeding="Custody hearing",
        )
    assert "purposes" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_consent(
            consent_type=ConsentType.PROCEEDINGS, recipients=[recipients["court"]], purposes=[Purpose.LEGAL]
        )
    assert "proceeding" in exc.value.message_dict


def test_the_legal_purpose_is_never_mixed_with_another_in_a_named_consent(make_consent, recipients):
    with pytest.raises(ValidationError) as exc:
        make_consent(recipients=[recipients["court"]], purposes=[Purpose.LEGAL, Purpose.EMPLOYMENT])
    assert "cannot be combined" in exc.value.message_dict["purposes"][0]


def test_the_form_records_a_proceedings_consent_and_names_a_missing_proceeding(
    world, login, recipients, today
):
    client = login(world.therapist_a)
    url = reverse("privacy:consent_create", args=[world.alex.pk, ConsentType.PROCEEDINGS])
    assert statements.PROCEEDINGS_ONLY in client.get(url).content.decode()
    data = {
        "patient_name": world.alex.legal_name,
        "discloser": "Harbor",
        "data_classes": [DataClass.ATTENDANCE],
        "recipients": [recipients["court"].pk],
        "purposes": [Purpose.LEGAL],
        "expires_on": (today + timedelta(days=90)).isoformat(),
        "signer": "participant",
        "signature_name": world.alex.legal_name,
        "signed_on": today.isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "proceeding" in response.context["form"].errors
    response = client.post(url, {**data, "proceeding": "Custody hearing FL-2026-0042"})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.proceeding == "Custody hearing FL-2026-0042"
    assert AuditEvent.objects.filter(
        action="create", object_type="consent", object_id=str(consent.pk)
    ).exists()


def test_an_outsider_gets_404_on_a_criminal_justice_consent_form(world, login):
    url = reverse("privacy:consent_create", args=[world.alex.pk, ConsentType.CRIMINAL_JUSTICE])
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.therapist_a).get(url).status_code == 200


def test_no_conditioning_is_printed_only_where_true(settings, make_consent, recipients):
    settings.BRIDGE_TPO_REQUIRED_AT_ADMISSION = True
    required = make_consent(
        consent_type=ConsentType.TPO,
        purposes=[Purpose.TREATMENT],
        expires_on=None,
        expiry_event="end of treatment",
    )
    assert statements.NO_CONDITIONING not in required.statements
    assert statements.TPO_REQUIRED in required.statements
    settings.BRIDGE_TPO_REQUIRED_AT_ADMISSION = False
    optional = make_consent(
        consent_type=ConsentType.TPO,
        purposes=[Purpose.TREATMENT],
        expires_on=None,
        expiry_event="end of treatment",
    )
    assert statements.NO_CONDITIONING in optional.statements
    named = make_consent(recipients=[recipients["employer"]])
    assert statements.NO_CONDITIONING in named.statements
