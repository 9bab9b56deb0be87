"""Whole recommendations: the issue's examples, alerts first, unknowns said, clinician ratings."""

from __future__ import annotations

import pytest

from bridge.placement import ContextError, recommend_from_input
from bridge.placement.tests.test_rules import COWS, GOOD_HOME, dsm

IOP_FIT = {
    **GOOD_HOME,
    "daily_functioning": "intact",
    "readiness": "preparation",
    "medical_condition": "none",
}


def test_a_typical_iop_candidate_gets_2_1_and_no_withdrawal_management():
    result = recommend_from_input(
        age=34,
        instruments={"DSM-5-SUD": dsm(4), "COWS": COWS["none"]},
        context={
            **IOP_FIT,
            "pregnant": False,
            "withdrawal_history_severe": False,
            "recent_return_to_use_after_treatment": False,
            "needs_24h_structure": False,
        },
    )
    assert result.level == "2.1" and result.withdrawal_management is None
    assert result.level_set_by == (5,)
    assert "No withdrawal management is needed first." in result.explanation
    assert not [line for line in result.explanation if "unknown" in line.lower()]


def test_moderately_severe_opioid_withdrawal_without_opioid_use_disorder_means_withdrawal_management_first():
    result = recommend_from_input(
        age=29,
        instruments={"COWS": COWS["moderately_severe"], "DSM-5-SUD": dsm(5, "alcohol")},
        context=IOP_FIT,
    )
    assert result.level == "2.1" and result.withdrawal_management == "3.2-WM"
    assert result.dimensions[1].rating == 3
    reason = "COWS 27, moderately severe withdrawal → withdrawal management before IOP"
    assert result.dimensions[1].reasons[0] == reason
    assert any(
        line.startswith("Withdrawal management first: 3.2-WM") and reason in line
        for line in result.explanation
    )


def test_opioid_withdrawal_with_an_opioid_use_disorder_offers_buprenorphine_induction_alongside_iop():
    result = recommend_from_input(
        age=29,
        instruments={"COWS": COWS["moderately_severe"], "DSM-5-SUD": dsm(5, "opioid")},
        context=IOP_FIT,
    )
    assert (result.level, result.withdrawal_management) == ("2.1", "2-WM")
    assert result.tags == ("buprenorphine_induction",)
    assert "buprenorphine induction offered now, alongside IOP" in result.dimensions[1].reasons[0]
    assert "2020 update" in result.dimensions[1].reasons[0]
    fourth = recommend_from_input(
        age=29,
        instruments={"COWS": COWS["moderately_severe"], "DSM-5-SUD": dsm(5, "opioid")},
        context=IOP_FIT,
        edition="4",
    )
    assert (fourth.level, fourth.withdrawal_management, fourth.edition) == ("2.7", None, "4")


def test_active_use_at_home_and_domestic_violence_means_residential():
    context = {**IOP_FIT, "home_active_substance_use": True, "domestic_violence": True}
    result = recommend_from_input(age=41, instruments={"DSM-5-SUD": dsm(4)}, context=context)
    assert result.level == "3.1" and result.level_set_by == (6,)
    assert result.dimensions[6].rating == 4
    assert (
        result.dimensions[6].reasons[0]
        == "lives with someone actively using, and domestic violence → residential"
    )
    assert "more support than an IOP" in " ".join(result.explanation)
    assert [a.code for a in result.alerts] == ["domestic_violence"]


