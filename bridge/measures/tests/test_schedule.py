"""The due-date rule, without Django."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bridge.measures.schedule import DEFAULT_EVERY_DAYS, due_measures, effective_every_days, state_on

ADMITTED = date(2026, 3, 2)


def test_default_is_phq9_and_gad7_every_two_weeks_and_bam_monthly():
    assert effective_every_days({}) == {"PHQ-9": 14, "GAD-7": 14, "BAM": 30} == DEFAULT_EVERY_DAYS


def test_participant_setting_overrides_program_setting_which_overrides_default():
    every = effective_every_days({"PHQ-9": 7, "BAM": 0, "PCL-5": 30}, {"PHQ-9": 28})
    assert every == {"PHQ-9": 28, "GAD-7": 14, "PCL-5": 30}


def test_baseline_is_due_on_admission_then_every_interval_after_the_last():
    today = ADMITTED + timedelta(days=20)
    due = {
        d.instrument: d for d in due_measures({"PHQ-9": 14, "BAM": 30}, {"PHQ-9": ADMITTED}, ADMITTED, today)
    }
    assert due["PHQ-9"].due_on == ADMITTED + timedelta(days=14)
    assert due["PHQ-9"].state == "overdue" and due["PHQ-9"].days_late == 6
    assert due["BAM"].due_on == ADMITTED and due["BAM"].last_on is None


def test_a_measure_is_due_two_days_early_and_overdue_after_three_days_grace():
    due_on = date(2026, 4, 10)
    assert state_on(due_on, due_on - timedelta(days=3)) == "upcoming"
    assert state_on(due_on, due_on - timedelta(days=2)) == "due"
    assert state_on(due_on, due_on + timedelta(days=3)) == "due"
    assert state_on(due_on, due_on + timedelta(days=4)) == "overdue"


@given(st.integers(7, 90), st.integers(0, 200), st.integers(0, 200))
def test_giving_a_measure_today_makes_it_not_due_until_the_next_interval(every, since_admission, _):
    today = ADMITTED + timedelta(days=since_admission)
    (due,) = due_measures({"GAD-7": every}, {"GAD-7": today}, ADMITTED, today)
    assert due.due_on == today + timedelta(days=every)
    assert due.state == ("upcoming" if every > 2 else "due")
