"""The intake answers the rules read besides instruments. Missing means unknown, never "no"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


class ContextError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


MEDICAL_CONDITION = ("none", "stable", "unstable")
DAILY_FUNCTIONING = ("intact", "impaired", "unable")
READINESS = ("precontemplation", "contemplation", "preparation", "action", "maintenance")

CHOICES: dict[str, tuple[str, ...]] = {
    "medical_condition": MEDICAL_CONDITION,
    "daily_functioning": DAILY_FUNCTIONING,
    "readiness": READINESS,
}

# Plain words for each field, used when the explanation lists what is unknown.
QUESTIONS: dict[str, str] = {
    "withdrawal_history_severe": "past withdrawal seizures or delirium tremens",
    "medical_condition": "medical conditions",
    "pregnant": "pregnancy",
    "daily_functioning": "daily functioning",
    "readiness": "readiness to change",
    "recent_return_to_use_after_treatment": "return to use soon after earlier treatment",
    "home_active_substance_use": "someone at home actively using",
    "domestic_violence": "domestic violence",
    "stable_housing": "stable housing",
    "supportive_relationships": "supportive relationships",
    "needs_24h_structure": "need for 24-hour structure",
}


@dataclass(frozen=True)
class Context:
    """Each field is None when not asked or not answered."""

    withdrawal_history_severe: bool | None = None
    medical_condition: str | None = None
    pregnant: bool | None = None
    daily_functioning: str | None = None
    readiness: str | None = None
    recent_return_to_use_after_treatment: bool | None = None
    home_active_substance_use: bool | None = None
    domestic_violence: bool | None = None
    stable_housing: bool | None = None
    supportive_relationships: bool | None = None
    needs_24h_structure: bool | None = None

    def unknown(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is None]

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Context))


def parse_context(raw: Mapping[str, Any] | None, *, prefix: str = "context") -> Context:
    """Check a context object strictly: unknown keys, non-booleans and bad choices are refused."""
    if raw is None:
        return Context()
    if not isinstance(raw, Mapping):
        raise ContextError(f"{prefix} must be an object.", prefix)
    values: dict[str, Any] = {}
    for name, value in raw.items():
        where = f"{prefix}.{name}"
        if name not in FIELD_NAMES:
            raise ContextError(f"{where} is not a context field ({', '.join(FIELD_NAMES)}).", where)
        if value is None:
            continue
        if name in CHOICES:
            if value not in CHOICES[name]:
                raise ContextError(
                    f"{where} must be one of {', '.join(CHOICES[name])}; got {value!r}.", where
                )
        elif not isinstance(value, bool):
            raise ContextError(
                f"{where} must be true or false (or left out if unknown); got {value!r}.", where
            )
        values[name] = value
    return Context(**values)
