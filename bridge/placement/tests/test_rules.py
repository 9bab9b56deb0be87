"""One table row per placement rule: the input that fires it and the rating it gives (hand-written).

A rule added to rules.py without a row here fails `test_every_rule_has_a_row`.
"""

from __future__ import annotations

import pytest

from bridge.placement import RULES, recommend_from_input
from bridge.placement.levels import LEVEL_ORDER
from bridge.placement.rules import LEVEL_FOR_RATING

COWS = {
    "none": [4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],  # 4
    "mild": [4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0],  # 5
    "moderate": [4, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0],  # 13
    "moderately_severe": [4, 4, 5, 5, 4, 2, 3, 0, 0, 0, 0],  # 27
    "severe": [4, 4, 5, 5, 4, 4, 5, 4, 2, 0, 0],  # 37
}
CIWA = {
    "zero": [0] * 10,
    "mild": [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],  # 1
    "moderate": [7, 3, 0, 0, 0, 0, 0, 0, 0, 0],  # 10
    "severe": [7, 7, 5, 0, 0, 0, 0, 0, 0, 0],  # 19
}
CRITERIA = [
    "c1_larger_or_longer",
    "c2_cut_down_unsuccessful",
    "c3_time_spent",
    "c4_craving",
    "c5_role_failure",
    "c6_social_problems",
    "c7_activities_given_up",
    "c8_hazardous_use",
    "c9_physical_or_psych_problem",
    "c10_tolerance",
    "c11_withdrawal",
]


def dsm(met: int, substance: str = "alcohol") -> dict:
    return {
        "substance_class": substance,
        "taken_solely_under_appropriate_medical_supervision": False,
        **{name: i < met for i, name in enumerate(CRITERIA)},
    }


def bam(**items: int) -> list[int]:
    answers = [0] * 17
    for key, value in items.items():
        answers[int(key[1:]) - 1] = value
    return answers


GOOD_HOME = {
    "home_active_substance_use": False,
    "domestic_violence": False,
    "stable_housing": True,
    "supportive_relationships": True,
}

