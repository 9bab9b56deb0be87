"""Validation and scoring, exactly as reference/instruments.md states.

Validation is strict and names the field at fault, because a silently "fixed" answer is a wrong
score: a non-integer, an out-of-range value (COWS pulse 3 does not exist), a wrong item count, an
answer to an item the skip logic skips, or a DSM-5 withdrawal criterion where DSM-5 has none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bridge.instruments.model import (
    Instrument,
    ResponseError,
    Scorer,
    ScoreResult,
    ScoringSettings,
    Sex,
    band_for,
)

Values = list[int]
AlertRule = Callable[[Values, int, ScoringSettings], list[str]]


def _is_whole_number(value: Any) -> bool:
    # bool is an int in Python, but `true` is not an answer to "how many days".
    return isinstance(value, int) and not isinstance(value, bool)


def _describe(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + "..."


def validate(instrument: Instrument, responses: Any, sex: Any) -> tuple[Any, Sex | None]:
    if instrument.response_format == "criteria":
        checked: Any = _validate_criteria(instrument, responses)
    else:
        checked = _validate_list(instrument, responses)
    return checked, _validate_sex(instrument, sex)


def _validate_sex(instrument: Instrument, sex: Any) -> Sex | None:
    if not instrument.needs_sex:
        return None
    if sex is None or sex == "":
        raise ResponseError(
            f'{instrument.code} needs "sex" ("female" or "male"): its cut-off differs by sex.', "sex"
        )
    if sex not in ("female", "male"):
        raise ResponseError(f'"sex" must be "female" or "male"; got {_describe(sex)}.', "sex")
    return Sex(sex)


def _validate_list(instrument: Instrument, responses: Any) -> Values:
    n = instrument.item_count
    if isinstance(responses, (str, bytes, Mapping)) or not isinstance(responses, Sequence):
        raise ResponseError(f"{instrument.code} takes a list of {n} responses.", "responses")
    if len(responses) != n:
        raise ResponseError(
            f"{instrument.code} takes {n} responses (one per item); got {len(responses)}.", "responses"
        )
    skipped = instrument.skip_rule(list(responses)) if instrument.skip_rule else set()
    values: Values = []
    for index, (item, value) in enumerate(zip(instrument.items, responses, strict=True)):
        where = f"responses[{index}]"
        if value is None and item.key in skipped:
            values.append(0)
            continue
        if not _is_whole_number(value):
            raise ResponseError(
                f"{where}: item {item.number} ({item.text}) must be a whole number; got {_describe(value)}.",
                where,
            )
        if value not in item.allowed_values:
            allowed = ", ".join(str(v) for v in item.allowed_values)
            raise ResponseError(
                f"{where}: item {item.number} ({item.text}) must be one of {allowed}; got {value}.", where
            )
        if item.key in skipped and value != 0:
            raise ResponseError(
                f"{where}: item {item.number} is skipped by the {instrument.code} skip logic for these "
                "answers; leave it at 0.",
                where,
            )
        values.append(value)
    return values


def _validate_criteria(instrument: Instrument, responses: Any) -> dict[str, Any]:
    spec = instrument.criteria
    assert spec is not None
    if not isinstance(responses, Mapping):
        raise ResponseError(
            f"{instrument.code} takes an object with {spec.class_field}, {spec.supervision_field} and the "
            f"{instrument.item_count} criteria as booleans.",
            "responses",
        )
    keys = [item.key for item in instrument.items]
    known = {spec.class_field, spec.supervision_field, *keys}
    for name in responses:
        if name not in known:
            raise ResponseError(f"responses.{name} is not a {instrument.code} field.", f"responses.{name}")
    if spec.class_field not in responses:
        raise ResponseError(f"responses.{spec.class_field} is required.", f"responses.{spec.class_field}")
    substance = responses[spec.class_field]
    if substance not in spec.classes:
        raise ResponseError(
            f"responses.{spec.class_field} must be one of {', '.join(spec.classes)}; "
            f"got {_describe(substance)}.",
            f"responses.{spec.class_field}",
        )
    checked: dict[str, Any] = {spec.class_field: substance}
    for name in (spec.supervision_field, *keys):
        where = f"responses.{name}"
        if name not in responses:
            raise ResponseError(f"{where} is required (true or false).", where)
        if not isinstance(responses[name], bool):
            raise ResponseError(f"{where} must be true or false; got {_describe(responses[name])}.", where)
        checked[name] = responses[name]
    withdrawal = keys[-1]
    if substance in spec.no_withdrawal_classes and checked[withdrawal]:
        raise ResponseError(
            f"responses.{withdrawal}: DSM-5 has no withdrawal criterion for {substance.replace('_', ' ')}; "
            "it cannot be true.",
            f"responses.{withdrawal}",
        )
    return checked


# --- Scorers -----------------------------------------------------------------------------------


def sum_scorer(alert_rule: AlertRule | None = None) -> Scorer:
    """The common case: the total is the sum of the items' points; one band; item-level alerts."""

    def score(
        instrument: Instrument, values: Values, settings: ScoringSettings, sex: Sex | None
    ) -> ScoreResult:
        total = sum(
            item.points_for(v) for item, v in zip(instrument.items, values, strict=True) if item.scored
        )
        band = band_for(instrument.bands(settings, sex), total)
        alerts = alert_rule(values, total, settings) if alert_rule else []
        return ScoreResult(instrument.code, total, band.code, tuple(alerts))

    return score


