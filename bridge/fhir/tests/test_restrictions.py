"""An agreed restriction (42 CFR 2.26) stops a FHIR release its consent would otherwise allow."""

from __future__ import annotations

from django.utils import timezone

from bridge.privacy import restrictions
from bridge.privacy.vocab import RecipientKind


def _ids(response) -> set[str]:
    return {
        e["resource"]["id"]
        for e in response.json().get("entry", [])
        if e["resource"]["resourceType"] == "Patient"
    }


def test_an_agreed_restriction_stops_the_fhir_read(world, chart, fhir, token_for, clinic, alex_tpo_consent):
    secret = token_for(recipient=clinic)
    assert _ids(fhir(secret, "Patient")) == {str(world.alex.pk)}
    restriction = restrictions.restriction_request(
        actor=world.therapist_a,
        participant=world.alex,
        requested_on=timezone.localdate(timezone=world.program.tz),
        request_text="Do not send my records to treating providers outside the program.",
        recipient_kind=RecipientKind.TREATING_PROVIDER,
    )
    assert _ids(fhir(secret, "Patient")) == {str(world.alex.pk)}  # requested, not yet agreed
    restrictions.restriction_decide(actor=world.director, restriction=restriction, agree=True)
    assert _ids(fhir(secret, "Patient")) == set()
    assert fhir(secret, f"Patient/{world.alex.pk}").status_code == 404


def test_a_consent_based_fhir_release_carries_the_consent_summary(
    world, chart, fhir, token_for, clinic, alex_tpo_consent
):
    from bridge.privacy.labels import MUST_DISPLAY

    secret = token_for(recipient=clinic)
    resource = fhir(secret, f"Patient/{world.alex.pk}").json()
    shown = [e["valueString"] for e in resource["meta"]["extension"] if e["url"] == MUST_DISPLAY]
    assert any(s.startswith("The consent this release relies on:") and "signed on" in s for s in shown)
