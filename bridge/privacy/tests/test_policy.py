"""The one decision point: audited on permit and on deny; the same answer whether or not data exists."""

from __future__ import annotations

import uuid

import pytest

from bridge.audit.models import AuditEvent
from bridge.privacy import policy
from bridge.privacy.vocab import Channel, DataClass, Purpose


def _decide(world, participant, recipient, purpose=Purpose.EMPLOYMENT, classes=(DataClass.ATTENDANCE,)):
    return policy.decide(
        actor=world.therapist_a,
        participant=participant,
        recipient=recipient,
        purpose=purpose,
        data_classes=list(classes),
        channel=Channel.ELECTRONIC,
    )


def test_every_decision_is_audited_permit_and_deny(world, make_consent, recipients):
    consent = make_consent(recipients=[recipients["employer"]])
    permit = _decide(world, world.alex, recipients["employer"])
    deny = _decide(world, world.alex, recipients["court"])
    assert permit.permit and permit.consent == consent and permit.data_classes == (DataClass.ATTENDANCE,)
    assert not deny.permit and deny.consent is None and deny.data_classes == ()
    events = list(AuditEvent.objects.filter(action="policy_decision").order_by("seq"))
    assert [(e.outcome, e.detail["decision"]) for e in events] == [
        ("success", "consent"),
        ("denied", "no_applicable_consent"),
    ]
    assert events[0].detail["consent"] == str(consent.pk) and events[1].detail["recipient"] == str(
        recipients["court"].pk
    )
    assert all(e.participant == world.alex and e.actor == world.therapist_a for e in events)


def test_the_refusal_is_the_same_whether_or_not_records_exist(world, recipients, alex_attendance):
    with_data = _decide(world, world.alex, recipients["employer"])  # alex has attendance
    without = _decide(world, world.blair, recipients["employer"])  # blair has one row; casey none
    nothing = _decide(world, world.casey, recipients["employer"])
    unknown = _decide(world, None, recipients["employer"])
    shapes = {(d.permit, d.code, d.reasons, d.data_classes) for d in (with_data, without, nothing, unknown)}
    assert len(shapes) == 1


def test_a_recipient_of_another_program_is_never_covered(world, make_consent, recipients):
    make_consent(recipients=[recipients["employer"]])
    assert not _decide(world, world.alex, recipients["elsewhere"]).permit


def test_the_participant_may_always_have_their_own_copy(world):
    decision = policy.decide(
        actor=world.frontdesk,
        participant=world.alex,
        recipient=None,
        purpose=Purpose.PARTICIPANT_REQUEST,
        data_classes=[],
        channel=Channel.HAND_DELIVERY,
    )
    assert decision.permit and decision.code == policy.PERMIT_PARTICIPANT_ACCESS


@pytest.mark.parametrize("purpose", [Purpose.TREATMENT, Purpose.LEGAL])
def test_no_recipient_with_another_purpose_is_refused(world, purpose):
    decision = policy.decide(
        actor=world.frontdesk,
        participant=world.alex,
        recipient=None,
        purpose=purpose,
        data_classes=[DataClass.ATTENDANCE],
        channel=Channel.MAIL,
    )
    assert not decision.permit


def test_an_unknown_participant_id_gets_the_ordinary_refusal(world, recipients):
    assert _decide(world, None, recipients["employer"]).code == policy.DENY
    assert AuditEvent.objects.filter(action="policy_decision", participant__isnull=True).count() == 1
    assert uuid  # (ids never leak into the answer: it carries no participant at all)
