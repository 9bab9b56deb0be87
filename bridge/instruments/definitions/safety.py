"""Suicide risk: the C-SSRS screener, recent version, with Columbia triage (reference §10)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bridge.instruments.definitions.common import static_bands, yes_no
from bridge.instruments.model import Band, Instrument, Item
from bridge.instruments.scoring import cssrs_scorer

_CSSRS_ITEMS = [
    ("cssrs_1", "1", "Wished to be dead or not to wake up (past month)"),
    ("cssrs_2", "2", "Actual thoughts of killing oneself (past month)"),
    ("cssrs_3", "3", "Thought about how one might do it (past month)"),
    ("cssrs_4", "4", "Some intention of acting on the thoughts (past month)"),
    ("cssrs_5", "5", "Started to work out or worked out a plan, with intent (past month)"),
    ("cssrs_6", "6", "Ever did, started or prepared anything to end one's life"),
    ("cssrs_6_past_3_months", "6b", "If so: was that within the past 3 months?"),
]


def _cssrs_skips(values: Sequence[Any]) -> set[str]:
    # Always ask 1 and 2; 3-5 only when 2 is Yes; the recency follow-up only when 6 is Yes.
    skipped = set()
    if values[1] == 0:
        skipped |= {"cssrs_3", "cssrs_4", "cssrs_5"}
    if values[5] == 0:
        skipped.add("cssrs_6_past_3_months")
    return skipped


CSSRS_SCREENER = Instrument(
    code="C-SSRS-Screener",
    name="Columbia Suicide Severity Rating Scale, screener (recent)",
    summary="Suicide risk triage",
    period="Past month; behaviour lifetime and past 3 months",
    items=tuple(Item(key, number, text, yes_no()) for key, number, text in _CSSRS_ITEMS),
    scorer=cssrs_scorer,
    bands=static_bands(
        Band("none", "No risk identified", 0),
        Band("low", "Low risk", 1),
        Band("moderate", "Moderate risk", 2),
        Band("high", "High risk", 3),
    ),
    band_codes=("none", "low", "moderate", "high"),
    total_range=None,
    alert_codes=("cssrs_q4_intent", "cssrs_q5_plan", "cssrs_q6_behavior_past_3_months"),
    skip_rule=_cssrs_skips,
    source="Posner 2011; Columbia Lighthouse Project triage; SAFE-T with C-SSRS. No screener-specific LOINC "
    "panel was found (93245-9 is the full C-SSRS) [verify].",
    notes=(
        "Responses: [q1, q2, q3, q4, q5, q6, q6_within_past_3_months], each 0 or 1, following the skip "
        "logic (q2 = 0 means q3-q5 are 0; q6 = 0 means the follow-up is 0).",
        "High: q4 or q5, or behaviour in the past 3 months. Moderate: q3, or older behaviour. "
        "Low: q1 and/or q2 only. There is no numeric total.",
    ),
    guidance=(
        "If question 2 is No, skip questions 3-5; if question 6 is No, skip its follow-up.",
        "High risk: question 4 or 5, or suicidal behaviour in the past 3 months. Moderate: question 3, or "
        "behaviour longer ago. Low: questions 1 and/or 2 only. There is no total score.",
    ),
)
