"""Turn scored instruments and intake answers into six ratings, a level and the reasons for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bridge.instruments import (
    DEFAULT_SETTINGS,
    ResponseError,
    ScoreResult,
    ScoringSettings,
    UnknownInstrument,
)
from bridge.instruments import get as get_instrument
from bridge.placement.conditions import Facts, Rule
from bridge.placement.context import QUESTIONS, Context, ContextError, parse_context
from bridge.placement.levels import (
    DIMENSIONS,
    IOP_LEVEL,
    LEVEL_ORDER,
    WM_ORDER,
    highest,
    level_label,
    wm_label,
)
from bridge.placement.rules import (
    CRISIS_LINE,
    DIMENSION_INPUTS,
    IMMINENT_ALERTS,
    LEVEL_FOR_RATING,
    OTHER_ALERTS,
    RULES,
    RULES_VERSION,
    WM_FOR_RATING,
)

DV_HOTLINE = "National Domestic Violence Hotline: 1-800-799-7233."


@dataclass(frozen=True)
class DimensionResult:
    dimension: int
    name: str
    rating: int
    suggested: int  # what the rules alone say
    reasons: tuple[str, ...]
    rules: tuple[str, ...]  # ids of the rules that fired
    known: bool  # False when nothing was given that this dimension draws on
    rated_by_clinician: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"rating": self.rating, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class PlacementAlert:
    code: str
    message: str
    imminent: bool

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "imminent": self.imminent}


@dataclass(frozen=True)
class Recommendation:
    level: str
    withdrawal_management: str | None
    dimensions: dict[int, DimensionResult]
    alerts: tuple[PlacementAlert, ...]
    explanation: tuple[str, ...]
    level_set_by: tuple[int, ...]
    unknown_context: tuple[str, ...]
    rules_version: str = RULES_VERSION

    @property
    def is_iop(self) -> bool:
        return self.level == IOP_LEVEL

    @property
    def imminent(self) -> bool:
        return any(a.imminent for a in self.alerts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "withdrawal_management": self.withdrawal_management,
            "dimensions": {str(d): r.as_dict() for d, r in sorted(self.dimensions.items())},
            "alerts": [a.as_dict() for a in self.alerts],
            "explanation": list(self.explanation),
            "rules_version": self.rules_version,
        }


def recommend(
    *,
    age: int,
    results: Mapping[str, ScoreResult],
    context: Context,
    clinician_ratings: Mapping[int, int] | None = None,
) -> Recommendation:
    """Rate the six dimensions and suggest a level. `clinician_ratings` replace the rules' ratings."""
    facts = Facts(age=age, results=dict(results), context=context)
    clinician_ratings = dict(clinician_ratings or {})
    fired: dict[int, list[Rule]] = {d: [] for d in DIMENSIONS}
    for rule in RULES:
        if rule.when.holds(facts):
            fired[rule.dimension].append(rule)

    dimensions: dict[int, DimensionResult] = {}
    for d, name in DIMENSIONS.items():
        rules = sorted(fired[d], key=lambda r: -r.rating)
        suggested = rules[0].rating if rules else 0
        instruments, answers = DIMENSION_INPUTS[d]
        known = any(code in facts.results for code in instruments) or any(
            getattr(context, field) is not None for field in answers
        )
        reasons = [r.explain(facts) for r in rules]
        rating = suggested
        by_clinician = d in clinician_ratings
        if by_clinician:
            rating = int(clinician_ratings[d])
            if not 0 <= rating <= 4:
                raise ValueError(f"dimension {d} rating must be 0-4")
            if rating != suggested:
                reasons.insert(0, f"rated {rating} by the clinician (the rules suggested {suggested})")
            known = True
        if not reasons:
            reasons = (
                ["nothing in what was given points to a risk here"]
                if known
                else [f"unknown: nothing was given about {_inputs_phrase(instruments, answers)}"]
            )
        dimensions[d] = DimensionResult(
            d, name, rating, suggested, tuple(reasons), tuple(r.id for r in rules), known, by_clinician
        )

    demands: dict[int, str] = {
        d: LEVEL_FOR_RATING[d][result.rating]
        for d, result in dimensions.items()
        if result.known and result.rating in LEVEL_FOR_RATING[d]
    }
    level = highest(list(demands.values())) or LEVEL_ORDER[0]
    set_by = tuple(d for d, lv in demands.items() if lv == level)
    wm = _withdrawal_management(dimensions[1], fired[1])
    alerts = _alerts(facts)
    explanation = _explain(facts, dimensions, level, set_by, wm, alerts)
    return Recommendation(
        level=level,
        withdrawal_management=wm,
        dimensions=dimensions,
        alerts=alerts,
        explanation=tuple(explanation),
        level_set_by=set_by,
        unknown_context=tuple(context.unknown()),
    )


def _inputs_phrase(instruments: tuple[str, ...], answers: tuple[str, ...]) -> str:
    parts = [*instruments, *(QUESTIONS[a] for a in answers)]
    return ", ".join(parts[:-1]) + f" or {parts[-1]}" if len(parts) > 1 else parts[0]


