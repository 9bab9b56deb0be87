"""The self-check's four outcomes, from hand-written answer sets."""

from __future__ import annotations

import pytest

from bridge.placement.selfcheck import DailyLife, Outcome, SelfCheckAnswers, evaluate

QUIET = dict(
    auditc=[1, 0, 0],
    dast=[0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
    phq2=[0, 0],
    sex="male",
    lives_with_someone_using=False,
    feels_safe_at_home=True,
    daily_life=DailyLife.YES,
    past_severe_withdrawal=False,
    severe_withdrawal_now=False,
    thoughts_of_ending_life=False,
)
DRINKING = {**QUIET, "auditc": [3, 2, 1]}  # 6: positive for anyone


def check(**changes):
    return evaluate(SelfCheckAnswers(**{**QUIET, **changes}))


def test_nothing_pointing_to_a_problem_is_low():
    result = check()
    assert result.outcome == Outcome.LOW and result.reasons == () and not result.mood_note


@pytest.mark.parametrize(
    "changes",
    [{"auditc": [3, 2, 1]}, {"dast": [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]}],
)
def test_alcohol_or_drug_problems_alone_mean_an_iop_may_fit(changes):
    assert check(**changes).outcome == Outcome.IOP_MAY_FIT


@pytest.mark.parametrize(
    "changes",
    [
        {"lives_with_someone_using": True},
        {"feels_safe_at_home": False},
        {"daily_life": DailyLife.NO},
        {"past_severe_withdrawal": True},
        {"dast": [1, 1, 0, 1, 1, 1, 1, 1, 1, 1]},
    ],
)
def test_a_use_problem_with_a_complication_means_ask_about_more_support(changes):
    changes.setdefault("auditc", DRINKING["auditc"])
    result = check(**changes)
    assert result.outcome == Outcome.MORE_SUPPORT and len(result.reasons) >= 2


@pytest.mark.parametrize("changes", [{"thoughts_of_ending_life": True}, {"severe_withdrawal_now": True}])
def test_danger_now_means_urgent_help_whatever_else(changes):
    assert check(**changes).outcome == Outcome.URGENT
    assert check(**changes, auditc=[0, 0, 0]).outcome == Outcome.URGENT


def test_women_s_cut_off_is_used_when_sex_is_not_given_and_said_so():
    assert check(auditc=[1, 1, 1], sex="male").outcome == Outcome.LOW
    result = check(auditc=[1, 1, 1], sex=None)
    assert result.outcome == Outcome.IOP_MAY_FIT
    assert "lower (women's) cut-off" in result.reasons[-1]


def test_low_mood_and_an_unsafe_home_are_noted_even_when_low():
    result = check(phq2=[2, 2], feels_safe_at_home=False)
    assert result.outcome == Outcome.LOW and result.mood_note and result.unsafe_at_home
