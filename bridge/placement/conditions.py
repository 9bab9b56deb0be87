"""The building blocks of placement rules: the facts a rule reads and the conditions it tests.

A condition that reads an intake answer never matches an unknown (None) answer: unknown is
reported as unknown, never read as "no".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bridge.instruments import ScoreResult
from bridge.placement.context import Context


@dataclass(frozen=True)
class Facts:
    """What the rules may read: scored instruments by code, the intake answers, and age."""

    age: int
    results: dict[str, ScoreResult]
    context: Context
    dsm5_substance: str | None = None  # the DSM-5-SUD substance class, when DSM-5 criteria were given


# --- Conditions -------------------------------------------------------------------------------


class Condition:
    def holds(self, facts: Facts) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class Band(Condition):
    """The instrument was given and its band is one of `bands` (for BAM: `subscale` names one)."""

    instrument: str
    bands: tuple[str, ...]
    subscale: str | None = None

    def holds(self, facts: Facts) -> bool:
        result = facts.results.get(self.instrument)
        if result is None:
            return False
        band = result.band[self.subscale] if isinstance(result.band, dict) and self.subscale else result.band
        return band in self.bands


@dataclass(frozen=True)
class TotalAtLeast(Condition):
    instrument: str
    minimum: int

    def holds(self, facts: Facts) -> bool:
        result = facts.results.get(self.instrument)
        return result is not None and isinstance(result.total, int) and result.total >= self.minimum


@dataclass(frozen=True)
class TotalAtMost(Condition):
    instrument: str
    maximum: int

    def holds(self, facts: Facts) -> bool:
        result = facts.results.get(self.instrument)
        return result is not None and isinstance(result.total, int) and result.total <= self.maximum


@dataclass(frozen=True)
class Alert(Condition):
    instrument: str
    alert: str

    def holds(self, facts: Facts) -> bool:
        result = facts.results.get(self.instrument)
        return result is not None and self.alert in result.alerts


@dataclass(frozen=True)
class Answer(Condition):
    """The intake answer `field` is known and is one of `values`. Unknown never matches."""

    field: str
    values: tuple[Any, ...]

    def holds(self, facts: Facts) -> bool:
        value = getattr(facts.context, self.field)
        return value is not None and value in self.values


@dataclass(frozen=True)
class AllOf(Condition):
    parts: tuple[Condition, ...]

    def holds(self, facts: Facts) -> bool:
        return all(p.holds(facts) for p in self.parts)


@dataclass(frozen=True)
class AnyOf(Condition):
    parts: tuple[Condition, ...]

    def holds(self, facts: Facts) -> bool:
        return any(p.holds(facts) for p in self.parts)


@dataclass(frozen=True)
class Not(Condition):
    part: Condition

    def holds(self, facts: Facts) -> bool:
        return not self.part.holds(facts)


@dataclass(frozen=True)
class UseDisorder(Condition):
    """DSM-5 criteria were given for `substance_class` and meet at least a mild use disorder."""

    substance_class: str

    def holds(self, facts: Facts) -> bool:
        result = facts.results.get("DSM-5-SUD")
        return (
            result is not None
            and facts.dsm5_substance == self.substance_class
            and result.band in ("mild", "moderate", "severe")
        )


def band(instrument: str, *bands: str, subscale: str | None = None) -> Band:
    return Band(instrument, bands, subscale)


def answer(field_name: str, *values: Any) -> Answer:
    return Answer(field_name, values)


def all_of(*parts: Condition) -> AllOf:
    return AllOf(parts)


def any_of(*parts: Condition) -> AnyOf:
    return AnyOf(parts)


def not_(part: Condition) -> Not:
    return Not(part)


# --- A rule ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    id: str
    dimension: int
    rating: int
    when: Condition
    reason: str  # "{total:COWS}" and "{band:PHQ-9}" are filled in from the facts
    withdrawal_management: str | None = None  # D1 rules only: a WM level more specific than the default
    tags: tuple[str, ...] = field(default=())

    def explain(self, facts: Facts) -> str:
        return _fill(self.reason, facts)


_PLACEHOLDER = re.compile(r"\{(total|band):([A-Za-z0-9-]+)\}")


def _fill(template: str, facts: Facts) -> str:
    def value(match: re.Match[str]) -> str:
        what, code = match.groups()
        result = facts.results.get(code)
        if result is None:
            return "?"
        return str(getattr(result, what)).replace("_", " ")

    return _PLACEHOLDER.sub(value, template)