def test_imminent_risk_alerts_come_first_with_the_crisis_line():
    result = recommend_from_input(
        age=22,
        instruments={
            "AUDIT": [4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
            "PHQ-9": [2, 2, 2, 2, 2, 2, 2, 2, 2],
            "C-SSRS-Screener": [1, 1, 1, 0, 1, 1, 1],
        },
        context={},
    )
    codes = [a.code for a in result.alerts]
    imminent = [a.code for a in result.alerts if a.imminent]
    assert set(imminent) == {"cssrs_q5_plan", "cssrs_q6_behavior_past_3_months"}
    assert [a.urgency for a in result.alerts if a.code == "phq9_item9_positive"] == ["same_day"]
    assert codes[: len(imminent)] == imminent, "imminent alerts lead"
    assert {"audit_dependence_item_ge2", "audit_harm_item_eq4"} <= set(codes[len(imminent) :])
    assert all("988" in a.message for a in result.alerts if a.imminent)
    assert all(line.startswith("Act now") and "988" in line for line in result.explanation[:2])
    assert not result.explanation[2].startswith("Act now")
    assert result.level == "4" and result.level_set_by == (3,)


def test_missing_context_is_unknown_and_said_so_never_guessed():
    result = recommend_from_input(age=30, instruments={"DSM-5-SUD": dsm(4)}, context={"readiness": "action"})
    assert set(result.unknown_context) == {
        "withdrawal_history_severe",
        "medical_condition",
        "pregnant",
        "daily_functioning",
        "recent_return_to_use_after_treatment",
        "home_active_substance_use",
        "domestic_violence",
        "stable_housing",
        "supportive_relationships",
        "needs_24h_structure",
    }
    text = " ".join(result.explanation)
    assert "treated as unknown" in text and "stable housing" in text and "pregnancy" in text
    assert "1 (intoxication and withdrawal)" in text and "6 (recovery environment)" in text
    for d in (1, 2, 6):
        assert not result.dimensions[d].known
        assert result.dimensions[d].reasons[0].startswith("unknown: nothing was given about")
    assert result.withdrawal_management is None
    assert "No withdrawal management is needed first." not in result.explanation


def test_nothing_known_still_answers_and_says_too_little_is_known():
    result = recommend_from_input(age=30, instruments={}, context={})
    assert result.level == "0.5" and result.level_set_by == ()
    assert "too little is known" in result.explanation[0]
    assert all(not d.known for d in result.dimensions.values())


def test_clinician_ratings_replace_the_rules_and_say_so():
    from bridge.instruments import score
    from bridge.placement import parse_context, recommend

    results = {"DSM-5-SUD": score("DSM-5-SUD", dsm(4)), "COWS": score("COWS", COWS["moderate"])}
    context = parse_context({**IOP_FIT, "home_active_substance_use": True})
    by_rules = recommend(age=30, results=results, context=context)
    assert (by_rules.level, by_rules.withdrawal_management) == ("3.1", "2-WM")
    adjusted = recommend(age=30, results=results, context=context, clinician_ratings={6: 2, 1: 1})
    assert adjusted.level == "2.1" and adjusted.withdrawal_management == "1-WM"
    assert adjusted.dimensions[6].reasons[0] == "rated 2 by the clinician (the rules suggested 3)"
    assert adjusted.dimensions[6].suggested == 3 and adjusted.dimensions[6].rated_by_clinician


def test_explicit_withdrawal_level_of_a_rule_wins_over_the_default_for_its_rating():
    result = recommend_from_input(age=50, instruments={"COWS": COWS["severe"]}, context={})
    assert result.dimensions[1].rating == 3 and result.withdrawal_management == "3.7-WM"


def test_adolescents_are_told_the_six_hour_floor():
    result = recommend_from_input(age=16, instruments={"DSM-5-SUD": dsm(4, "cannabis")}, context=IOP_FIT)
    assert result.level == "2.1"
    assert any("at least 6 hours a week" in line for line in result.explanation)


def test_the_api_shape():
    body = recommend_from_input(age=30, instruments={"DSM-5-SUD": dsm(4)}, context=IOP_FIT).as_dict()
    assert set(body) == {
        "edition",
        "level",
        "withdrawal_management",
        "dimensions",
        "alerts",
        "explanation",
        "rules_version",
    }
    assert list(body["dimensions"]) == ["1", "2", "3", "4", "5", "6"]
    assert all(set(d) == {"rating", "reasons"} and 0 <= d["rating"] <= 4 for d in body["dimensions"].values())


@pytest.mark.parametrize(
    ("context", "field"),
    [
        ({"pregnant": "yes"}, "context.pregnant"),
        ({"pregnant": 1}, "context.pregnant"),
        ({"medical_condition": "fine"}, "context.medical_condition"),
        ({"readiness": "ready"}, "context.readiness"),
        ({"daily_functioning": True}, "context.daily_functioning"),
        ({"homeless": True}, "context.homeless"),
    ],
)
def test_bad_context_values_name_the_field(context, field):
    with pytest.raises(ContextError) as info:
        recommend_from_input(age=30, instruments={}, context=context)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("instruments", "field"),
    [
        ({"PHQ-9": [0, 0, 0]}, "instruments.PHQ-9"),
        ({"PHQ-9": [0, 0, 0, 0, 0, 0, 0, 0, 9]}, "instruments.PHQ-9[8]"),
        ({"PHQ-9": {"responses": [0, 0, 0, 0, 0, 0, 0, 0, "x"]}}, "instruments.PHQ-9.responses[8]"),
        ({"AUDIT-C": [1, 1, 1]}, "instruments.AUDIT-C.sex"),
        ({"AUDIT-C": {"responses": [1, 1, 1], "sex": "x"}}, "instruments.AUDIT-C.sex"),
        (
            {"DSM-5-SUD": {**dsm(2, "inhalant"), "c11_withdrawal": True}},
            "instruments.DSM-5-SUD.c11_withdrawal",
        ),
        ({"NOPE": [1]}, "instruments.NOPE"),
    ],
)
def test_bad_instrument_input_names_the_field(instruments, field):
    with pytest.raises(ContextError) as info:
        recommend_from_input(age=30, instruments=instruments, context={})
    assert info.value.field == field
