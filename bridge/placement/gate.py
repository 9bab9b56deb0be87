"""The admission gate for this program's IOP (level 2.1): what must be true before someone is admitted.

Pure Python: the caller reads the record and passes plain facts; every reason comes back in plain
words, so the page can show exactly why admission is refused. Admission is refused while
  * the decided level is not 2.1 (anything above 2.5 is more support than an IOP gives at all),
  * the decided withdrawal management is 3.2-WM or more intensive (24-hour withdrawal management
    comes first; a prescriber records it complete, which asks for a new decision), or the findings
    alone call for it (lowered ratings or an override do not make withdrawal safe),
  * an imminent ("act now") alert on the screening has no recorded disposition,
  * the minimum assessment set is missing: a suicide-risk screen (C-SSRS screener), a withdrawal
    scale when the substances call for one (CIWA-Ar for alcohol or sedatives, COWS for opioids),
    and a DSM-5 substance use disorder diagnosis.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bridge.placement.editions import edition as edition_for_code
from bridge.placement.levels import WM_ORDER

# Withdrawal management at or above this needs 24-hour care first.
FIRST_24H_WM = "3.2-WM"

# Substance (the intake's substance codes or a DSM-5 substance class) -> the withdrawal scale it needs.
WITHDRAWAL_SCALE: dict[str, str] = {
    "alcohol": "CIWA-Ar",
    "sedatives": "CIWA-Ar",
    "sedative_hypnotic_anxiolytic": "CIWA-Ar",
    "opioids": "COWS",
    "opioid": "COWS",
}
SUICIDE_SCREEN = "C-SSRS-Screener"
DIAGNOSIS = "DSM-5-SUD"


@dataclass(frozen=True)
class GateFacts:
    edition: str
    level: str
    withdrawal_management: str  # "" when none
    substances: tuple[str, ...]  # intake substance codes and/or DSM-5 substance classes
    given: frozenset[str]  # instrument codes given (not entered in error)
    diagnosis_band: str | None  # DSM-5-SUD band, None when not given
    unacknowledged_now: tuple[str, ...] = ()  # "act now" alerts with no recorded disposition
    # What the findings alone call for (the rules without the clinician's ratings): "" when none.
    rules_withdrawal_management: str = ""


def admission_problems(facts: GateFacts) -> list[str]:
    """Every reason admission to IOP (2.1) is refused now; empty when it may go ahead."""
    ed = edition_for_code(facts.edition)
    problems: list[str] = []
    if facts.level != ed.iop_level:
        more = ed.above(facts.level, "2.5")
        problems.append(
            f"The decided level is {ed.level_label(facts.level)}"
            + (", more support than an IOP can give" if more else "")
            + f"; admission here is to IOP ({ed.iop_level}). Refer out."
        )
    wm = facts.withdrawal_management
    if _needs_24h(wm):
        problems.append(
            f"Withdrawal management {wm} comes first (24-hour care). Once it is complete a prescriber "
            "records that, and a new placement decision is made."
        )
    elif _needs_24h(facts.rules_withdrawal_management):
        # Lower ratings or an override do not make withdrawal safe: the findings still call for it.
        problems.append(
            f"The findings call for withdrawal management {facts.rules_withdrawal_management} first "
            "(24-hour care), whatever the ratings or the decision say. Once it is complete a prescriber "
            "records that, and a new placement decision is made; if a withdrawal scale was entered "
            "wrongly, mark it entered in error."
        )
    for code in facts.unacknowledged_now:
        problems.append(
            f"The act-now alert “{code.replace('_', ' ')}” has no recorded disposition: record what was done "
            "(who, when, what) first."
        )
    if SUICIDE_SCREEN not in facts.given:
        problems.append("No suicide-risk screen yet: give the C-SSRS screener.")
    for scale in needed_scales(facts.substances):
        if scale not in facts.given:
            problems.append(f"The substances used call for a withdrawal scale: give the {scale}.")
    if facts.diagnosis_band is None:
        problems.append("No DSM-5 substance use disorder diagnosis yet: give the DSM-5 criteria.")
    elif facts.diagnosis_band not in ("mild", "moderate", "severe"):
        problems.append("The DSM-5 criteria do not show a substance use disorder; an IOP is not indicated.")
    return problems


def _needs_24h(wm: str) -> bool:
    return bool(wm) and wm in WM_ORDER and WM_ORDER.index(wm) >= WM_ORDER.index(FIRST_24H_WM)


def needed_scales(substances: Iterable[str]) -> list[str]:
    """The withdrawal scales the substances call for, in a stable order."""
    found = {WITHDRAWAL_SCALE[s] for s in substances if s in WITHDRAWAL_SCALE}
    return sorted(found)
