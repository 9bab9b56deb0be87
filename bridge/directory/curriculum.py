"""Which treatment approaches a program's curriculum shows, read from its session types. No Django.

A curriculum item is named by the program ("CBT skills group", "Relapse prevention", "Seeking
Safety"), so the approach is recognised from words in the name or description. The listing shows
the session type that gave each approach, so a reader can judge the inference for themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# (pattern, approach code). Patterns match whole words in the name or description, case-insensitive.
KEYWORDS: tuple[tuple[str, str], ...] = (
    (r"\bcbt\b|cognitive[- ]behavio", "CBT"),
    (r"\bdbt\b|dialectical", "DBT"),
    (r"12[- ]step|twelve[- ]step|\bsmart recovery\b", "TWFA"),
    (r"motivational (interview|enhancement)", "MI"),
    (r"relapse[- ]prevention", "RELP"),
    (r"trauma|seeking safety|\bptsd\b|\bemdr\b", "TRC"),
    (r"matrix model", "MXM"),
    (r"contingency management|motivational incentive", "CMI"),
    (r"\bfamily\b|couples", "CFT"),
    (r"mindful|meditation|\byoga\b|nutrition|exercise|acupunct|holistic|\bart therapy\b", "HOLI"),
)
_COMPILED = tuple((re.compile(pattern, re.IGNORECASE), code) for pattern, code in KEYWORDS)


@dataclass(frozen=True)
class CurriculumItem:
    name: str
    description: str = ""
    category: str = ""  # scheduling.SessionType.Category value


def approaches(items: Iterable[CurriculumItem]) -> dict[str, list[str]]:
    """Approach code -> names of the curriculum items that show it, in curriculum order."""
    found: dict[str, list[str]] = {}
    for item in items:
        text = f"{item.name} {item.description}"
        codes = {code for pattern, code in _COMPILED if pattern.search(text)}
        if item.category == "family":
            codes.add("CFT")
        for code in sorted(codes):
            names = found.setdefault(code, [])
            if item.name not in names:
                names.append(item.name)
    return found


def has_alumni_group(items: Iterable[CurriculumItem]) -> list[str]:
    return [item.name for item in items if item.category == "alumni"]
