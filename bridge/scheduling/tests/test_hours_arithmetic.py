"""Hours arithmetic at the edges (pure; hypothesis): 8 h 59 min is below 9 h, adolescents need 6 h."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bridge.scheduling import hours

days = st.dates(min_value=date(2026, 1, 5), max_value=date(2026, 1, 11))
sessions = st.lists(st.tuples(days, st.integers(min_value=0, max_value=600)), max_size=30)


def test_the_floors_are_nine_hours_for_adults_and_six_for_adolescents_at_level_2_1():
    assert hours.level_floor("2.1", adolescent=False) == 540
    assert hours.level_floor("2.1", adolescent=True) == 360
    assert hours.level_floor("2.5", adolescent=False) == 1200
    assert hours.level_floor("1", adolescent=False) is None


def test_eight_hours_fifty_nine_is_one_minute_short_and_nine_hours_is_not():
    assert hours.shortfall(539, 540) == 1
    assert hours.shortfall(540, 540) == 0
    assert hours.shortfall(359, 360) == 1 and hours.shortfall(360, 360) == 0


@given(st.integers(min_value=0, max_value=5000), st.booleans())
def test_shortfall_is_zero_exactly_when_the_floor_is_reached(attended, adolescent):
    floor = hours.level_floor("2.1", adolescent=adolescent)
    gap = hours.shortfall(attended, floor)
    assert (gap == 0) == (attended >= floor)
    assert attended + gap >= floor and gap >= 0
    if gap:
        assert attended + gap == floor


@given(sessions)
def test_a_week_split_into_sessions_totals_the_same_as_its_days(rows):
    per_day = hours.minutes_by_day(rows)
    assert sum(per_day.values()) == sum(m for _, m in rows)
    assert set(per_day) == {d for d, _ in rows}


@given(
    st.lists(st.integers(min_value=0, max_value=600), min_size=7, max_size=7),
    st.integers(1, 600),
    st.integers(1, 7),
)
def test_a_day_rule_is_met_exactly_when_enough_days_reach_the_daily_minimum(minutes, per_day, min_days):
    week = {date(2026, 1, 5) + timedelta(days=k): m for k, m in enumerate(minutes)}
    rule = hours.DayRule(min_minutes_per_day=per_day, min_days=min_days)
    assert hours.day_rule_met(week, rule) == (sum(1 for m in minutes if m >= per_day) >= min_days)


def test_h0015_three_hours_on_three_days_counts_2h59_as_a_short_day():
    rule = hours.DayRule(min_minutes_per_day=180, min_days=3)
    mon, tue, thu = date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 8)
    assert hours.day_rule_met({mon: 180, tue: 180, thu: 180}, rule)
    assert not hours.day_rule_met({mon: 180, tue: 180, thu: 179}, rule)
    # Nine hours in two long days meets the weekly floor but not the day rule.
    assert not hours.day_rule_met({mon: 300, tue: 240}, rule)


@given(st.integers(min_value=0, max_value=10_000))
def test_minutes_read_back_as_hours_and_minutes(minutes):
    text = hours.format_minutes(minutes)
    h = int(text.split(" h")[0]) if " h" in text else 0
    m = int(text.split(" min")[0].split()[-1]) if "min" in text else 0
    assert h * 60 + m == minutes
