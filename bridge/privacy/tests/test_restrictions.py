"""Restriction requests: recorded, decided by the director, enforced by the policy decision point."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.privacy import bases, restrictions, services
from bridge.privacy.models import Disclosure, Recipient, Restriction
from bridge.privacy.vocab import Channel, DataClass, Purpose, RecipientKind
from bridge.worklist.models import WorkItem


@pytest.fixture
def plan(world):
    return Recipient.objects.create(
        program=world.program, name="Blue Plan", kind=RecipientKind.HEALTH_PLAN, address="x"
    )


def _release(world, recipient, purpose, today, **extra):
    return services.disclosure_prepare(
        actor=world.therapist_a,
        participant=world.alex,
        recipient=recipient,
        purpose=purpose,
        data_classes=[DataClass.ATTENDANCE],
        date_from=today - timedelta(days=7),
        date_to=today,
        channel=Channel.MAIL,
        **extra,
    )


def test_an_agreed_restriction_refuses_a_later_disclosure_naming_it(world, today, make_consent, recipients):
    make_consent(recipients=[recipients["employer"]])
    restriction = restrictions.restriction_request(
        actor=world.therapist_a,
        participant=world.alex,
        requested_on=today,
        request_text="Please do not send anything more to my employer.",
        recipient=recipients["employer"],
    )
    assert restriction.status == Restriction.Status.REQUESTED
    assert WorkItem.objects.filter(kind="restriction_decision", assigned_to=world.director).exists()
    assert _release(world, recipients["employer"], Purpose.EMPLOYMENT, today).outcome == "released"
    restrictions.restriction_decide(actor=world.director, restriction=restriction, agree=True)
    refused = _release(world, recipients["employer"], Purpose.EMPLOYMENT, today)
    assert refused.outcome == Disclosure.Outcome.REFUSED
    assert (
        "restriction agreed on" in refused.refusal_reasons[0]
        and "Acme Freight HR" in refused.refusal_reasons[0]
    )
    decision = AuditEvent.objects.filter(action="policy_decision", object_id=str(refused.pk)).get()
    assert decision.detail["decision"] == "restricted"
    assert not WorkItem.objects.filter(kind="restriction_decision", status="open").exists()


def test_a_medical_emergency_still_goes_despite_a_restriction(world, today, recipients):
    restriction = restrictions.restriction_request(
        actor=world.therapist_a,
        participant=world.alex,
        requested_on=today,
        request_text="Nothing to outside providers.",
        recipient_kind=RecipientKind.TREATING_PROVIDER,
    )
    restrictions.restriction_decide(actor=world.director, restriction=restriction, agree=True)
    released = _release(
        world,
        recipients["provider"],
        Purpose.EMERGENCY,
        today,
        legal_basis=bases.MEDICAL_EMERGENCY,
        basis_details={
            "personnel_name": "Dr. Rivera",
            "personnel_affiliation": "Highland ED",
            "disclosed_by": "Sam",
            "disclosed_at": "2026-03-02T10:00",
            "emergency": "Overdose",
            "consent_unobtainable": "Unconscious",
        },
    )
    assert released.outcome == "released"


def test_self_paid_care_not_to_the_health_plan_is_agreed_at_once_and_enforced(
    world, today, make_consent, plan
):
    make_consent(
        consent_type="tpo", purposes=[Purpose.PAYMENT], expires_on=None, expiry_event="end of treatment"
    )
    assert _release(world, plan, Purpose.PAYMENT, today).outcome == "released"
    restriction = restrictions.restriction_request(
        actor=world.frontdesk,
        participant=world.alex,
        requested_on=today,
        request_text="I paid for my sessions myself; do not bill my plan.",
        recipient_kind=RecipientKind.HEALTH_PLAN,
        purposes=[Purpose.PAYMENT, Purpose.OPERATIONS],
        self_paid=True,
    )
    assert (
        restriction.status == Restriction.Status.AGREED and "164.522(a)(1)(vi)" in restriction.decision_note
    )
    assert _release(world, plan, Purpose.PAYMENT, today).outcome == "refused"


def test_the_director_must_say_why_a_request_is_not_agreed(world, today, recipients):
    restriction = restrictions.restriction_request(
        actor=world.therapist_a,
        participant=world.alex,
        requested_on=today,
        request_text="x",
        recipient=recipients["court"],
    )
    with pytest.raises(ValidationError) as exc:
        restrictions.restriction_decide(actor=world.director, restriction=restriction, agree=False)
    assert "note" in exc.value.message_dict


def test_restriction_pages_record_and_decide_and_are_404_to_an_outsider(world, login, today, recipients):
    url = reverse("privacy:restriction_list", args=[world.alex.pk])
    client = login(world.therapist_a)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"requested_on": today.isoformat(), "request_text": ""})
    assert bad.status_code == 400 and "request_text" in bad.context["form"].errors
    response = client.post(
        url,
        {
            "requested_on": today.isoformat(),
            "request_text": "Not to the court",
            "recipient": recipients["court"].pk,
        },
    )
    assert response.status_code == 302
    restriction = Restriction.objects.get()
    decide = reverse("privacy:restriction_decide", args=[world.alex.pk, restriction.pk])
    assert client.post(decide, {"agree": "yes"}).status_code == 403  # only the director decides
    assert login(world.director).post(decide, {"agree": "yes"}).status_code == 302
    restriction.refresh_from_db()
    assert restriction.status == "agreed"
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.outsider).post(decide, {"agree": "yes"}).status_code == 404
