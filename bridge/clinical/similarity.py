"""The anti-cloning guard for group notes: are two individualized parts nearly the same text?

Plain Python, no Django. Payers treat text that is "exactly the same from patient to patient" as a
cloned note and deny it. Two parts count as near-identical when, after normalizing (lower case,
punctuation and extra spaces removed), either measure reaches its threshold:

* difflib's ratio >= 0.90 — catches a copy with a few words changed (a name swapped in);
* Jaccard similarity of the word sets >= 0.85 — catches the same words reordered.

The thresholds are tested in tests/test_similarity.py against pairs that must and must not trip.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

RATIO_THRESHOLD = 0.90
JACCARD_THRESHOLD = 0.85
_WORD = re.compile(r"[a-z0-9']+")


def normalize(text: str) -> str:
    return " ".join(_WORD.findall((text or "").lower()))


def ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, normalize(a), normalize(b), autojunk=False).ratio()


def jaccard(a: str, b: str) -> float:
    wa, wb = set(normalize(a).split()), set(normalize(b).split())
    if not wa and not wb:
        return 1.0
    return len(wa & wb) / len(wa | wb)


def near_identical(a: str, b: str) -> bool:
    return jaccard(a, b) >= JACCARD_THRESHOLD or ratio(a, b) >= RATIO_THRESHOLD


@dataclass(frozen=True)
class ClonePair:
    first: str  # labels of the two parts, as the caller named them
    second: str
    ratio: float
    jaccard: float


def near_identical_pairs(parts: Sequence[tuple[str, str]] | Iterable[tuple[str, str]]) -> list[ClonePair]:
    """Every pair of (label, text) parts whose texts are near-identical, in input order."""
    found = []
    for (label_a, text_a), (label_b, text_b) in combinations(list(parts), 2):
        if near_identical(text_a, text_b):
            found.append(ClonePair(label_a, label_b, ratio(text_a, text_b), jaccard(text_a, text_b)))
    return found
