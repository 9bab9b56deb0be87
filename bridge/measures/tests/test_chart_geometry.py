"""The SVG geometry, without Django: points stay inside the plot; shapes and labels, not colour."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bridge.measures.chart import RELIABLE_CHANGE, Cutoff, Point, Series, line_chart

START = date(2026, 1, 5)


@given(st.lists(st.integers(0, 27), min_size=1, max_size=40))
def test_every_point_is_inside_the_plot_and_the_last_is_labelled(values):
    series = [Series("PHQ-9", [Point(START + timedelta(days=14 * i), v) for i, v in enumerate(values)])]
    c = line_chart(series, y_max=27)
    marks = c["series"][0]["marks"]
    assert len(marks) == len(values)
    for m in marks:
        assert c["left"] <= m["x"] <= c["right_edge"] and c["top"] <= m["y"] <= c["bottom"]
    assert marks[-1]["show_value"] and marks[0]["show_value"]
    xs = [m["x"] for m in marks]
    assert xs == sorted(xs)


def test_each_series_has_its_own_marker_and_dash_and_cutoffs_are_labelled():
    pts = [Point(START, 3), Point(START + timedelta(days=30), 5)]
    c = line_chart(
        [Series("Use", pts), Series("Risk", pts), Series("Protective", pts)],
        y_max=24,
        cutoffs=[Cutoff(12, "Elevated")],
    )
    assert [s["marker"] for s in c["series"]] == ["circle", "square", "triangle"]
    assert len({s["dash"] for s in c["series"]}) == 3
    assert c["cutoffs"][0]["label"] == "Elevated (12)"


def test_no_reliable_change_band_unless_the_reference_gives_a_threshold():
    assert RELIABLE_CHANGE == {}  # reference/instruments.md states none
    pts = [Point(START, 15), Point(START + timedelta(days=14), 9)]
    assert line_chart([Series("PHQ-9", pts)], y_max=27)["reliable_band"] is None
    band = line_chart([Series("PHQ-9", pts)], y_max=27, reliable_change=5)["reliable_band"]
    assert band["y1"] < band["y2"] and band["height"] > 0