def _withdrawal_management(d1: DimensionResult, fired: list[Rule]) -> str | None:
    if d1.rating == 0:
        return None
    if d1.rating == d1.suggested:
        named = [r.withdrawal_management for r in fired if r.rating == d1.rating and r.withdrawal_management]
        if named:
            return max(named, key=WM_ORDER.index)
    return WM_FOR_RATING[d1.rating]


def _alerts(facts: Facts) -> tuple[PlacementAlert, ...]:
    imminent: list[PlacementAlert] = []
    other: list[PlacementAlert] = []
    for result in facts.results.values():
        for code in result.alerts:
            if code in IMMINENT_ALERTS:
                imminent.append(PlacementAlert(code, f"{IMMINENT_ALERTS[code]} {CRISIS_LINE}", True))
            else:
                other.append(PlacementAlert(code, OTHER_ALERTS.get(code, code), False))
    if facts.context.domestic_violence:
        other.append(
            PlacementAlert(
                "domestic_violence", f"Domestic violence reported: ask about safety now. {DV_HOTLINE}", False
            )
        )
    return tuple(imminent + other)


def _dimension_list(ds: tuple[int, ...] | list[int]) -> str:
    names = [f"{d} ({DIMENSIONS[d].lower()})" for d in ds]
    word = "dimension" if len(names) == 1 else "dimensions"
    return f"{word} " + (
        " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + f" and {names[-1]}"
    )


def _explain(
    facts: Facts,
    dimensions: dict[int, DimensionResult],
    level: str,
    set_by: tuple[int, ...],
    wm: str | None,
    alerts: tuple[PlacementAlert, ...],
) -> list[str]:
    lines = [f"Act now — {a.message}" for a in alerts if a.imminent]
    if set_by:
        why = "; ".join(dimensions[d].reasons[0] for d in set_by)
        lines.append(f"Suggested level {level_label(level)}, set by {_dimension_list(set_by)}: {why}.")
    else:
        lines.append(
            f"Suggested level {level_label(level)} only because nothing known calls for more: too little is "
            "known to place this person yet."
        )
    if wm:
        lines.append(f"Withdrawal management first: {wm_label(wm)} — {dimensions[1].reasons[0]}.")
    elif dimensions[1].known:
        lines.append("No withdrawal management is needed first.")
    if level != IOP_LEVEL and set_by:
        more = LEVEL_ORDER.index(level) > LEVEL_ORDER.index(IOP_LEVEL)
        lines.append(
            "That is more support than an IOP (2.1) gives; refer, or record why IOP is still right."
            if more
            else "That is less than an IOP (2.1); IOP is an option if the person wants more support."
        )
    if facts.age < 18:
        lines.append("Adolescent: an IOP (2.1) is at least 6 hours a week (adults at least 9).")
    unknown_dims = [d for d, r in dimensions.items() if not r.known]
    if unknown_dims:
        lines.append(f"Unknown, nothing assumed: {_dimension_list(unknown_dims)}.")
    unknown_answers = facts.context.unknown()
    if unknown_answers:
        lines.append(
            "Not answered, so treated as unknown (never as “no”): "
            + ", ".join(QUESTIONS[f] for f in unknown_answers)
            + "."
        )
    lines.append(
        f"Ratings are not averaged: the highest-need dimension sets the level. Rules {RULES_VERSION}; "
        "the clinician decides."
    )
    return lines


# --- Raw input (the public API) -----------------------------------------------------------------


def score_instruments(
    raw: Mapping[str, Any], *, settings: ScoringSettings = DEFAULT_SETTINGS, prefix: str = "instruments"
) -> dict[str, ScoreResult]:
    """Score `{code: responses | {"responses": …, "sex": …}}`; errors name the field under `prefix`."""
    if not isinstance(raw, Mapping):
        raise ContextError(f"{prefix} must be an object of instrument code to responses.", prefix)
    results: dict[str, ScoreResult] = {}
    for code, value in raw.items():
        where = f"{prefix}.{code}"
        try:
            instrument = get_instrument(code)
        except UnknownInstrument:
            raise ContextError(f"{where}: no instrument has the code {code!r}.", where) from None
        wrapped = isinstance(value, Mapping) and "responses" in value
        responses = value["responses"] if wrapped else value
        sex = value.get("sex") if wrapped else None
        try:
            results[instrument.code] = instrument.score(responses, sex=sex, settings=settings)
        except ResponseError as exc:
            if wrapped or not exc.field.startswith("responses"):
                field = f"{where}.{exc.field}"
            else:  # a bare value stands where "responses" would: instruments.PHQ-9[3]
                field = where + exc.field.removeprefix("responses")
            message = exc.message
            if instrument.needs_sex and exc.field == "sex" and not wrapped:
                message += ' Send {"responses": [...], "sex": "female" | "male"} for this instrument.'
            raise ContextError(f"{instrument.code}: {message}", field) from None
    return results


def recommend_from_input(
    *,
    age: int,
    instruments: Mapping[str, Any] | None,
    context: Mapping[str, Any] | None,
    settings: ScoringSettings = DEFAULT_SETTINGS,
) -> Recommendation:
    """The stateless path: validate and score raw input, then recommend. Raises ContextError."""
    results = score_instruments(instruments or {}, settings=settings)
    return recommend(age=age, results=results, context=parse_context(context))
