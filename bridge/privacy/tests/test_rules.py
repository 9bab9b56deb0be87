"""The pure Part 2 rules: a consent's required elements, and whether a consent covers a release."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.privacy import rules
from bridge.privacy.vocab import GENERAL_CLASSES, ConsentType, DataClass, Purpose, RecipientKind

TODAY = date(2026, 11, 26)

COMPLETE = rules.ConsentDraft(
    consent_type=ConsentType.NAMED,
    patient_name="Alex Sample",
    discloser="Harbor",
    data_classes=frozenset({DataClass.ATTENDANCE}),
    recipient_count=1,
    purposes=frozenset({Purpose.EMPLOYMENT}),
    expires_on=date(2027, 5, 1),
    signature_name="Alex Sample",
    signed_on=date(2026, 11, 20),
)


def test_a_complete_consent_has_no_problems():
    assert rules.missing_elements(COMPLETE, today=TODAY) == {}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"patient_name": " "}, "patient_name", "participant's name"),
        ({"discloser": ""}, "discloser", "who may disclose"),
        ({"data_classes": frozenset()}, "data_classes", "what information"),
        ({"recipient_count": 0}, "recipients", "who may receive it"),
        ({"purposes": frozenset()}, "purposes", "purpose"),
        ({"expires_on": None, "expiry_event": ""}, "expiry", "expires"),
        ({"signature_name": ""}, "signature_name", "signature"),
        ({"signer": "representative"}, "representative_authority", "authority"),
        ({"signed_on": None}, "signed_on", "date of signature"),
    ],
)
def test_each_missing_element_is_named(change, field, words):
    problems = rules.missing_elements(dataclasses.replace(COMPLETE, **change), today=TODAY)
    assert list(problems) == [field]
    assert words in problems[field]


def test_an_expiry_event_is_enough_without_a_date():
    draft = dataclasses.replace(COMPLETE, expires_on=None, expiry_event="when probation ends")
    assert rules.missing_elements(draft, today=TODAY) == {}


def test_counseling_notes_are_never_in_a_general_consent():
    draft = dataclasses.replace(
        COMPLETE, data_classes=frozenset({DataClass.ATTENDANCE, DataClass.COUNSELING_NOTES})
    )
    assert "separate consent" in rules.missing_elements(draft, today=TODAY)["data_classes"]


def test_a_counseling_notes_consent_covers_nothing_else():
    draft = dataclasses.replace(
        COMPLETE,
        consent_type=ConsentType.COUNSELING_NOTES,
        data_classes=frozenset({DataClass.COUNSELING_NOTES, DataClass.DIAGNOSES}),
    )
    assert "counseling notes only" in rules.missing_elements(draft, today=TODAY)["data_classes"]


def test_tpo_consent_names_the_class_and_only_tpo_purposes():
    tpo = dataclasses.replace(
        COMPLETE,
        consent_type=ConsentType.TPO,
        tpo_class=True,
        recipient_count=0,
        purposes=frozenset({Purpose.TREATMENT, Purpose.PAYMENT}),
    )
    assert rules.missing_elements(tpo, today=TODAY) == {}
    assert "purposes" in rules.missing_elements(
        dataclasses.replace(tpo, purposes=frozenset({Purpose.LEGAL})), today=TODAY
    )
    assert "recipients" in rules.missing_elements(dataclasses.replace(tpo, tpo_class=False), today=TODAY)


def test_intermediary_needs_its_members_or_treating_providers_only():
    draft = dataclasses.replace(COMPLETE, intermediary_name="Bay HIE")
    assert "intermediary" in rules.missing_elements(draft, today=TODAY)
    ok = dataclasses.replace(draft, intermediary_treating_providers_only=True)
    assert rules.missing_elements(ok, today=TODAY) == {}


def test_signature_date_in_the_future_and_expiry_before_signature_are_refused():
    assert "signed_on" in rules.missing_elements(
        dataclasses.replace(COMPLETE, signed_on=TODAY + timedelta(days=1)), today=TODAY
    )
    assert "expiry" in rules.missing_elements(
        dataclasses.replace(COMPLETE, expires_on=date(2026, 11, 20)), today=TODAY
    )


# ---- evaluate ------------------------------------------------------------------------------------

TERMS = rules.ConsentTerms(
    id="c1",
    consent_type=ConsentType.NAMED,
    label="Named-recipient consent signed 2026-11-01",
    status="active",
    status_on=None,
    signed_on=date(2026, 11, 1),
    expires_on=date(2027, 5, 1),
    tpo_class=False,
    recipient_ids=frozenset({"r-employer"}),
    purposes=frozenset({Purpose.EMPLOYMENT}),
    data_classes=frozenset({DataClass.ATTENDANCE, DataClass.EPISODES}),
)
ASK = rules.Ask(
    recipient_id="r-employer",
    recipient_kind=RecipientKind.EMPLOYER,
    recipient_name="Acme HR",
    purpose=Purpose.EMPLOYMENT,
    data_classes=frozenset({DataClass.ATTENDANCE}),
    on=TODAY,
)


def test_a_covering_consent_permits():
    assert rules.evaluate([TERMS], ASK) == rules.Evaluation(True, "c1", ())


@pytest.mark.parametrize(
    ("terms_change", "ask_change", "why"),
    [
        ({"status": "revoked", "status_on": date(2026, 11, 20)}, {}, "revoked on 2026-11-20"),
        ({"expires_on": TODAY}, {}, "expired on 2026-11-26"),
        ({}, {"recipient_id": "r-court", "recipient_name": "Drug Court"}, "does not name Drug Court"),
        ({}, {"purpose": Purpose.LEGAL}, "does not allow"),
        ({}, {"data_classes": frozenset({DataClass.DIAGNOSES})}, "does not cover diagnoses"),
    ],
)
def test_refusals_say_why(terms_change, ask_change, why):
    result = rules.evaluate(
        [dataclasses.replace(TERMS, **terms_change)], dataclasses.replace(ASK, **ask_change)
    )
    assert not result.permit
    assert result.reasons[0] == rules.NO_APPLICABLE_CONSENT
    assert why in result.reasons[1]


def test_tpo_consent_covers_treating_providers_as_a_class_but_never_counseling_notes():
    tpo = dataclasses.replace(
        TERMS,
        consent_type=ConsentType.TPO,
        tpo_class=True,
        recipient_ids=frozenset(),
        purposes=frozenset({Purpose.TREATMENT}),
        data_classes=frozenset(DataClass.values),  # even if a row somehow listed counseling notes
    )
    provider = dataclasses.replace(
        ASK, recipient_id="r-dr", recipient_kind=RecipientKind.TREATING_PROVIDER, purpose=Purpose.TREATMENT
    )
    assert rules.evaluate([tpo], provider).permit
    notes = rules.evaluate(
        [tpo], dataclasses.replace(provider, data_classes=frozenset({DataClass.COUNSELING_NOTES}))
    )
    assert not notes.permit and "separate counseling-notes consent" in notes.reasons[1]
    employer = dataclasses.replace(provider, recipient_kind=RecipientKind.EMPLOYER)
    assert not rules.evaluate([tpo], employer).permit


@settings(deadline=None)  # the machine is shared; timing is not what this checks
@given(
    st.frozensets(st.sampled_from(GENERAL_CLASSES), min_size=1),
    st.frozensets(st.sampled_from(GENERAL_CLASSES), min_size=1),
    st.sampled_from(list(Purpose)),
    st.sampled_from(["active", "revoked", "expired", "superseded"]),
)
def test_permit_exactly_when_active_and_every_class_and_the_purpose_are_covered(
    covered, asked, purpose, status
):
    terms = dataclasses.replace(TERMS, data_classes=covered, status=status)
    result = rules.evaluate([terms], dataclasses.replace(ASK, data_classes=asked, purpose=purpose))
    expected = status == "active" and asked <= covered and purpose == Purpose.EMPLOYMENT
    assert result.permit is expected
    if not expected:
        assert result.reasons[0] == rules.NO_APPLICABLE_CONSENT and result.consent_id is None


def test_the_refusal_headline_is_the_same_with_or_without_consents():
    none = rules.evaluate([], ASK)
    wrong = rules.evaluate([dataclasses.replace(TERMS, status="revoked")], ASK)
    assert none.reasons[0] == wrong.reasons[0] == rules.NO_APPLICABLE_CONSENT
