"""Urgency of every alert, the act-now withdrawal alerts, editions and their crosswalk, and the
admission gate: one table row per rule (hand-written)."""

from __future__ import annotations

import dataclasses

import pytest

from bridge.placement import recommend_from_input
from bridge.placement.editions import (
    DIMENSION_FROM_THIRD,
    EDITIONS,
    LEVEL_FROM_THIRD,
    crosswalk_level,
    crosswalk_ratings,
)
from bridge.placement.gate import GateFacts, admission_problems
from bridge.placement.rules import ALERT_CODES, alert_spec
from bridge.placement.tests.test_rules import CIWA, COWS, GOOD_HOME, dsm

CIWA_55 = [7, 7, 7, 7, 7, 7, 7, 4, 2, 0]  # 55
CSSRS_HIGH = [1, 1, 1, 1, 0, 0, 0]
PHQ9_ITEM9 = [0, 0, 0, 0, 0, 0, 0, 0, 1]

# (instruments, context) -> {alert code: urgency} expected exactly (nothing else above routine).
ALERT_ROWS = [
    ({"CIWA-Ar": CIWA_55}, {"withdrawal_history_severe": True}, {"withdrawal_severe_complicated": "now"}),
    ({"CIWA-Ar": CIWA["severe"]}, {}, {"withdrawal_severe_complicated": "now"}),
    (
        {"CIWA-Ar": CIWA["moderate"]},
        {"withdrawal_history_severe": True},
        {"withdrawal_severe_complicated": "now"},
    ),
    ({"CIWA-Ar": CIWA["moderate"]}, {"withdrawal_history_severe": False}, {}),
    ({"CIWA-Ar": CIWA["mild"]}, {"withdrawal_history_severe": True}, {}),
    (
        {"CIWA-Ar": CIWA["severe"]},
        {"medical_condition": "unstable"},
        {"withdrawal_severe_complicated": "now", "withdrawal_severe_medically_unstable": "now"},
    ),
    (
        {"COWS": COWS["severe"]},
        {"medical_condition": "unstable"},
        {"withdrawal_severe_medically_unstable": "now"},
    ),
    ({"COWS": COWS["moderate"]}, {"medical_condition": "unstable"}, {}),
    ({"C-SSRS-Screener": CSSRS_HIGH}, {}, {"cssrs_q4_intent": "now"}),
    ({"PHQ-9": PHQ9_ITEM9}, {}, {"phq9_item9_positive": "same_day"}),
    ({}, {"domestic_violence": True}, {"domestic_violence": "same_day"}),
]


@pytest.mark.parametrize(("instruments", "context", "expected"), ALERT_ROWS)
def test_each_alert_has_its_urgency(instruments, context, expected):
    result = recommend_from_input(age=40, instruments=instruments, context=context)
    urgent = {a.code: a.urgency for a in result.alerts if a.urgency != "routine"}
    assert urgent == expected
    for alert in result.alerts:
        assert alert.imminent == (alert.urgency == "now")
        if alert.urgency == "now":
            assert "988" in alert.message and alert.route
            assert any(line.startswith("Act now") and alert.route in line for line in result.explanation)


def test_ciwa_55_with_seizures_is_act_now_and_hospital_withdrawal_management():
    result = recommend_from_input(
        age=52, instruments={"CIWA-Ar": CIWA_55}, context={**GOOD_HOME, "withdrawal_history_severe": True}
    )
    body = result.as_dict()
    assert body["withdrawal_management"] == "4-WM"
    alert = body["alerts"][0]
    assert (alert["code"], alert["urgency"], alert["imminent"]) == (
        "withdrawal_severe_complicated",
        "now",
        True,
    )
    assert "CIWA-Ar 55" in alert["message"] and "911" in alert["route"]
    assert result.explanation[0].startswith("Act now")
    assert any("applies only once withdrawal management is complete" in line for line in result.explanation)
    fourth = recommend_from_input(
        age=52,
        instruments={"CIWA-Ar": CIWA_55},
        context={**GOOD_HOME, "withdrawal_history_severe": True},
        edition="4",
    )
    assert (fourth.level, fourth.withdrawal_management) == ("4", None)


def test_every_alert_code_has_an_urgency_message_and_a_route_when_not_routine():
    for code in ALERT_CODES:
        spec = alert_spec(code)
        assert spec.urgency in ("now", "same_day", "routine") and spec.message
        assert spec.route or spec.urgency == "routine", code


# --- Editions ------------------------------------------------------------------------------------

IOP_FIT = {**GOOD_HOME, "daily_functioning": "intact", "medical_condition": "none"}

# (instruments, context, 3rd-edition level, 4th-edition level)
EDITION_ROWS = [
    ({"DSM-5-SUD": dsm(4)}, {**IOP_FIT, "readiness": "preparation"}, "2.1", "2.1"),
    # Readiness alone raises the level in the 3rd edition; in the 4th it only informs the plan.
    ({"DSM-5-SUD": dsm(2)}, {**IOP_FIT, "readiness": "precontemplation"}, "2.1", "1.5"),
    ({"DSM-5-SUD": dsm(2)}, {**IOP_FIT, "readiness": "action"}, "1", "1.5"),
    ({"CIWA-Ar": CIWA["severe"], "DSM-5-SUD": dsm(6)}, IOP_FIT, "2.1", "3.7"),
    ({"CIWA-Ar": CIWA["moderate"], "DSM-5-SUD": dsm(6)}, IOP_FIT, "2.1", "2.7"),
    ({"DSM-5-SUD": dsm(6)}, {**IOP_FIT, "medical_condition": "stable"}, "2.1", "2.1"),
    ({"DSM-5-SUD": dsm(6)}, {**IOP_FIT, "stable_housing": False}, "3.1", "3.1"),
    ({}, {}, "0.5", "1.0"),
]


