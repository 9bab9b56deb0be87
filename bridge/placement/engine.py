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
from bridge.placement.conditions import Facts, Rule, _fill
from bridge.placement.context import QUESTIONS, Context, ContextError, parse_context
from bridge.placement.editions import DEFAULT_EDITION, DIMENSION_FROM_THIRD, THIRD, Edition
from bridge.placement.editions import edition as edition_for_code
from bridge.placement.levels import (
    DIMENSIONS,
    IOP_LEVEL,
    WM_ORDER,
    highest,
    wm_label,
)
from bridge.placement.rules import (
    CRISIS_LINE,
    DERIVED_ALERTS,
    DIMENSION_INPUTS,
    INSTRUMENT_ALERTS,
    NOW,
    RULES,
    RULES_VERSION,
    URGENCIES,
    WM_FOR_RATING,
    alert_spec,
)


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
    from_third: int | None = None  # 4th edition: the 3rd-edition dimension the rules' rating came from

    def as_dict(self) -> dict[str, Any]:
        return {"rating": self.rating, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class PlacementAlert:
    code: str
    message: str
    urgency: str = "routine"  # "now" | "same_day" | "routine"
    route: str = ""  # where to go or what to do, for "now" and "same_day"

    @property
    def imminent(self) -> bool:
        return self.urgency == NOW

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "imminent": self.imminent,
            "urgency": self.urgency,
            "route": self.route or None,
        }


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
    edition: str = DEFAULT_EDITION
    tags: tuple[str, ...] = ()  # e.g. "buprenorphine_induction"

    @property
    def is_iop(self) -> bool:
        return self.level == IOP_LEVEL

    @property
    def imminent(self) -> bool:
        return any(a.imminent for a in self.alerts)

    @property
    def now_alerts(self) -> tuple[PlacementAlert, ...]:
        return tuple(a for a in self.alerts if a.imminent)

    def as_dict(self) -> dict[str, Any]:
        return {
            "edition": self.edition,
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
    edition: str = DEFAULT_EDITION,
    dsm5_substance: str | None = None,
) -> Recommendation:
    """Rate the six dimensions and suggest a level in `edition` ("3" or "4").

    The rules rate the 3rd-edition dimensions; in the 4th edition those ratings are crosswalked to
    the 4th edition's dimensions (editions.DIMENSION_FROM_THIRD) and each reason says so.
    `clinician_ratings` are keyed by the edition's own dimensions and replace the rules' ratings.
    """
    ed = edition_for_code(edition)
    facts = Facts(age=age, results=dict(results), context=context, dsm5_substance=dsm5_substance)
    clinician_ratings = dict(clinician_ratings or {})
    fired: dict[int, list[Rule]] = {d: [] for d in DIMENSIONS}
    for rule in RULES:
        if rule.when.holds(facts):
            fired[rule.dimension].append(rule)

    dimensions: dict[int, DimensionResult] = {}
    for d, name in ed.dimensions.items():
        d3 = DIMENSION_FROM_THIRD[d] if ed.code != THIRD else d
        rules = sorted(fired[d3], key=lambda r: -r.rating)
        suggested = rules[0].rating if rules else 0
        instruments, answers = DIMENSION_INPUTS[d3]
        known = any(code in facts.results for code in instruments) or any(
            getattr(context, field) is not None for field in answers
        )
        reasons = [r.explain(facts) for r in rules]
        if d3 != d and reasons:
            reasons.insert(0, f"crosswalked from 3rd-edition dimension {d3} ({DIMENSIONS[d3].lower()})")
        if d in ed.informs_only and reasons:
            reasons.append("informs the plan; does not on its own raise the level")
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
            d,
            name,
            rating,
            suggested,
            tuple(reasons),
            tuple(r.id for r in rules),
            known,
            by_clinician,
            d3 if d3 != d else None,
        )

    wm = _withdrawal_management(dimensions[1], fired[1])
    demands: dict[int, str] = {
        d: ed.level_for_rating[d][result.rating]
        for d, result in dimensions.items()
        if result.known and result.rating in ed.level_for_rating[d]
    }
    if ed.level_for_wm and wm:
        demands[1] = ed.level_for_wm[wm]
    level = highest(list(demands.values()), ed.level_order) or ed.level_order[0]
    set_by = tuple(d for d, lv in demands.items() if lv == level)
    alerts = _alerts(facts)
    tags = tuple(
        sorted({t for d in fired.values() for r in d if r.rating == dimensions[1].rating for t in r.tags})
    )
    explanation = _explain(facts, ed, dimensions, level, set_by, wm, alerts)
    return Recommendation(
        level=level,
        withdrawal_management=wm if ed.wm_levels else None,
        dimensions=dimensions,
        alerts=alerts,
        explanation=tuple(explanation),
        level_set_by=set_by,
        unknown_context=tuple(context.unknown()),
        edition=ed.code,
        tags=tags,
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
    """Every alert, most urgent first ("now" ones carry the crisis line and their route)."""
    found: list[PlacementAlert] = []
    for result in facts.results.values():
        for code in result.alerts:
            spec = INSTRUMENT_ALERTS.get(code) or alert_spec(code)
            found.append(_alert(code, spec.urgency, spec.message, spec.route))
    for derived in DERIVED_ALERTS:
        if derived.when.holds(facts):
            found.append(
                _alert(
                    derived.code, derived.spec.urgency, _fill(derived.spec.message, facts), derived.spec.route
                )
            )
    return tuple(sorted(found, key=lambda a: URGENCIES.index(a.urgency)))


def _alert(code: str, urgency: str, message: str, route: str) -> PlacementAlert:
    if urgency == NOW:
        message = f"{message} {CRISIS_LINE}"
    return PlacementAlert(code, message, urgency, route)


def _dimension_list(ds: tuple[int, ...] | list[int], names_by: dict[int, str] = DIMENSIONS) -> str:
    names = [f"{d} ({names_by[d].lower()})" for d in ds]
    word = "dimension" if len(names) == 1 else "dimensions"
    return f"{word} " + (
        " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + f" and {names[-1]}"
    )


def _main_reason(result: DimensionResult) -> str:
    """The first reason that says why, not where the rating came from."""
    for reason in result.reasons:
        if not reason.startswith("crosswalked from"):
            return reason
    return result.reasons[0]


def _explain(
    facts: Facts,
    ed: Edition,
    dimensions: dict[int, DimensionResult],
    level: str,
    set_by: tuple[int, ...],
    wm: str | None,
    alerts: tuple[PlacementAlert, ...],
) -> list[str]:
    lines = [f"Act now — {a.message} {a.route}".strip() for a in alerts if a.imminent]
    if set_by:
        why = "; ".join(_main_reason(dimensions[d]) for d in set_by)
        where = _dimension_list(set_by, ed.dimensions)
        lines.append(f"Suggested level {ed.level_label(level)}, set by {where}: {why}.")
    else:
        lines.append(
            f"Suggested level {ed.level_label(level)} only because nothing known calls for more: "
            "too little is known to place this person yet."
        )
    if wm and ed.wm_levels:
        first = f"Withdrawal management first: {wm_label(wm)} — {_main_reason(dimensions[1])}."
        if WM_ORDER.index(wm) >= WM_ORDER.index("3.2-WM"):
            first += f" Level {level} applies only once withdrawal management is complete (reassess then)."
        lines.append(first)
    elif wm:
        lines.append(
            f"Withdrawal and addiction medications are managed inside the level ({ed.name}): "
            f"{_main_reason(dimensions[1])}."
        )
    elif dimensions[1].known:
        lines.append("No withdrawal management is needed first.")
    if level != IOP_LEVEL and set_by:
        lines.append(
            "That is more support than an IOP (2.1) gives; refer, or record why IOP is still right."
            if ed.above(level, IOP_LEVEL)
            else "That is less than an IOP (2.1); IOP is an option if the person wants more support."
        )
    if facts.age < 18:
        lines.append("Adolescent: an IOP (2.1) is at least 6 hours a week (adults at least 9).")
    unknown_dims = [d for d, r in dimensions.items() if not r.known]
    if unknown_dims:
        lines.append(f"Unknown, nothing assumed: {_dimension_list(unknown_dims, ed.dimensions)}.")
    unknown_answers = facts.context.unknown()
    if unknown_answers:
        lines.append(
            "Not answered, so treated as unknown (never as “no”): "
            + ", ".join(QUESTIONS[f] for f in unknown_answers)
            + "."
        )
    if ed.code != THIRD:
        lines.append(
            f"Criteria {ed.name}: the rules' ratings are crosswalked from the 3rd-edition dimensions "
            "(4 ← 5, 5 ← 6, 6 ← 4; each reason says so); person-centred considerations (6) shape the plan "
            "and do not raise the level."
        )
    lines.append(
        f"Ratings are not averaged: the highest-need dimension sets the level. Rules {RULES_VERSION}, "
        f"criteria {ed.name}; the clinician decides."
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


def dsm5_substance_of(raw: Mapping[str, Any] | None) -> str | None:
    """The substance class of raw DSM-5-SUD criteria in an `instruments` object, if any."""
    value = (raw or {}).get("DSM-5-SUD")
    if isinstance(value, Mapping) and "responses" in value:
        value = value["responses"]
    if isinstance(value, Mapping):
        found = value.get("substance_class")
        return found if isinstance(found, str) else None
    return None


def recommend_from_input(
    *,
    age: int,
    instruments: Mapping[str, Any] | None,
    context: Mapping[str, Any] | None,
    settings: ScoringSettings = DEFAULT_SETTINGS,
    edition: str = DEFAULT_EDITION,
) -> Recommendation:
    """The stateless path: validate and score raw input, then recommend. Raises ContextError."""
    results = score_instruments(instruments or {}, settings=settings)
    return recommend(
        age=age,
        results=results,
        context=parse_context(context),
        edition=edition,
        dsm5_substance=dsm5_substance_of(instruments),
    )
