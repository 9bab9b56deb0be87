"""The sliding-fee scale: which tier a household falls in by its income as a percent of the HHS
poverty guideline for its size, and what a self-pay charge costs in that tier.

The poverty guidelines ship as data with their source (`data/poverty_guidelines.json`). Only rows
marked verified are used: the 2025 guidelines (90 FR 5917) are current; the 2026 figures come from a
secondary source and stay unused until someone checks them against the Federal Register notice and
marks them verified.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "poverty_guidelines.json"
CENT = Decimal("0.01")
KINDS = ("nominal", "discount", "full")


@dataclass(frozen=True)
class Guideline:
    year: int
    effective_on: date
    first_person: Decimal
    each_additional: Decimal
    verified: bool
    source: str

    def for_household(self, size: int) -> Decimal:
        return self.first_person + self.each_additional * (size - 1)


@cache
def guidelines() -> tuple[Guideline, ...]:
    rows = json.loads(DATA.read_text())["guidelines"]
    return tuple(
        sorted(
            (
                Guideline(
                    year=int(r["year"]),
                    effective_on=date.fromisoformat(r["effective_on"]),
                    first_person=Decimal(r["first_person"]),
                    each_additional=Decimal(r["each_additional"]),
                    verified=bool(r["verified"]),
                    source=r["source"],
                )
                for r in rows
            ),
            key=lambda g: g.effective_on,
        )
    )


def guideline_on(day: date) -> Guideline:
    """The verified guideline in effect on `day` (the earliest shipped one before any is)."""
    verified = [g for g in guidelines() if g.verified]
    current = [g for g in verified if g.effective_on <= day]
    return current[-1] if current else verified[0]


def percent_of_poverty(income: Decimal, size: int, day: date) -> Decimal:
    """Household income as a percent of the poverty guideline, to two decimals (rounded up, so a
    household one dollar over a bound is never put in the lower tier)."""
    line = guideline_on(day).for_household(size)
    return (Decimal(income) * 100 / line).quantize(CENT, rounding="ROUND_CEILING")


@dataclass(frozen=True)
class Tier:
    up_to_percent: int | None
    kind: str
    value: Decimal

    def label(self, lower: int | None) -> str:
        if self.up_to_percent is None:
            span = f"over {lower}% of poverty" if lower is not None else "any income"
        elif lower is None:
            span = f"up to {self.up_to_percent}% of poverty"
        else:
            span = f"{lower + 1} to {self.up_to_percent}% of poverty"
        if self.kind == "nominal":
            what = f"nominal fee ${self.value:.2f} a service"
        elif self.kind == "discount":
            what = f"{self.value.normalize():f}% discount"
        else:
            what = "full fee"
        return f"{span}: {what}"

    def price(self, amount: Decimal) -> Decimal:
        """What the participant owes for a charge of `amount` (never more than the amount)."""
        if self.kind == "nominal":
            return min(amount, self.value)
        if self.kind == "discount":
            return (amount * (100 - self.value) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        return amount


def parse_tiers(raw: list[dict]) -> list[Tier]:
    """Tiers from the stored JSON; raises ValueError naming the problem when they are not a scale."""
    tiers = []
    for k, row in enumerate(raw, start=1):
        kind = row.get("kind")
        if kind not in KINDS:
            raise ValueError(f"Tier {k}: choose nominal fee, percent discount or full fee.")
        bound = row.get("up_to_percent")
        value = Decimal(str(row.get("value") or "0"))
        if kind == "discount" and not (0 < value <= 100):
            raise ValueError(f"Tier {k}: a discount is a percent between 1 and 100.")
        if kind == "nominal" and value < 0:
            raise ValueError(f"Tier {k}: a nominal fee cannot be negative.")
        upper = None if bound is None or bound == "" else int(bound)
        tiers.append(Tier(upper, kind, value))
    if not tiers:
        raise ValueError("A scale needs at least one tier.")
    bounds = [t.up_to_percent for t in tiers]
    if bounds[-1] is not None or None in bounds[:-1]:
        raise ValueError("Every tier but the last has an upper bound; the last is open (no bound).")
    closed = [b for b in bounds[:-1] if b is not None]
    if closed != sorted(set(closed)) or any(b <= 0 for b in closed):
        raise ValueError("Upper bounds rise from one tier to the next.")
    return tiers


def tier_for(tiers: list[Tier], percent: Decimal) -> tuple[Tier, str]:
    """The tier a household at `percent` of poverty falls in, and its label. At exactly a bound the
    household belongs to the lower tier (≤ 100% is the first tier of 0 to 100%)."""
    lower = None
    for tier in tiers:
        if tier.up_to_percent is None or percent <= tier.up_to_percent:
            return tier, tier.label(lower)
        lower = tier.up_to_percent
    raise AssertionError("the last tier is open")  # parse_tiers guarantees it


FULL_FEE = Tier(None, "full", Decimal("0"))
