"""Levels of care and dimensions as data, keyed by criteria edition ("3" = 3rd edition, 2013;
"4" = 4th edition, 2023), and the explicit crosswalk from the 3rd edition to the 4th.

Names are ours, in plain words, written from the public descriptions summarised in
reference/instruments.md §13 ("ASAM" is a trademark and the criteria text is copyrighted: we use
level numbers and dimension names only). A record always keeps the edition it was made in; the
crosswalk is for reading 3rd-edition ratings and history beside 4th-edition ones, and every place
that uses it says so ("crosswalked from …"): nothing is relabelled silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

THIRD, FOURTH = "3", "4"
DEFAULT_EDITION = THIRD  # the public API's default, for compatibility


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    intensity: str = ""  # hours or setting, in plain words
    medically_managed: bool = False  # withdrawal and addiction medicines managed by medical staff here


@dataclass(frozen=True)
class Edition:
    code: str
    name: str
    levels: tuple[Level, ...]
    dimensions: dict[int, str]
    # The least intensive level that can address each dimension at each rating. Missing entries place
    # no demand (ratings are never averaged: the most intensive demand is the recommendation).
    level_for_rating: dict[int, dict[int, str]]
    # Separate withdrawal-management levels (3rd edition only; the 4th puts them inside the levels).
    wm_levels: dict[str, str] = field(default_factory=dict)
    # 4th edition: the level that provides the withdrawal management the rules call for.
    level_for_wm: dict[str, str] = field(default_factory=dict)
    # Dimensions whose rating informs the plan but never raises the level on its own.
    informs_only: tuple[int, ...] = ()
    iop_level: str = "2.1"

    @property
    def level_order(self) -> tuple[str, ...]:
        return tuple(lv.code for lv in self.levels)

    @property
    def level_names(self) -> dict[str, str]:
        return {lv.code: lv.name for lv in self.levels}

    def level_label(self, code: str) -> str:
        return f"{code} ({self.level_names.get(code, 'unknown level')})"

    def above(self, code: str, other: str) -> bool:
        """Whether level `code` is more intensive than `other` in this edition."""
        order = self.level_order
        return code in order and other in order and order.index(code) > order.index(other)


THIRD_EDITION = Edition(
    code=THIRD,
    name="3rd edition (2013)",
    levels=(
        Level("0.5", "early intervention"),
        Level("1", "outpatient", "under 9 hours a week (under 6 for adolescents)"),
        Level("2.1", "intensive outpatient, IOP", "9-19 hours a week (6-19 for adolescents)"),
        Level("2.5", "partial hospitalization", "20 or more hours a week"),
        Level("3.1", "low-intensity residential, 24-hour structure", "24-hour structure, 5+ clinical hours"),
        Level("3.5", "high-intensity residential", "24-hour clinically managed"),
        Level("3.7", "medically monitored inpatient", "24-hour nursing, physician available", True),
        Level("4", "medically managed inpatient, in hospital", "24-hour nursing, daily physician care", True),
    ),
    dimensions={
        1: "Intoxication and withdrawal",
        2: "Biomedical conditions",
        3: "Emotional, behavioral or cognitive conditions",
        4: "Readiness to change",
        5: "Relapse or continued-use potential",
        6: "Recovery environment",
    },
    level_for_rating={
        1: {},  # withdrawal sets withdrawal management (a separate level), not the level of care
        2: {2: "2.5", 3: "3.7", 4: "4"},
        3: {2: "2.1", 3: "2.5", 4: "4"},
        4: {2: "2.1", 3: "2.5", 4: "3.5"},
        5: {0: "0.5", 1: "1", 2: "2.1", 3: "2.5", 4: "3.5"},
        6: {2: "2.1", 3: "3.1", 4: "3.1"},
    },
    wm_levels={
        "1-WM": "ambulatory withdrawal management, daily or less-than-daily check-ins",
        "2-WM": "ambulatory withdrawal management with all-day on-site monitoring",
        "3.2-WM": "residential withdrawal management with 24-hour support",
        "3.7-WM": "medically monitored inpatient withdrawal management",
        "4-WM": "medically managed inpatient withdrawal management, in hospital",
    },
)

FOURTH_EDITION = Edition(
    code=FOURTH,
    name="4th edition (2023)",
    levels=(
        Level("1.0", "long-term remission monitoring", "check-ins, e.g. quarterly"),
        Level("1.5", "outpatient therapy", "under 9 hours a week"),
        Level("1.7", "medically managed outpatient", "outpatient with medical management", True),
        Level("2.1", "intensive outpatient, IOP", "9-19 hours a week"),
        Level("2.5", "high-intensity outpatient", "20 or more hours a week"),
        Level("2.7", "medically managed intensive outpatient", "20+ hours with medical management", True),
        Level("3.1", "clinically managed low-intensity residential", "24-hour structure"),
        Level("3.5", "clinically managed high-intensity residential", "24-hour structure, 20+ hours"),
        Level("3.7", "medically managed residential", "24-hour, with medical care", True),
        Level("4", "medically managed inpatient, in hospital", "24-hour nursing, daily physician care", True),
    ),
    dimensions={
        1: "Intoxication, withdrawal and addiction medications",
        2: "Biomedical conditions",
        3: "Psychiatric and cognitive conditions",
        4: "Substance use-related risks",
        5: "Recovery environment interactions",
        6: "Person-centred considerations",
    },
    level_for_rating={
        1: {},  # set through the withdrawal management the rules call for (level_for_wm)
        2: {2: "2.7", 3: "3.7", 4: "4"},
        3: {2: "2.1", 3: "2.5", 4: "4"},
        4: {1: "1.5", 2: "2.1", 3: "2.5", 4: "3.5"},
        5: {2: "2.1", 3: "3.1", 4: "3.1"},
        6: {},  # preferences and barriers shape the plan; they never raise the level on their own
    },
    level_for_wm={"1-WM": "1.7", "2-WM": "2.7", "3.2-WM": "3.5", "3.7-WM": "3.7", "4-WM": "4"},
    informs_only=(6,),
)

EDITIONS: dict[str, Edition] = {THIRD: THIRD_EDITION, FOURTH: FOURTH_EDITION}
EDITION_CHOICES: tuple[tuple[str, str], ...] = tuple((e.code, e.name) for e in EDITIONS.values())


class UnknownEdition(ValueError):
    pass


def edition(code: str | None) -> Edition:
    try:
        return EDITIONS[code or DEFAULT_EDITION]
    except KeyError:
        raise UnknownEdition(f"edition must be one of {', '.join(EDITIONS)}; got {code!r}") from None


# --- The crosswalk from the 3rd edition to the 4th ----------------------------------------------

# 4th-edition dimension <- the 3rd-edition dimension its rating comes from. Readiness to change (3rd
# D4) is no longer a dimension of its own: it is read as a person-centred consideration (4th D6),
# which informs the plan and never raises the level.
DIMENSION_FROM_THIRD: dict[int, int] = {1: 1, 2: 2, 3: 3, 4: 5, 5: 6, 6: 4}

# 3rd-edition level (or withdrawal-management level) -> 4th-edition level. reference §13.4; the
# withdrawal-management rows are inferred there and marked [verify]; we adopt them and say so.
LEVEL_FROM_THIRD: dict[str, str] = {
    "0.5": "1.0",  # early intervention is no longer a treatment level: the nearest is monitoring
    "1": "1.5",
    "2.1": "2.1",
    "2.5": "2.5",
    "3.1": "3.1",
    "3.3": "3.5",
    "3.5": "3.5",
    "3.7": "3.7",
    "4": "4",
    "1-WM": "1.7",
    "2-WM": "2.7",
    "3.2-WM": "3.5",
    "3.7-WM": "3.7",
    "4-WM": "4",
}


@dataclass(frozen=True)
class Crosswalked:
    """A 3rd-edition record read in 4th-edition terms, keeping what it was."""

    from_edition: str
    from_level: str
    from_withdrawal_management: str
    level: str
    note: str


def crosswalk_level(level: str, withdrawal_management: str = "") -> Crosswalked:
    """A 3rd-edition level (with its withdrawal management, if any) in 4th-edition terms.

    Withdrawal management that needs more than the level itself makes the 4th-edition level the
    more intensive of the two, because the 4th edition provides it inside the level.
    """
    if level not in LEVEL_FROM_THIRD:
        raise UnknownEdition(f"{level!r} is not a 3rd-edition level")
    mapped = LEVEL_FROM_THIRD[level]
    order = FOURTH_EDITION.level_order
    if withdrawal_management:
        wm = LEVEL_FROM_THIRD[withdrawal_management]
        if order.index(wm) > order.index(mapped):
            mapped = wm
    source = f"3rd-edition {level}" + (f" with {withdrawal_management}" if withdrawal_management else "")
    note = f"{source} crosswalked to 4th-edition {FOURTH_EDITION.level_label(mapped)}"
    return Crosswalked(THIRD, level, withdrawal_management, mapped, note)


def crosswalk_ratings(ratings: dict[int, int]) -> dict[int, int]:
    """3rd-edition dimension ratings (1-6 -> 0-4) as 4th-edition dimension ratings."""
    return {d4: ratings[d3] for d4, d3 in DIMENSION_FROM_THIRD.items() if d3 in ratings}


def all_level_codes() -> tuple[str, ...]:
    """Every level code of every edition, least intensive first (for database choices)."""
    seen: list[str] = []
    for ed in EDITIONS.values():
        for lv in ed.levels:
            if lv.code not in seen:
                seen.append(lv.code)
    return tuple(sorted(seen, key=lambda c: (float(c), c)))
