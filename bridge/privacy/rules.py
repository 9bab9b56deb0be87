"""The Part 2 rules as plain functions: is a consent complete, and does a consent cover a release.

No database and no settings: the models and the policy decision point turn rows into these small
value objects, so the rules can be tested (and reasoned about) on their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from bridge.privacy.vocab import (
    CONSENT_PURPOSES,
    LEGAL_ONLY_CONSENTS,
    TPO_PURPOSES,
    TPO_RECIPIENT_KINDS,
    ConsentType,
    DataClass,
    Purpose,
)

# The one answer a refusal starts with, whatever the reason and whether or not any data exists.
NO_APPLICABLE_CONSENT = "No active consent covers this recipient, this purpose and this information."

# Names of the required elements (42 CFR 2.31(a)), as the form shows them when one is missing.
ELEMENTS: dict[str, str] = {
    "patient_name": "the participant's name",
    "discloser": "who may disclose",
    "data_classes": "what information may be disclosed",
    "recipients": "who may receive it",
    "intermediary": "the intermediary and its members",
    "purposes": "the purpose of the disclosure",
    "expiry": "when the consent expires (a date or an event)",
    "signature_name": "the signature",
    "representative_authority": "the representative's authority to sign",
    "signed_on": "the date of signature",
    "cj_agency": "the criminal justice agency that referred the participant",
    "cj_period": "how long the consent stays in effect",
    "proceeding": "the legal proceeding the records are for",
}


@dataclass(frozen=True)
class ConsentDraft:
    """What a consent form holds, before it is saved."""

    consent_type: str
    patient_name: str = ""
    discloser: str = ""
    data_classes: frozenset[str] = frozenset()
    tpo_class: bool = False
    recipient_count: int = 0
    intermediary_name: str = ""
    intermediary_members: str = ""
    intermediary_treating_providers_only: bool = False
    purposes: frozenset[str] = frozenset()
    expires_on: date | None = None
    expiry_event: str = ""
    signer: str = "participant"  # or "representative"
    signature_name: str = ""
    representative_authority: str = ""
    signed_on: date | None = None
    cj_agency: str = ""  # criminal-justice consent (2.35): the referring agency
    cj_period: str = ""  # and the period it stays in effect
    proceeding: str = ""  # proceedings consent: the proceeding it is for


def missing_elements(draft: ConsentDraft, *, today: date) -> dict[str, str]:
    """Every problem with `draft`, keyed by form field; empty when the consent is complete and valid."""
    problems: dict[str, str] = {}

    def need(key: str, message: str | None = None) -> None:
        problems.setdefault(key, message or f"Missing: {ELEMENTS[key]}.")

    kind = draft.consent_type
    if kind not in ConsentType.values:
        problems["consent_type"] = "Choose the kind of consent."
        return problems
    if not draft.patient_name.strip():
        need("patient_name")
    if not draft.discloser.strip():
        need("discloser")

    classes = set(draft.data_classes)
    unknown = classes - set(DataClass.values)
    if not classes:
        need("data_classes")
    elif unknown:
        need("data_classes", f"Unknown kinds of information: {', '.join(sorted(unknown))}.")
    elif kind == ConsentType.COUNSELING_NOTES and classes != {DataClass.COUNSELING_NOTES}:
        need(
            "data_classes",
            "A counseling-notes consent covers SUD counseling notes only; use another consent.",
        )
    elif kind != ConsentType.COUNSELING_NOTES and DataClass.COUNSELING_NOTES in classes:
        need("data_classes", "SUD counseling notes need their own, separate consent.")

    if kind == ConsentType.TPO:
        if not draft.tpo_class:
            need(
                "recipients",
                "A treatment, payment and operations consent names its recipients as that class.",
            )
    else:
        if draft.tpo_class:
            need(
                "recipients", "Only a treatment, payment and operations consent may name recipients by class."
            )
        elif draft.recipient_count < 1:
            need("recipients", "Missing: who may receive it. Name at least one recipient.")

    has_members = bool(draft.intermediary_members.strip()) or draft.intermediary_treating_providers_only
    if draft.intermediary_name.strip() and not has_members:
        need(
            "intermediary",
            "Name the intermediary's members who may receive it, or limit it to treating providers.",
        )
    elif has_members and not draft.intermediary_name.strip():
        need("intermediary", "Name the intermediary (for example the health information exchange).")

    purposes = set(draft.purposes)
    if not purposes:
        need("purposes")
    elif purposes - set(CONSENT_PURPOSES):
        need("purposes", "Unknown purpose.")
    elif kind == ConsentType.TPO and not purposes <= TPO_PURPOSES:
        need("purposes", "A treatment, payment and operations consent covers only those three purposes.")
    elif kind == ConsentType.RESEARCH and purposes != {Purpose.RESEARCH}:
        need("purposes", "A research consent is for research only.")
    elif kind != ConsentType.RESEARCH and Purpose.RESEARCH in purposes:
        need("purposes", "Research needs a research consent.")
    elif kind in LEGAL_ONLY_CONSENTS and purposes != {Purpose.LEGAL}:
        need("purposes", f"A {ConsentType(kind).label.lower()} consent is for that legal purpose only.")
    elif Purpose.LEGAL in purposes and len(purposes) > 1:
        need(
            "purposes",
            "Use in a legal proceeding cannot be combined with other purposes: record it as its own consent.",
        )

    if kind == ConsentType.CRIMINAL_JUSTICE:
        if not draft.cj_agency.strip():
            need("cj_agency")
        if not draft.cj_period.strip():
            need("cj_period")
        if not draft.expiry_event.strip():
            need(
                "expiry",
                "Name the event that ends it (for example the final disposition of the probation): "
                "until then it cannot be revoked (42 CFR 2.35(c)).",
            )
    if kind == ConsentType.PROCEEDINGS and not draft.proceeding.strip():
        need("proceeding")

    if draft.expires_on is None and not draft.expiry_event.strip():
        need("expiry")
    elif draft.expires_on is not None and draft.signed_on is not None and draft.expires_on <= draft.signed_on:
        need("expiry", "The expiry date must come after the date of signature.")

    if not draft.signature_name.strip():
        need("signature_name")
    if draft.signer == "representative" and not draft.representative_authority.strip():
        need("representative_authority")
    if draft.signed_on is None:
        need("signed_on")
    elif draft.signed_on > today:
        need("signed_on", "The date of signature cannot be in the future.")
    return problems


@dataclass(frozen=True)
class ConsentTerms:
    """What the decision point needs to know about one consent."""

    id: str
    consent_type: str
    label: str  # how staff recognise it, e.g. "Named-recipient consent signed 2026-03-02"
    status: str  # "active" or why it ended ("revoked", "expired", "superseded")
    status_on: date | None  # when it ended, if it did
    signed_on: date
    expires_on: date | None
    tpo_class: bool
    recipient_ids: frozenset[str]
    purposes: frozenset[str]
    data_classes: frozenset[str]


@dataclass(frozen=True)
class Ask:
    """One proposed release: to whom, why, which kinds of information, on which day."""

    recipient_id: str
    recipient_kind: str
    recipient_name: str
    purpose: str
    data_classes: frozenset[str]
    on: date


@dataclass(frozen=True)
class Evaluation:
    permit: bool
    consent_id: str | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)


def why_not(terms: ConsentTerms, ask: Ask) -> list[str]:
    """The reasons `terms` does not cover `ask` (empty when it does)."""
    reasons: list[str] = []
    if terms.status != "active":
        when = f" on {terms.status_on.isoformat()}" if terms.status_on else ""
        reasons.append(f"it was {terms.status}{when}")
    elif terms.signed_on > ask.on:
        reasons.append(f"it is signed with a later date ({terms.signed_on.isoformat()})")
    elif terms.expires_on is not None and terms.expires_on <= ask.on:
        reasons.append(f"it expired on {terms.expires_on.isoformat()}")
    named = ask.recipient_id in terms.recipient_ids
    by_class = terms.tpo_class and ask.recipient_kind in TPO_RECIPIENT_KINDS
    if not (named or by_class):
        reasons.append(f"it does not name {ask.recipient_name} as a recipient")
    if ask.purpose not in terms.purposes:
        reasons.append(f"it does not allow {Purpose(ask.purpose).label.lower()}")
    if DataClass.COUNSELING_NOTES in ask.data_classes and terms.consent_type != ConsentType.COUNSELING_NOTES:
        reasons.append("SUD counseling notes are released only under a separate counseling-notes consent")
    missing = [c for c in ask.data_classes if c not in terms.data_classes and c != DataClass.COUNSELING_NOTES]
    if missing:
        names = ", ".join(DataClass(c).label.lower() for c in sorted(missing))
        reasons.append(f"it does not cover {names}")
    return reasons


def evaluate(consents: Iterable[ConsentTerms], ask: Ask) -> Evaluation:
    """Permit when one active consent covers the recipient, the purpose and every requested class.

    The answer never depends on whether the participant has records of those classes: a refusal
    reads the same for a participant with a full chart and for one with nothing at all.
    """
    if not ask.data_classes:
        return Evaluation(False, None, (NO_APPLICABLE_CONSENT, "No information was chosen."))
    if DataClass.COUNSELING_NOTES in ask.data_classes and len(ask.data_classes) > 1:
        return Evaluation(
            False,
            None,
            (
                NO_APPLICABLE_CONSENT,
                "Release SUD counseling notes on their own, under their separate consent.",
            ),
        )
    details: list[str] = []
    ordered = sorted(consents, key=lambda t: (t.signed_on, t.id), reverse=True)
    for terms in ordered:
        reasons = why_not(terms, ask)
        if not reasons:
            return Evaluation(True, terms.id, ())
        details.append(f"{terms.label}: " + "; ".join(reasons) + ".")
    if not ordered:
        details.append("The participant has signed no consent that could apply.")
    return Evaluation(False, None, (NO_APPLICABLE_CONSENT, *details))


@dataclass(frozen=True)
class RestrictionTerms:
    """An agreed restriction, as the decision point weighs it (42 CFR 2.26, 45 CFR 164.522(a))."""

    id: str
    label: str
    recipient_id: str  # one named recipient, or
    recipient_kind: str  # every recipient of this kind
    purposes: frozenset[str]  # empty: every purpose
    data_classes: frozenset[str]  # empty: all information


def restricted_by(restrictions: Iterable[RestrictionTerms], ask: Ask) -> RestrictionTerms | None:
    """The first agreed restriction that covers `ask`, or None."""
    for r in restrictions:
        recipient = (r.recipient_id and r.recipient_id == ask.recipient_id) or (
            r.recipient_kind and r.recipient_kind == ask.recipient_kind
        )
        purpose = not r.purposes or ask.purpose in r.purposes
        classes = not r.data_classes or bool(r.data_classes & ask.data_classes)
        if recipient and purpose and classes:
            return r
    return None