def subscale_scorer(
    instrument: Instrument, values: Values, settings: ScoringSettings, sex: Sex | None
) -> ScoreResult:
    """BAM: three subscale sums, each read against its own (configurable) cut-off. No single total."""
    totals = {scale.code: sum(values[n - 1] for n in scale.item_numbers) for scale in instrument.subscales}
    bands = {
        "use": "any_use" if totals["use"] >= settings.bam_use_cutoff else "no_use",
        "risk": "elevated" if totals["risk"] >= settings.bam_risk_cutoff else "not_elevated",
        "protective": "low" if totals["protective"] <= settings.bam_protective_cutoff else "adequate",
    }
    return ScoreResult(instrument.code, totals, bands, ())


def cssrs_scorer(
    instrument: Instrument, values: Values, settings: ScoringSettings, sex: Sex | None
) -> ScoreResult:
    """Columbia triage: item and recency decide the risk; there is no numeric total."""
    wish, thoughts, method, intent, plan, behavior, recent = values
    alerts = []
    if intent:
        alerts.append("cssrs_q4_intent")
    if plan:
        alerts.append("cssrs_q5_plan")
    if behavior and recent:
        alerts.append("cssrs_q6_behavior_past_3_months")
    if alerts:
        band = "high"
    elif method or behavior:
        band = "moderate"
    elif wish or thoughts:
        band = "low"
    else:
        band = "none"
    return ScoreResult(instrument.code, None, band, tuple(alerts))


def dsm5_scorer(
    instrument: Instrument, answers: dict[str, Any], settings: ScoringSettings, sex: Sex | None
) -> ScoreResult:
    """Count the criteria met; tolerance and withdrawal under medical supervision do not count."""
    spec = instrument.criteria
    assert spec is not None
    excluded_here = answers[spec.supervision_field] and answers[spec.class_field] in spec.supervision_classes
    met = 0
    excluded_any = False
    for item in instrument.items:
        if not answers[item.key]:
            continue
        if excluded_here and item.key in spec.excludable:
            excluded_any = True
            continue
        met += 1
    band = band_for(instrument.bands(settings, sex), met)
    alerts = ("dsm5_tolerance_withdrawal_excluded_medical_supervision",) if excluded_any else ()
    return ScoreResult(instrument.code, met, band.code, alerts)
