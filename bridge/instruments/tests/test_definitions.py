"""The definitions match the reference: item counts, point values, totals, LOINC codes."""

from __future__ import annotations

import pytest

from bridge.instruments import CODES, INSTRUMENTS


def test_every_code_of_the_issue_in_order():
    assert CODES == (
        "PHQ-9",
        "PHQ-2",
        "GAD-7",
        "GAD-2",
        "AUDIT",
        "AUDIT-C",
        "DAST-10",
        "CIWA-Ar",
        "COWS",
        "BAM",
        "PCL-5",
        "C-SSRS-Screener",
        "DSM-5-SUD",
    )


@pytest.mark.parametrize(
    ("code", "items", "total_range"),
    [
        ("PHQ-9", 9, (0, 27)),
        ("PHQ-2", 2, (0, 6)),
        ("GAD-7", 7, (0, 21)),
        ("GAD-2", 2, (0, 6)),
        ("AUDIT", 10, (0, 40)),
        ("AUDIT-C", 3, (0, 12)),
        ("DAST-10", 10, (0, 10)),
        ("CIWA-Ar", 10, (0, 67)),
        ("COWS", 11, (0, 48)),
        ("BAM", 17, None),
        ("PCL-5", 20, (0, 80)),
        ("C-SSRS-Screener", 7, None),
        ("DSM-5-SUD", 11, (0, 11)),
    ],
)
def test_item_counts_and_total_ranges(code, items, total_range):
    instrument = INSTRUMENTS[code]
    assert instrument.item_count == items
    if total_range is not None and instrument.response_format == "points":
        assert instrument.total_range == total_range
        assert sum(i.max_points for i in instrument.items if i.scored) == total_range[1]


def test_cows_allowed_point_values():
    allowed = [item.allowed_values for item in INSTRUMENTS["COWS"].items]
    assert allowed == [
        (0, 1, 2, 4),
        (0, 1, 2, 3, 4),
        (0, 1, 3, 5),
        (0, 1, 2, 5),
        (0, 1, 2, 4),
        (0, 1, 2, 4),
        (0, 1, 2, 3, 5),
        (0, 1, 2, 4),
        (0, 1, 2, 4),
        (0, 1, 2, 4),
        (0, 3, 5),
    ]


def test_audit_items_9_and_10_take_0_2_4():
    audit = INSTRUMENTS["AUDIT"]
    assert [audit.item(n).allowed_values for n in (9, 10)] == [(0, 2, 4), (0, 2, 4)]
    assert all(audit.item(n).allowed_values == (0, 1, 2, 3, 4) for n in range(1, 9))


def test_dast10_item_3_is_the_only_reversed_item():
    items = INSTRUMENTS["DAST-10"].items
    assert [i.number for i in items if i.reverse_scored] == ["3"]
    assert items[2].points_for(0) == 1 and items[2].points_for(1) == 0


def test_ciwa_item_10_is_0_to_4_and_the_others_0_to_7():
    items = INSTRUMENTS["CIWA-Ar"].items
    assert all(i.allowed_values == tuple(range(8)) for i in items[:9])
    assert items[9].allowed_values == tuple(range(5))


def test_bam_item_7_is_not_scored_and_item_14_is_no_or_yes():
    bam = INSTRUMENTS["BAM"]
    assert [i.number for i in bam.items if not i.scored] == ["7"]
    assert bam.item(14).allowed_values == (0, 4)


LOINC = {
    "PHQ-9": (
        "44249-1",
        "44261-6",
        ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"],
    ),
    "PHQ-2": ("55757-9", "55758-7", ["44250-9", "44255-8"]),
    "GAD-7": (
        "69737-5",
        "70274-6",
        ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"],
    ),
    "GAD-2": (None, None, ["69725-0", "68509-9"]),
    "AUDIT": (
        "72110-0",
        "75624-7",
        [
            "68518-0",
            "68519-8",
            "68520-6",
            "97734-8",
            "97735-5",
            "97736-3",
            "97737-1",
            "97738-9",
            "97739-7",
            "97740-5",
        ],
    ),
    "AUDIT-C": ("72109-2", "75626-2", ["68518-0", "68519-8", "68520-6"]),
    "DAST-10": ("82666-9", "82667-7", [None] * 10),
    "PCL-5": ("101697-1", "101698-9", [None] * 20),
}


@pytest.mark.parametrize("code", list(LOINC))
def test_loinc_codes_are_the_loinc_org_ones(code):
    panel, total, items = LOINC[code]
    instrument = INSTRUMENTS[code]
    assert (instrument.loinc_panel, instrument.loinc_total) == (panel, total)
    assert [i.loinc for i in instrument.items] == items


def test_phq_answers_carry_the_ll358_3_answer_codes():
    options = INSTRUMENTS["PHQ-9"].items[0].options
    assert [(o.points, o.loinc) for o in options] == [
        (0, "LA6568-5"),
        (1, "LA6569-3"),
        (2, "LA6570-1"),
        (3, "LA6571-9"),
    ]


def test_no_loinc_code_is_invented_where_the_reference_found_none():
    for code in ("CIWA-Ar", "COWS", "BAM", "C-SSRS-Screener", "DSM-5-SUD"):
        instrument = INSTRUMENTS[code]
        assert instrument.loinc_panel is None and instrument.loinc_total is None
        assert all(i.loinc is None for i in instrument.items)


def test_item_keys_are_unique_within_each_instrument():
    for instrument in INSTRUMENTS.values():
        keys = [i.key for i in instrument.items]
        assert len(keys) == len(set(keys)), instrument.code
