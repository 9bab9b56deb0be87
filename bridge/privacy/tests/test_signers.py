"""Who signs a consent: derived from the participant's age and the program's state (42 CFR 2.14)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bridge.participants.models import Participant
from bridge.privacy import signers, signing
from bridge.privacy.models import Consent, SignatureMethod, SignatureRequest
from bridge.privacy.vocab import ConsentType, DataClass, Purpose


def test_in_california_a_minor_of_12_or_older_signs_alone():
    who = signers.signers_for(age=14, state="CA")
    assert who.required == who.allowed == {signers.PARTICIPANT}
    assert "Family Code §6929" in who.rule and "2.14(a)" in who.rule


def test_in_california_a_minor_under_12_signs_with_a_parent():
    who = signers.signers_for(age=11, state="CA")
    assert who.required == {signers.PARTICIPANT, signers.PARENT}


def test_in_a_parental_consent_state_the_minor_and_a_parent_both_sign():
    who = signers.signers_for(
        age=16, state="CO", overrides={"CO": {"minor_consent_age": None, "citation": "C.R.S. test rule"}}
    )
    assert who.required == {signers.PARTICIPANT, signers.PARENT}
    assert "C.R.S. test rule" in who.rule and "2.14(b)" in who.rule
    # A state not in the table gets the cautious reading.
    assert signers.signers_for(age=16, state="ZZ").required == {signers.PARTICIPANT, signers.PARENT}


def test_an_adult_signs_for_themself():
    who = signers.signers_for(age=30, state="CA")
    assert who.required == {signers.PARTICIPANT} and not who.minor


@pytest.fixture
def minor(world):
    """Alex, made 15 years old."""
    today = date.today()
    Participant.objects.filter(pk=world.alex.pk).update(
        date_of_birth=today.replace(year=today.year - 15) - timedelta(days=3)
    )
    world.alex.refresh_from_db()
    return world.alex


def test_a_california_minor_consent_refuses_a_parent_signature_naming_the_rule(
    world, minor, make_consent, recipients
):
    world.program.state = "CA"
    world.program.save(update_fields=["state"])
    with pytest.raises(ValidationError) as exc:
        make_consent(
            recipients=[recipients["employer"]],
            parent_signature_name="Pat Sample",
            parent_relationship="mother",
        )
    assert "Family Code §6929" in exc.value.message_dict["signer"][0]
    with pytest.raises(ValidationError) as exc:
        make_consent(
            recipients=[recipients["employer"]],
            signer=Consent.Signer.REPRESENTATIVE,
            representative_authority="parent",
        )
    assert "2.14(a)" in exc.value.message_dict["signer"][0]
    consent = make_consent(recipients=[recipients["employer"]])
    assert consent.parent_signature_name == ""


def test_a_parental_state_minor_consent_needs_the_parent_too(
    world, minor, make_consent, recipients, settings
):
    settings.BRIDGE_MINOR_CONSENT_RULES = {
        "CO": {"minor_consent_age": None, "citation": "Colorado rule (test)"}
    }
    world.program.state = "CO"
    world.program.save(update_fields=["state"])
    with pytest.raises(ValidationError) as exc:
        make_consent(recipients=[recipients["employer"]])
    assert "Colorado rule (test)" in exc.value.message_dict["parent_signature_name"][0]
    consent = make_consent(
        recipients=[recipients["employer"]], parent_signature_name="Pat Sample", parent_relationship="mother"
    )
    assert consent.parent_signature_name == "Pat Sample"


def test_the_consent_form_shows_who_signs_and_no_longer_suggests_a_parent_as_representative(
    world, minor, login
):
    world.program.state = "CA"
    world.program.save(update_fields=["state"])
    page = login(world.therapist_a).get(reverse("privacy:consent_create", args=[world.alex.pk, "named"]))
    body = page.content.decode()
    assert "Family Code §6929" in body
    assert "parent of a minor" not in body


def _in_state(world, state):
    world.program.state = state
    world.program.save(update_fields=["state"])
    world.alex.refresh_from_db()  # its program is read again, with the new state


def test_on_a_screen_a_california_minor_signs_alone_and_a_parental_state_minor_is_sent_to_paper(
    world, minor, recipients, client, settings
):
    def request_signature():
        return signing.consent_signature_request(
            actor=world.therapist_a,
            participant=world.alex,
            channel="phone",
            consent={
                "consent_type": ConsentType.NAMED,
                "patient_name": world.alex.legal_name,
                "discloser": "Harbor",
                "data_classes": [DataClass.ATTENDANCE],
                "recipients": [recipients["employer"]],
                "purposes": [Purpose.EMPLOYMENT],
                "expires_on": date.today() + timedelta(days=90),
            },
        )

    _in_state(world, "CA")
    _request, token = request_signature()
    done = client.post(
        reverse("privacy:sign", args=[token]),
        {
            "date_of_birth": world.alex.date_of_birth.isoformat(),
            "typed_name": world.alex.legal_name,
            "agreed": "on",
        },
    )
    assert done.status_code == 200
    consent = Consent.objects.get()
    assert consent.signature_method == SignatureMethod.ELECTRONIC and consent.parent_signature_name == ""
    # Where a parent must sign too, the screen (the minor's own signature) is refused, naming the rule.
    settings.BRIDGE_MINOR_CONSENT_RULES = {
        "CO": {"minor_consent_age": None, "citation": "Colorado rule (test)"}
    }
    _in_state(world, "CO")
    with pytest.raises(ValidationError) as exc:
        request_signature()
    assert "Colorado rule (test)" in exc.value.messages[0] and "2.14(b)" in exc.value.messages[0]
    assert SignatureRequest.objects.count() == 1
