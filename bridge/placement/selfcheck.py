"""The public self-check: a few questions, one of four plain answers. Nothing here is stored.

AUDIT-C, DAST-10 and PHQ-2 are scored exactly as everywhere else; the home, work, withdrawal and
safety questions are ours. The outcome is guidance for the person, not a placement.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bridge.instruments import ScoreResult, score


class Outcome(StrEnum):
    URGENT = "urgent"  # seek urgent help: 988 or 911
    MORE_SUPPORT = "more_support"  # an IOP may help, but ask about more support first or alongside
    IOP_MAY_FIT = "iop_may_fit"
    LOW = "low"  # nothing here points to needing an IOP now


class DailyLife(StrEnum):
    YES = "yes"
    MOSTLY = "mostly"
    NO = "no"


@dataclass(frozen=True)
class SelfCheckAnswers:
    auditc: list[int]
    dast: list[int]
    phq2: list[int]
    sex: str | None  # "female", "male", or None (then the lower, women's AUDIT-C cut-off is used)
    lives_with_someone_using: bool
    feels_safe_at_home: bool
    daily_life: DailyLife
    past_severe_withdrawal: bool
    severe_withdrawal_now: bool
    thoughts_of_ending_life: bool


@dataclass(frozen=True)
class SelfCheckResult:
    outcome: Outcome
    reasons: tuple[str, ...]
    mood_note: bool
    unsafe_at_home: bool
    scores: dict[str, ScoreResult]


def evaluate(answers: SelfCheckAnswers) -> SelfCheckResult:
    """Raises instruments.ResponseError if an answer set is malformed (the form prevents that)."""
    auditc = score("AUDIT-C", answers.auditc, sex=answers.sex or "female")
    dast = score("DAST-10", answers.dast)
    phq2 = score("PHQ-2", answers.phq2)
    scores = {"AUDIT-C": auditc, "DAST-10": dast, "PHQ-2": phq2}

    urgent: list[str] = []
    if answers.thoughts_of_ending_life:
        urgent.append("You said you have had thoughts of ending your life.")
    if answers.severe_withdrawal_now:
        urgent.append("You said you are very unwell right now after cutting down or stopping.")

    use: list[str] = []
    if auditc.band == "positive":
        use.append("Your answers about drinking suggest it may be harming you.")
    if dast.band in ("moderate", "substantial", "severe"):
        use.append("Your answers about drugs suggest they are causing problems.")

    more: list[str] = []
    if answers.lives_with_someone_using:
        more.append(
            "Someone you live with drinks heavily or uses drugs, which makes recovery at home harder."
        )
    if not answers.feels_safe_at_home:
        more.append("You said you do not always feel safe at home.")
    if answers.daily_life == DailyLife.NO:
        more.append("Keeping up with work, school or home is very hard right now.")
    if answers.past_severe_withdrawal:
        more.append(
            "You have had seizures, or seen or heard things, when stopping before: stopping suddenly can be "
            "dangerous, so a doctor should help."
        )
    if dast.band == "severe":
        more.append("Your answers about drugs are in the most severe range.")

    if urgent:
        outcome, reasons = Outcome.URGENT, urgent
    elif use and more:
        outcome, reasons = Outcome.MORE_SUPPORT, use + more
    elif use:
        outcome, reasons = Outcome.IOP_MAY_FIT, use
    else:
        outcome, reasons = Outcome.LOW, more
    if answers.sex is None and auditc.total:
        reasons = [*reasons, "The drinking questions were scored with the lower (women's) cut-off."]
    return SelfCheckResult(
        outcome=outcome,
        reasons=tuple(reasons),
        mood_note=phq2.band == "positive",
        unsafe_at_home=not answers.feels_safe_at_home,
        scores=scores,
    )
