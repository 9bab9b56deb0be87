"""The near-identical threshold: copies with small edits trip it; genuinely individual notes do not."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bridge.clinical import similarity

BASE = (
    "Participated actively in discussion of triggers, identified coping strategies, "
    "and set a goal for the week."
)

MUST_TRIP = [
    (BASE, BASE),
    (BASE, BASE.upper() + "!!"),
    (BASE, BASE.replace("actively", "fully")),
    (f"Alex {BASE}", f"Blair {BASE}"),
    (
        BASE,
        "Identified coping strategies, participated actively in discussion of triggers, "
        "and set a goal for the week.",
    ),
]
MUST_NOT_TRIP = [
    (
        "Alex shared about a high-risk weekend at a family party. Named two people to call.",
        "Blair arrived late and listened quietly; later described stress at work as a trigger.",
    ),
    (
        "Participated in discussion; identified cravings after work as a trigger; plans to call sponsor.",
        "Participated in discussion; reported two weeks without use; plans to attend an extra meeting.",
    ),
    ("", BASE),
]


def test_copies_with_small_edits_are_near_identical():
    for a, b in MUST_TRIP:
        assert similarity.near_identical(a, b), (a, b)


def test_individual_text_is_not_flagged():
    for a, b in MUST_NOT_TRIP:
        assert not similarity.near_identical(a, b), (a, b, similarity.ratio(a, b), similarity.jaccard(a, b))


def test_pairs_are_named_in_input_order():
    pairs = similarity.near_identical_pairs([("A", BASE), ("B", "Something else entirely"), ("C", BASE)])
    assert [(p.first, p.second) for p in pairs] == [("A", "C")]


@given(st.text(min_size=1, max_size=200), st.text(max_size=200))
def test_measures_are_symmetric_and_bounded(a, b):
    assert 0.0 <= similarity.jaccard(a, b) <= 1.0 and similarity.jaccard(a, b) == similarity.jaccard(b, a)
    assert 0.0 <= similarity.ratio(a, b) <= 1.0
    assert similarity.near_identical(a, a)
