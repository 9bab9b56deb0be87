"""The one policy decision point for every release of participant data outside the care team.

Disclosures, their PDF and FHIR packages, printouts, the JSON API and (later) the FHIR API all ask
`decide()` before anything leaves; nothing else decides. The care team's own use of the chart is
governed by participants/access.py, not here.

Rules (in `rules.py`): a release to a recipient needs one active, unexpired, unrevoked consent that
names this recipient (or, for the single TPO consent, the recipient's class), allows this purpose and
covers every requested kind of information; SUD counseling notes only under their separate consent.
A release to the participant themself (their own copy of a consent, their accounting of disclosures)
is their right of access and is permitted.

A disclosure without consent (medical emergency, research, audit, court order, QSO, business
associate, child-abuse report: `bases.py`) is permitted only when every fact its basis requires is
recorded, the recipient is of a kind the basis allows and the purpose is the basis's own.

An agreed restriction (42 CFR 2.26, 45 CFR 164.522(a)) is weighed last: a release it covers is
refused with the restriction named, whatever consent or basis would allow it; only a disclosure in a
medical emergency still goes (164.522(a)(1)(iv)).

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
from bridge.privacy import bases, rules
from bridge.privacy.models import Consent, Recipient, Restriction
from bridge.privacy.vocab import DataClass, Purpose

PERMIT_CONSENT = "consent"
PERMIT_PARTICIPANT_ACCESS = "participant_access"
PERMIT_BASIS = "basis"  # a disclosure without consent, on the legal basis the decision names
DENY = "no_applicable_consent"
DENY_RESTRICTED = "restricted"


@dataclass(frozen=True)
class Decision:
    permit: bool
    code: str  # PERMIT_CONSENT, PERMIT_PARTICIPANT_ACCESS, PERMIT_BASIS or DENY
    reasons: tuple[str, ...]  # for staff; reasons[0] is the same for every refusal
    data_classes: tuple[str, ...]  # what may be released (empty when refused)
    consent: Consent | None = None
    basis: str = bases.CONSENT

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
    basis: str = bases.CONSENT,
    basis_details: dict | None = None,
) -> Decision:
    """May `participant`'s records of `data_classes` go to `recipient` for `purpose` (today, or `on`)?

    `recipient=None` means the participant themself. `participant` may be None (unknown id): the
    answer is then the ordinary refusal. `basis` is the legal basis claimed (consent unless said),
    with its recorded facts in `basis_details`.
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
    elif basis != bases.CONSENT:
        decision = _without_consent(participant, recipient, purpose, classes, basis, basis_details or {})
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
    if decision.permit and recipient is not None and basis != bases.MEDICAL_EMERGENCY:
        decision = _restricted(decision, participant, recipient, purpose, classes, on)
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
            "basis": basis,
        },
    )
    return decision


def _agreed_restrictions(participant) -> list[rules.RestrictionTerms]:
    return [
        r.terms()
        for r in Restriction.objects.filter(participant=participant, status=Restriction.Status.AGREED)
        .select_related("recipient")
        .order_by("decided_on")
    ]


def _restricted(decision: Decision, participant, recipient, purpose, classes, on) -> Decision:
    """The decision, or a refusal naming the agreed restriction that covers this release."""
    ask = rules.Ask(
        recipient_id=str(recipient.pk),
        recipient_kind=recipient.kind,
        recipient_name=recipient.name,
        purpose=purpose,
        data_classes=frozenset(classes),
        on=on,
    )
    found = rules.restricted_by(_agreed_restrictions(participant), ask)
    if found is None:
        return decision
    return Decision(
        False,
        DENY_RESTRICTED,
        (f"Refused: the participant's {found.label[0].lower()}{found.label[1:]} covers this release.",),
        (),
        basis=decision.basis,
    )


def _without_consent(participant, recipient, purpose, classes, basis, details) -> Decision:
    """A disclosure without consent: the basis's facts, recipient kind and purpose, or a refusal."""
    if basis not in bases.BASES:
        return Decision(False, DENY, ("Unknown legal basis.",), (), basis=basis)
    b = bases.basis(basis)
    if participant is None or recipient.program_id != participant.program_id:
        return Decision(False, DENY, (f"{b.label} ({b.citation}) does not apply to this recipient.",), ())
    reasons = bases.why_not(
        basis, recipient_kind=recipient.kind, purpose=purpose, data_classes=classes, details=details
    )
    if not classes:
        reasons.append("No information was chosen.")
    if reasons:
        return Decision(
            False, DENY, (f"Not permitted as {b.label.lower()} ({b.citation}).", *reasons), (), basis=basis
        )
    return Decision(True, PERMIT_BASIS, (), classes, basis=basis)


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
    restricted: dict[str, list[rules.RestrictionTerms]] = {}
    for r in Restriction.objects.filter(program_id=program_id, status=Restriction.Status.AGREED):
        restricted.setdefault(str(r.participant_id), []).append(r.terms())
    permitted: dict[str, str] = {}
    for participant_id, terms in by_participant.items():
        evaluation = rules.evaluate(terms, ask)
        if not (evaluation.permit and evaluation.consent_id is not None):
            continue
        if rules.restricted_by(restricted.get(participant_id, []), ask) is not None:
            continue  # an agreed restriction covers it (42 CFR 2.26)
        permitted[participant_id] = evaluation.consent_id
    return permitted
