"""The one policy decision point for every release of participant data outside the care team.

Disclosures, their PDF and FHIR packages, printouts, the JSON API and (later) the FHIR API all ask
`decide()` before anything leaves; nothing else decides. The care team's own use of the chart is
governed by participants/access.py, not here.

Rules (in `rules.py`): a release to a recipient needs one active, unexpired, unrevoked consent that
names this recipient (or, for the single TPO consent, the recipient's class), allows this purpose and
covers every requested kind of information; SUD counseling notes only under their separate consent.
A release to the participant themself (their own copy of a consent, their accounting of disclosures)
is their right of access and is permitted.

Every decision, permit or deny, is written to the audit log. The answer never looks at the records
themselves, so "no applicable consent" reads exactly the same whether or not the participant has any
data of that kind; and an unknown participant gets the same refusal as one without a consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.privacy import rules
from bridge.privacy.models import Consent, Recipient
from bridge.privacy.vocab import DataClass, Purpose

PERMIT_CONSENT = "consent"
PERMIT_PARTICIPANT_ACCESS = "participant_access"
DENY = "no_applicable_consent"


@dataclass(frozen=True)
class Decision:
    permit: bool
    code: str  # PERMIT_CONSENT, PERMIT_PARTICIPANT_ACCESS or DENY
    reasons: tuple[str, ...]  # for staff; reasons[0] is the same for every refusal
    data_classes: tuple[str, ...]  # what may be released (empty when refused)
    consent: Consent | None = None

    @property
    def message(self) -> str:
        return self.reasons[0] if self.reasons else ""


def _ordered(classes) -> tuple[str, ...]:
    wanted = set(classes)
    return tuple(c for c in DataClass.values if c in wanted)


def decide(
    *,
    actor,
    participant,
    recipient: Recipient | None,
    purpose: str,
    data_classes,
    channel: str,
    on: date | None = None,
    object_type: str = "",
    object_id: str = "",
) -> Decision:
    """May `participant`'s records of `data_classes` go to `recipient` for `purpose` (today, or `on`)?

    `recipient=None` means the participant themself. `participant` may be None (unknown id): the
    answer is then the ordinary refusal.
    """
    classes = _ordered(data_classes)
    if participant is not None:
        on = on or timezone.localdate(timezone=participant.program.tz)
    else:
        on = on or timezone.localdate()
    if recipient is None and participant is not None and purpose == Purpose.PARTICIPANT_REQUEST:
        decision = Decision(True, PERMIT_PARTICIPANT_ACCESS, (), classes)
    elif recipient is None:
        decision = Decision(False, DENY, (rules.NO_APPLICABLE_CONSENT,), ())
    else:
        # An unknown participant is weighed against no consents: exactly the answer for one without any.
        consents = (
            list(
                Consent.objects.filter(participant=participant)
                .prefetch_related("recipients")
                .order_by("-signed_on")
            )
            if participant is not None
            else []
        )
        # A recipient of another program is never named by these consents, nor in their TPO class.
        foreign = participant is None or recipient.program_id != participant.program_id
        ask = rules.Ask(
            recipient_id="" if foreign else str(recipient.pk),
            recipient_kind="" if foreign else recipient.kind,
            recipient_name=recipient.name,
            purpose=purpose,
            data_classes=frozenset(classes),
            on=on,
        )
        evaluation = rules.evaluate([c.terms() for c in consents], ask)
        if evaluation.permit:
            consent = next(c for c in consents if str(c.pk) == evaluation.consent_id)
            decision = Decision(True, PERMIT_CONSENT, (), classes, consent)
        else:
            decision = Decision(False, DENY, evaluation.reasons, ())
    audit_record(
        action=Action.POLICY_DECISION,
        actor=actor,
        participant=participant,
        object_type=object_type or "release",
        object_id=object_id,
        outcome=Outcome.SUCCESS if decision.permit else Outcome.DENIED,
        detail={
            "decision": decision.code,
            "recipient": str(recipient.pk) if recipient is not None else "participant",
            "purpose": purpose,
            "data_classes": list(classes),
            "channel": channel,
            "consent": str(decision.consent.pk) if decision.consent is not None else None,
        },
    )
    return decision


def permitted_participants(
    *, recipient: Recipient, purpose: str, data_class: str, program_id, on: date
) -> dict[str, str]:
    """Which participants of a program may have `data_class` released to `recipient` for `purpose`.

    The list form of `decide()` for machine clients (the FHIR API and Bulk Data export): the same pure
    rules, weighed over every consent of the program at once, answering {participant id: consent id}.
    It writes nothing; the caller audits each release it makes. A recipient of another program is
    never covered, exactly as in `decide()`.
    """
    if recipient.program_id != program_id:
        return {}
    by_participant: dict[str, list[rules.ConsentTerms]] = {}
    consents = (
        Consent.objects.filter(program_id=program_id, status=Consent.Status.ACTIVE)
        .prefetch_related("recipients")
        .order_by("participant_id")
    )
    for consent in consents:
        by_participant.setdefault(str(consent.participant_id), []).append(consent.terms())
    ask = rules.Ask(
        recipient_id=str(recipient.pk),
        recipient_kind=recipient.kind,
        recipient_name=recipient.name,
        purpose=purpose,
        data_classes=frozenset({data_class}),
        on=on,
    )
    permitted: dict[str, str] = {}
    for participant_id, terms in by_participant.items():
        evaluation = rules.evaluate(terms, ask)
        if evaluation.permit and evaluation.consent_id is not None:
            permitted[participant_id] = evaluation.consent_id
    return permitted
