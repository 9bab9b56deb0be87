"""Who signs a Part 2 consent: derived from the participant's age and the program's state. Pure Python.

42 CFR 2.14: where state law lets a minor consent to SUD treatment alone, only the minor may consent
to disclosing their records (2.14(a)), and a parent's signature is not asked for; where state law
requires a parent's consent to treatment, the consent to disclose is signed by the minor *and* the
parent or guardian (2.14(b)). An adult signs for themself (a court-appointed guardian or a personal
representative signs only when the adult lacks capacity: 2.15).

The table below is per state and is a program setting (`BRIDGE_MINOR_CONSENT_RULES` may add or
override states). A state not in the table gets the cautious reading: a parent signs too.
Counsel must confirm each entry for the program's state.
"""

from __future__ import annotations

from dataclasses import dataclass

PARTICIPANT = "participant"
PARENT = "parent"  # a parent or guardian of a minor
REPRESENTATIVE = "representative"  # an adult's court-appointed guardian or personal representative


@dataclass(frozen=True)
class StateRule:
    state: str
    minor_consent_age: int | None  # the age from which a minor may consent to SUD treatment alone
    citation: str


STATE_RULES: dict[str, StateRule] = {
    "CA": StateRule("CA", 12, "Cal. Family Code §6929"),
}

DEFAULT_RULE = StateRule("", None, "state law requiring a parent's consent to a minor's treatment")

ADULT_AGE = 18


@dataclass(frozen=True)
class Signers:
    """Who must sign (`required`), who may sign (`allowed`), and the rule that says so."""

    required: frozenset[str]
    allowed: frozenset[str]
    rule: str  # the rule, as shown to staff and named in refusals
    minor: bool


def rule_for(state: str, overrides: dict | None = None) -> StateRule:
    table = dict(STATE_RULES)
    for code, entry in (overrides or {}).items():
        table[code.upper()] = StateRule(
            code.upper(), entry.get("minor_consent_age"), entry.get("citation", "")
        )
    return table.get((state or "").upper(), DEFAULT_RULE)


def signers_for(*, age: int, state: str, overrides: dict | None = None) -> Signers:
    if age >= ADULT_AGE:
        return Signers(
            required=frozenset({PARTICIPANT}),
            allowed=frozenset({PARTICIPANT, REPRESENTATIVE}),
            rule="An adult signs for themself; a guardian or personal representative only when the adult "
            "lacks capacity (42 CFR 2.15).",
            minor=False,
        )
    rule = rule_for(state, overrides)
    if rule.minor_consent_age is not None and age >= rule.minor_consent_age:
        return Signers(
            required=frozenset({PARTICIPANT}),
            allowed=frozenset({PARTICIPANT}),
            rule=f"{rule.citation} lets a minor of {rule.minor_consent_age} or older consent to SUD "
            "treatment, so only the minor signs consents to disclose (42 CFR 2.14(a)).",
            minor=True,
        )
    where = rule.citation if rule.state else DEFAULT_RULE.citation
    return Signers(
        required=frozenset({PARTICIPANT, PARENT}),
        allowed=frozenset({PARTICIPANT, PARENT}),
        rule=f"Under {where} the minor and a parent or guardian both sign (42 CFR 2.14(b)).",
        minor=True,
    )


def refusal(signers: Signers, *, participant_signed: bool, parent_signed: bool, representative: bool) -> str:
    """Why these signatures are not what the rule allows ("" when they are)."""
    if representative and REPRESENTATIVE not in signers.allowed:
        if PARENT in signers.allowed:
            return f"Record the parent or guardian as co-signer, next to the minor. {signers.rule}"
        return f"A parent or representative may not sign. {signers.rule}"
    if parent_signed and PARENT not in signers.allowed:
        return f"A parent may not sign. {signers.rule}"
    if PARENT in signers.required and not parent_signed:
        return f"A parent or guardian must sign too. {signers.rule}"
    if PARTICIPANT in signers.required and not participant_signed and not representative:
        return f"The participant must sign. {signers.rule}"
    return ""
