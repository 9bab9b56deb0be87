"""Disclosures without consent: each legal basis needs its own facts, carries its own notice and is
entered in the accounting the rule names (Part 2 for 3 years, HIPAA for 6, or neither)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.privacy import bases, queries, services
from bridge.privacy.labels import NO_REDISCLOSURE
from bridge.privacy.models import Disclosure, Recipient
from bridge.privacy.notice import REDISCLOSURE_NOTICE
from bridge.privacy.vocab import Channel, ConsentType, DataClass, Purpose, RecipientKind

NOW = "2026-03-02T14:30"

# A complete set of facts, the recipient kind and the purpose for each basis without consent.
CASES: dict[str, tuple[RecipientKind, str, dict[str, Any]]] = {
    bases.MEDICAL_EMERGENCY: (
        RecipientKind.TREATING_PROVIDER,
        Purpose.EMERGENCY,
        {
            "personnel_name": "Dr. Rivera",
            "personnel_affiliation": "Highland Hospital emergency department",
            "disclosed_by": "Sam Nurse",
            "disclosed_at": NOW,
            "emergency": "Unresponsive after suspected overdose; ED asked for current medications.",
            "consent_unobtainable": "The participant was unconscious.",
        },
    ),
    bases.RESEARCH: (
        RecipientKind.RESEARCHER,
        Purpose.RESEARCH,
        {
            "protocol": "IOP outcomes study #2026-14",
            "review_board": "State University IRB",
            "approval": "Waiver of authorization 2026-01-10",
            "agreement_on": "2026-01-15",
        },
    ),
    bases.AUDIT: (
        RecipientKind.AUDITOR,
        Purpose.OVERSIGHT,
        {
            "audit_kind": "government",
            "scope": "State licensing review of 2025 charts",
            "agreement_on": "2026-02-01",
        },
    ),
    bases.COURT_ORDER: (
        RecipientKind.COURT,
        Purpose.LEGAL,
        {
            "order_section": "2.64",
            "court": "Alameda County Superior Court",
            "case_number": "FL-2026-0042",
            "order_date": "2026-02-20",
            "order_limits": "Attendance only, January to February 2026, to the court under seal.",
            "notice_given": "Participant and program served 2026-02-05; heard in chambers.",
        },
    ),
    bases.QSO: (
        RecipientKind.QSO,
        Purpose.OPERATIONS,
        {"service": "Drug screen laboratory", "agreement_on": "2025-06-01"},
    ),
    bases.BUSINESS_ASSOCIATE: (
        RecipientKind.OPERATIONS,
        Purpose.PAYMENT,
        {"service": "Billing service", "agreement_on": "2025-06-01"},
    ),
    bases.CHILD_ABUSE: (
        RecipientKind.AUTHORITY,
        "abuse_report",
        {
            "state_law": "California Penal Code 11166",
            "reported_at": NOW,
            "reported_by": "Therapist A",
            "initial_report_only": True,
        },
    ),
}
ACCOUNTABLE = {
    bases.MEDICAL_EMERGENCY: "none",
    bases.RESEARCH: "hipaa",
    bases.AUDIT: "hipaa",
    bases.COURT_ORDER: "hipaa",
    bases.QSO: "none",
    bases.BUSINESS_ASSOCIATE: "none",
    bases.CHILD_ABUSE: "hipaa",
}


def _recipient(world, kind):
    return Recipient.objects.get_or_create(
        program=world.program, name=f"Recipient {kind}", defaults={"kind": kind, "address": "1 Main St"}
    )[0]


def _document():
    return SimpleUploadedFile("order.pdf", b"%PDF-1.4 the order", content_type="application/pdf")


def _disclose(world, today, basis, *, details=None, kind=None, purpose=None, classes=(DataClass.ATTENDANCE,)):
    rkind, rpurpose, rdetails = CASES[basis]
    return services.disclosure_prepare(
        actor=world.therapist_a,
        participant=world.alex,
        recipient=_recipient(world, kind or rkind),
        purpose=purpose or rpurpose,
        data_classes=list(classes),
        date_from=today - timedelta(days=30),
        date_to=today,
        channel=Channel.FAX,
        legal_basis=basis,
        basis_details=rdetails if details is None else details,
        basis_document=_document() if bases.basis(basis).needs_document else None,
    )


@pytest.mark.parametrize("basis", list(CASES))
def test_each_basis_with_its_facts_releases_with_its_notice_and_accounting(world, today, basis):
    disclosure = _disclose(world, today, basis)
    assert disclosure.outcome == Disclosure.Outcome.RELEASED
    assert disclosure.consent is None and disclosure.legal_basis == basis
    assert disclosure.accountable == ACCOUNTABLE[basis]
    assert bases.basis(basis).notice_text in disclosure.notice_text
    assert disclosure.package["legal_basis"].startswith(bases.basis(basis).label)
    assert len(disclosure.package["basis_lines"]) >= 2
    # Statement 1 travels wherever redisclosure stays prohibited and the basis's notice includes it.
    assert (REDISCLOSURE_NOTICE in disclosure.notice_text) == (
        bases.basis(basis).notice in (bases.NOTICE_STATEMENT, bases.NOTICE_COURT_ORDER)
    )
    event = AuditEvent.objects.filter(action="disclose", object_id=str(disclosure.pk)).get()
    assert event.detail["basis"] == basis and event.detail["accountable"] == ACCOUNTABLE[basis]
    decision = AuditEvent.objects.filter(action="policy_decision", object_id=str(disclosure.pk)).get()
    assert decision.detail["decision"] == "basis"
    in_accounting = disclosure in list(queries.accounting_for(world.alex, today))
    assert in_accounting == (ACCOUNTABLE[basis] != "none")


@pytest.mark.parametrize("basis", list(CASES))
def test_each_basis_refuses_without_each_required_fact(world, today, basis):
    _, _, details = CASES[basis]
    for name in details:
        if name in bases.OPTIONAL_FIELDS:
            continue
        short = {k: v for k, v in details.items() if k != name}
        with pytest.raises(ValidationError) as exc:
            _disclose(world, today, basis, details=short)
        assert name in exc.value.message_dict, (basis, name)
        assert bases.basis(basis).citation in exc.value.message_dict[name][0]
    assert not Disclosure.objects.exists()


def test_medical_emergency_names_its_required_fields():
    names = {f.name for f in bases.basis(bases.MEDICAL_EMERGENCY).fields}
    assert {"personnel_name", "personnel_affiliation", "disclosed_by", "disclosed_at", "emergency"} <= names


def test_a_basis_refuses_a_recipient_it_does_not_allow_and_records_the_refusal(world, today):
    disclosure = _disclose(world, today, bases.MEDICAL_EMERGENCY, kind=RecipientKind.EMPLOYER)
    assert disclosure.outcome == Disclosure.Outcome.REFUSED
    assert "42 CFR 2.51" in disclosure.refusal_reasons[0]
    assert disclosure.accountable == "none" and disclosure.package is None


def test_counseling_notes_go_only_under_a_court_order_among_the_bases(world, today):
    refused = _disclose(world, today, bases.RESEARCH, classes=(DataClass.COUNSELING_NOTES,))
    assert refused.outcome == Disclosure.Outcome.REFUSED
    released = _disclose(world, today, bases.COURT_ORDER, classes=(DataClass.COUNSELING_NOTES,))
    assert released.outcome == Disclosure.Outcome.RELEASED


def test_a_court_order_needs_the_order_attached_and_prints_its_limits(world, today):
    kind, purpose, details = CASES[bases.COURT_ORDER]
    with pytest.raises(ValidationError) as exc:
        services.disclosure_prepare(
            actor=world.therapist_a,
            participant=world.alex,
            recipient=_recipient(world, kind),
            purpose=purpose,
            data_classes=[DataClass.ATTENDANCE],
            date_from=today,
            date_to=today,
            channel=Channel.MAIL,
            legal_basis=bases.COURT_ORDER,
            basis_details=details,
        )
    assert "basis_document" in exc.value.message_dict
    disclosure = _disclose(world, today, bases.COURT_ORDER)
    assert disclosure.basis_document.name.endswith(".pdf")
    assert details["order_limits"] in disclosure.notice_text


def test_the_accounting_keeps_part2_entries_3_years_and_hipaa_entries_6(world, today, make_consent):
    employer = Recipient.objects.create(
        program=world.program, name="Acme", kind=RecipientKind.EMPLOYER, address="x"
    )
    make_consent(recipients=[employer])
    with_consent = services.disclosure_prepare(
        actor=world.therapist_a,
        participant=world.alex,
        recipient=employer,
        purpose=Purpose.EMPLOYMENT,
        data_classes=[DataClass.ATTENDANCE],
        date_from=today,
        date_to=today,
        channel=Channel.MAIL,
    )
    assert with_consent.accountable == "part2"
    court = _disclose(world, today, bases.COURT_ORDER)
    old_court = _disclose(world, today, bases.COURT_ORDER)
    tz = world.program.tz

    def years_ago(d, years):
        when = datetime.combine(today.replace(year=today.year - years), time(12), tzinfo=tz)
        Disclosure.objects.filter(pk=d.pk).update(created_at=when)

    years_ago(with_consent, 4)  # Part 2: older than 3 years, out
    years_ago(court, 5)  # HIPAA: within 6 years, in
    years_ago(old_court, 7)  # HIPAA: older than 6 years, out
    assert list(queries.accounting_for(world.alex, today)) == [court]


def test_accounting_page_says_which_rule_each_entry_falls_under(world, login, today):
    _disclose(world, today, bases.CHILD_ABUSE)
    _disclose(world, today, bases.MEDICAL_EMERGENCY)
    response = login(world.therapist_a).get(reverse("privacy:accounting", args=[world.alex.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "HIPAA 45 CFR 164.528 (6 years)" in body
    assert "Child abuse or neglect report" in body
    assert "Medical emergency" not in body  # treatment in an emergency is not accountable


def test_tpo_release_to_a_provider_carries_no_redisclosure_refrain_but_a_named_release_does(
    world, today, make_consent, recipients
):
    make_consent(
        consent_type=ConsentType.TPO,
        purposes=[Purpose.TREATMENT],
        expires_on=None,
        expiry_event="end of treatment",
    )
    make_consent(recipients=[recipients["employer"]])

    def release(recipient, purpose):
        return services.disclosure_prepare(
            actor=world.therapist_a,
            participant=world.alex,
            recipient=recipient,
            purpose=purpose,
            data_classes=[DataClass.ATTENDANCE],
            date_from=today,
            date_to=today,
            channel=Channel.MAIL,
        )

    def refrains(disclosure):
        return [
            e
            for e in disclosure.package["bundle"]["entry"]
            if NO_REDISCLOSURE in e["resource"]["meta"]["security"]
        ]

    tpo = release(recipients["provider"], Purpose.TREATMENT)
    named = release(recipients["employer"], Purpose.EMPLOYMENT)
    assert tpo.outcome == named.outcome == Disclosure.Outcome.RELEASED
    assert refrains(tpo) == []
    assert len(refrains(named)) == len(named.package["bundle"]["entry"])


def test_the_form_records_an_emergency_disclosure_and_names_missing_facts(world, login, today):
    recipient = _recipient(world, RecipientKind.TREATING_PROVIDER)
    client = login(world.therapist_a)
    url = reverse("privacy:disclosure_create", args=[world.alex.pk])
    assert "Medical emergency (42 CFR 2.51)" in client.get(url).content.decode()
    data = {
        "legal_basis": bases.MEDICAL_EMERGENCY,
        "recipient": recipient.pk,
        "data_classes": [DataClass.MEDICATIONS],
        "date_from": (today - timedelta(days=7)).isoformat(),
        "date_to": today.isoformat(),
        "channel": Channel.FAX,
        **CASES[bases.MEDICAL_EMERGENCY][2],
    }
    missing = client.post(url, {**data, "personnel_name": ""})
    assert missing.status_code == 400
    assert "personnel_name" in missing.context["form"].errors
    response = client.post(url, data)
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.purpose == Purpose.EMERGENCY and disclosure.outcome == "released"
    page = client.get(response["Location"]).content.decode()
    assert "Dr. Rivera" in page and "Medical emergency" in page


def test_the_court_order_copy_is_served_to_the_care_team_and_404_to_an_outsider(world, login, today):
    disclosure = _disclose(world, today, bases.COURT_ORDER)
    url = reverse("privacy:disclosure_document", args=[world.alex.pk, disclosure.pk])
    response = login(world.therapist_a).get(url)
    assert response.status_code == 200 and response.content == b"%PDF-1.4 the order"
    assert AuditEvent.objects.filter(object_type="disclosure_document", object_id=str(disclosure.pk)).exists()
    assert login(world.outsider).get(url).status_code == 404