# rule id -> (instruments, context, expected rating)
ROWS: dict[str, tuple[dict, dict, int]] = {
    "D1.ciwa.none": ({"CIWA-Ar": CIWA["zero"]}, {}, 0),
    "D1.ciwa.mild": ({"CIWA-Ar": CIWA["mild"]}, {}, 1),
    "D1.ciwa.moderate": ({"CIWA-Ar": CIWA["moderate"]}, {}, 2),
    "D1.ciwa.moderate_with_history": ({"CIWA-Ar": CIWA["moderate"]}, {"withdrawal_history_severe": True}, 3),
    "D1.ciwa.severe": ({"CIWA-Ar": CIWA["severe"]}, {}, 3),
    "D1.ciwa.severe_with_history": ({"CIWA-Ar": CIWA["severe"]}, {"withdrawal_history_severe": True}, 4),
    "D1.cows.none": ({"COWS": COWS["none"]}, {}, 0),
    "D1.cows.mild": ({"COWS": COWS["mild"]}, {}, 1),
    "D1.cows.moderate": ({"COWS": COWS["moderate"]}, {}, 2),
    "D1.cows.moderately_severe": ({"COWS": COWS["moderately_severe"]}, {}, 3),
    "D1.cows.severe": ({"COWS": COWS["severe"]}, {}, 3),
    "D1.cows.induction": ({"COWS": COWS["moderate"], "DSM-5-SUD": dsm(4, "opioid")}, {}, 2),
    "D1.history_severe": ({}, {"withdrawal_history_severe": True}, 2),
    "D1.pregnant_in_withdrawal": ({"COWS": COWS["moderate"]}, {"pregnant": True}, 3),
    "D1.unstable_medical_in_withdrawal": ({"CIWA-Ar": CIWA["severe"]}, {"medical_condition": "unstable"}, 4),
    "D2.none": ({}, {"medical_condition": "none"}, 0),
    "D2.stable": ({}, {"medical_condition": "stable"}, 1),
    "D2.unstable": ({}, {"medical_condition": "unstable"}, 3),
    "D2.pregnant": ({}, {"pregnant": True}, 1),
    "D3.cssrs.high": ({"C-SSRS-Screener": [1, 1, 1, 1, 0, 0, 0]}, {}, 4),
    "D3.cssrs.moderate": ({"C-SSRS-Screener": [1, 1, 1, 0, 0, 0, 0]}, {}, 3),
    "D3.cssrs.low": ({"C-SSRS-Screener": [1, 0, 0, 0, 0, 0, 0]}, {}, 2),
    "D3.phq9.item9": ({"PHQ-9": [0, 0, 0, 0, 0, 0, 0, 0, 1]}, {}, 2),
    "D3.phq9.severe": ({"PHQ-9": [3, 3, 3, 3, 3, 3, 3, 0, 0]}, {}, 2),
    "D3.phq9.moderate": ({"PHQ-9": [2, 2, 2, 2, 2, 0, 0, 0, 0]}, {}, 1),
    "D3.gad7.severe": ({"GAD-7": [3, 3, 3, 3, 3, 0, 0]}, {}, 2),
    "D3.gad7.moderate": ({"GAD-7": [2, 2, 2, 2, 2, 0, 0]}, {}, 1),
    "D3.pcl5.probable": ({"PCL-5": [4] * 9 + [0] * 11}, {}, 2),
    "D3.phq2.positive": ({"PHQ-2": [2, 1]}, {}, 1),
    "D3.gad2.positive": ({"GAD-2": [1, 2]}, {}, 1),
    "D3.functioning.intact": ({}, {"daily_functioning": "intact"}, 0),
    "D3.functioning.impaired": ({}, {"daily_functioning": "impaired"}, 2),
    "D3.functioning.unable": ({}, {"daily_functioning": "unable"}, 3),
    "D4.precontemplation": ({}, {"readiness": "precontemplation"}, 2),
    "D4.contemplation": ({}, {"readiness": "contemplation"}, 1),
    "D4.preparation": ({}, {"readiness": "preparation"}, 1),
    "D4.action": ({}, {"readiness": "maintenance"}, 0),
    "D5.dsm5.none": ({"DSM-5-SUD": dsm(1)}, {}, 0),
    "D5.dsm5.mild": ({"DSM-5-SUD": dsm(2)}, {}, 1),
    "D5.dsm5.moderate_severe": ({"DSM-5-SUD": dsm(6, "opioid")}, {}, 2),
    "D5.audit.hazardous": ({"AUDIT": [4, 4, 0, 0, 0, 0, 0, 0, 0, 0]}, {}, 0),
    "D5.audit.harmful": ({"AUDIT": [4, 4, 4, 1, 1, 1, 1, 0, 0, 0]}, {}, 1),
    "D5.audit.dependence": ({"AUDIT": [4, 4, 4, 1, 1, 1, 4, 1, 0, 0]}, {}, 2),
    "D5.auditc.positive": ({"AUDIT-C": {"responses": [2, 1, 1], "sex": "male"}}, {}, 0),
    "D5.auditc.high": ({"AUDIT-C": {"responses": [4, 4, 0], "sex": "female"}}, {}, 1),
    "D5.dast.low": ({"DAST-10": [0] * 10}, {}, 0),
    "D5.dast.moderate": ({"DAST-10": [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]}, {}, 1),
    "D5.dast.substantial": ({"DAST-10": [1, 1, 0, 1, 1, 1, 0, 0, 0, 0]}, {}, 2),
    "D5.bam.use": ({"BAM": bam(i4=1)}, {}, 1),
    "D5.bam.use_and_risk": ({"BAM": bam(i4=1, i1=4, i2=4, i3=4)}, {}, 2),
    "D5.return_after_treatment": ({}, {"recent_return_to_use_after_treatment": True}, 3),
    "D5.needs_24h_structure": ({}, {"needs_24h_structure": True}, 4),
    "D6.home_supportive": ({}, GOOD_HOME, 0),
    "D6.few_supports": ({}, {"supportive_relationships": False}, 2),
    "D6.bam.low_protective": ({"BAM": bam()}, {}, 2),
    "D6.no_stable_housing": ({}, {"stable_housing": False}, 3),
    "D6.active_use_at_home": ({}, {"home_active_substance_use": True}, 3),
    "D6.domestic_violence": ({}, {"domestic_violence": True}, 3),
    "D6.active_use_and_violence": ({}, {"home_active_substance_use": True, "domestic_violence": True}, 4),
}
RULES_BY_ID = {rule.id: rule for rule in RULES}


def test_every_rule_has_a_row():
    assert sorted(ROWS) == sorted(RULES_BY_ID)
    assert len(RULES_BY_ID) == len(RULES), "rule ids are unique"


@pytest.mark.parametrize("rule_id", list(ROWS))
def test_rule(rule_id):
    instruments, context, rating = ROWS[rule_id]
    rule = RULES_BY_ID[rule_id]
    assert rule.rating == rating
    result = recommend_from_input(age=35, instruments=instruments, context=context)
    dimension = result.dimensions[rule.dimension]
    assert rule_id in dimension.rules
    assert dimension.rating == max(RULES_BY_ID[r].rating for r in dimension.rules) >= rating
    reason = dimension.reasons[dimension.rules.index(rule_id)]
    assert reason and "{" not in reason and "?" not in reason, reason


@pytest.mark.parametrize("rule_id", [r for r, (_, ctx, _) in ROWS.items() if ctx])
def test_answer_rules_never_fire_on_unknown_answers(rule_id):
    instruments, _, _ = ROWS[rule_id]
    rule = RULES_BY_ID[rule_id]
    result = recommend_from_input(age=35, instruments=instruments, context={})
    fires_on_instruments_alone = rule_id in result.dimensions[rule.dimension].rules
    assert not fires_on_instruments_alone


def test_a_level_never_falls_as_a_rating_rises():
    for dimension, table in LEVEL_FOR_RATING.items():
        levels = [LEVEL_ORDER.index(table[r]) for r in range(5) if r in table]
        assert levels == sorted(levels), dimension