@pytest.mark.parametrize(("instruments", "context", "third", "fourth"), EDITION_ROWS)
def test_the_level_in_each_edition(instruments, context, third, fourth):
    assert recommend_from_input(age=35, instruments=instruments, context=context).level == third
    result = recommend_from_input(age=35, instruments=instruments, context=context, edition="4")
    assert result.level == fourth and result.as_dict()["edition"] == "4"
    assert result.level in EDITIONS["4"].level_order


def test_fourth_edition_dimensions_say_which_third_edition_dimension_they_came_from():
    result = recommend_from_input(
        age=35,
        instruments={"DSM-5-SUD": dsm(5)},
        context={**IOP_FIT, "readiness": "precontemplation"},
        edition="4",
    )
    assert result.dimensions[4].name == "Substance use-related risks"
    assert (
        result.dimensions[4].reasons[0]
        == "crosswalked from 3rd-edition dimension 5 (relapse or continued-use potential)"
    )
    assert result.dimensions[6].name == "Person-centred considerations"
    assert result.dimensions[6].reasons[-1] == "informs the plan; does not on its own raise the level"
    assert any("crosswalked from the 3rd-edition dimensions" in line for line in result.explanation)


def test_the_dimension_crosswalk_is_a_one_to_one_map():
    assert sorted(DIMENSION_FROM_THIRD) == sorted(DIMENSION_FROM_THIRD.values()) == [1, 2, 3, 4, 5, 6]
    assert crosswalk_ratings({1: 0, 2: 1, 3: 2, 4: 3, 5: 4, 6: 2}) == {1: 0, 2: 1, 3: 2, 4: 4, 5: 2, 6: 3}


@pytest.mark.parametrize(
    ("level", "wm", "fourth"),
    [
        ("1", "", "1.5"),
        ("2.1", "", "2.1"),
        ("2.5", "", "2.5"),
        ("3.7", "", "3.7"),
        ("2.1", "2-WM", "2.7"),
        ("2.1", "1-WM", "2.1"),
        ("2.1", "4-WM", "4"),
        ("0.5", "", "1.0"),
    ],
)
def test_third_edition_history_crosswalks_to_the_fourth_and_says_so(level, wm, fourth):
    walked = crosswalk_level(level, wm)
    assert walked.level == fourth and walked.from_level == level and walked.from_edition == "3"
    assert walked.note.startswith(f"3rd-edition {level}") and "crosswalked to 4th-edition" in walked.note


def test_every_third_edition_level_has_a_fourth_edition_counterpart():
    for code in (*EDITIONS["3"].level_order, *EDITIONS["3"].wm_levels):
        assert LEVEL_FROM_THIRD[code] in EDITIONS["4"].level_order


# --- The admission gate ---------------------------------------------------------------------------

COMPLETE = frozenset({"C-SSRS-Screener", "COWS", "CIWA-Ar", "DSM-5-SUD"})


def gate(**changes) -> list[str]:
    facts = GateFacts(
        edition="3",
        level="2.1",
        withdrawal_management="",
        substances=("alcohol", "opioids"),
        given=COMPLETE,
        diagnosis_band="moderate",
        unacknowledged_now=(),
    )
    return admission_problems(dataclasses.replace(facts, **changes))


GATE_ROWS = [
    ({}, None),
    ({"withdrawal_management": "4-WM"}, "Withdrawal management 4-WM comes first"),
    ({"withdrawal_management": "3.7-WM"}, "Withdrawal management 3.7-WM comes first"),
    ({"withdrawal_management": "3.2-WM"}, "Withdrawal management 3.2-WM comes first"),
    ({"withdrawal_management": "2-WM"}, None),  # buprenorphine induction alongside IOP
    ({"withdrawal_management": "1-WM"}, None),
    # The findings alone call for 24-hour care: lowered ratings or an override do not admit.
    ({"rules_withdrawal_management": "4-WM"}, "The findings call for withdrawal management 4-WM first"),
    ({"rules_withdrawal_management": "3.7-WM", "withdrawal_management": "2-WM"}, "findings call for"),
    ({"rules_withdrawal_management": "3.7-WM", "withdrawal_management": "3.7-WM"}, "3.7-WM comes first"),
    ({"rules_withdrawal_management": "2-WM"}, None),
    ({"level": "3.7"}, "more support than an IOP can give"),
    ({"level": "2.5"}, "admission here is to IOP (2.1)"),
    ({"edition": "4", "level": "2.7"}, "more support than an IOP can give"),
    ({"unacknowledged_now": ("cssrs_q5_plan",)}, "has no recorded disposition"),
    ({"given": COMPLETE - {"C-SSRS-Screener"}}, "give the C-SSRS screener"),
    ({"given": COMPLETE - {"COWS"}}, "give the COWS"),
    ({"given": COMPLETE - {"CIWA-Ar"}}, "give the CIWA-Ar"),
    ({"given": COMPLETE - {"CIWA-Ar", "COWS"}, "substances": ("cannabis",)}, None),
    ({"given": COMPLETE - {"CIWA-Ar"}, "substances": ("sedatives",)}, "give the CIWA-Ar"),
    ({"diagnosis_band": None}, "No DSM-5 substance use disorder diagnosis"),
    ({"diagnosis_band": "none"}, "do not show a substance use disorder"),
]


@pytest.mark.parametrize(("changes", "reason"), GATE_ROWS)
def test_the_admission_gate(changes, reason):
    problems = gate(**changes)
    if reason is None:
        assert problems == []
    else:
        assert len(problems) == 1 and reason in problems[0], problems
