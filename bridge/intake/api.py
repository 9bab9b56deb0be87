"""Public JSON API (no login, stateless, rate-limited): the instruments, scoring and placement.

Nothing is stored and nothing is audited: no participant is involved. Scores use the published
default cut-offs; programs' alternative cut-offs apply only inside Bridge.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from pydantic import ConfigDict, StrictBool, StrictInt

from bridge import instruments
from bridge.api.errors import ApiError, Error
from bridge.instruments.model import Instrument
from bridge.intake.throttle import public_api_throttle
from bridge.placement import ContextError, recommend, score_instruments
from bridge.placement.context import parse_context
from bridge.placement.engine import dsm5_substance_of

API_PREFIX = "/"
router = Router(tags=["instruments and placement (public)"], throttle=[public_api_throttle()])


class OptionOut(Schema):
    value: int = Field(description="What is entered (for DAST-10: 1 = Yes, 0 = No)")
    label: str
    points: int = Field(description="What it scores (differs from value only for reverse-scored items)")
    loinc: str | None = None


class ItemOut(Schema):
    number: str
    key: str = Field(description="Stable identifier (a FHIR linkId)")
    text: str = Field(description="Our own short summary, not the published wording")
    ask: str | None = Field(None, description="Our plain question where a person answers it themselves")
    loinc: str | None = None
    scored: bool
    reverse_scored: bool
    options: list[OptionOut]


class BandOut(Schema):
    code: str
    label: str
    min: int = Field(description="Inclusive lower bound of the total (default cut-offs)")


class SubscaleOut(Schema):
    code: str
    label: str
    items: list[int]
    bands: list[str]


class CriteriaOut(Schema):
    substance_class: list[str]
    supervision_field: str
    medical_supervision_exclusion_applies_to: list[str]
    no_withdrawal_criterion: list[str]
    excluded_under_supervision: list[str]


class LoincOut(Schema):
    panel: str | None
    total: str | None


class InstrumentOut(Schema):
    code: str
    name: str
    summary: str
    period: str
    response_format: Literal["points", "answers", "criteria"]
    item_count: int
    total_range: list[int] | None
    needs_sex: bool
    clinician_rated: bool
    bands: list[BandOut]
    band_codes: list[str]
    alert_codes: list[str]
    loinc: LoincOut
    items: list[ItemOut]
    subscales: list[SubscaleOut]
    criteria: CriteriaOut | None
    program_settings: list[str] = Field(description="Cut-offs a program may change inside Bridge")
    notes: list[str]
    source: str


def _instrument_out(inst: Instrument) -> dict[str, Any]:
    criteria = inst.criteria
    return {
        "code": inst.code,
        "name": inst.name,
        "summary": inst.summary,
        "period": inst.period,
        "response_format": inst.response_format,
        "item_count": inst.item_count,
        "total_range": list(inst.total_range) if inst.total_range else None,
        "needs_sex": inst.needs_sex,
        "clinician_rated": inst.clinician_rated,
        "bands": (
            []
            if inst.subscales
            else [
                {"code": b.code, "label": b.label, "min": b.minimum}
                for b in inst.bands(instruments.DEFAULT_SETTINGS, None)
            ]
        ),
        "band_codes": list(inst.band_codes),
        "alert_codes": list(inst.alert_codes),
        "loinc": {"panel": inst.loinc_panel, "total": inst.loinc_total},
        "items": [
            {
                "number": i.number,
                "key": i.key,
                "text": i.text,
                "ask": i.ask,
                "loinc": i.loinc,
                "scored": i.scored,
                "reverse_scored": i.reverse_scored,
                "options": [
                    {"value": o.value, "label": o.label, "points": o.points, "loinc": o.loinc}
                    for o in i.options
                ],
            }
            for i in inst.items
        ],
        "subscales": [
            {"code": s.code, "label": s.label, "items": list(s.item_numbers), "bands": list(s.bands)}
            for s in inst.subscales
        ],
        "criteria": (
            {
                "substance_class": list(criteria.classes),
                "supervision_field": criteria.supervision_field,
                "medical_supervision_exclusion_applies_to": list(criteria.supervision_classes),
                "no_withdrawal_criterion": list(criteria.no_withdrawal_classes),
                "excluded_under_supervision": list(criteria.excludable),
            }
            if criteria
            else None
        ),
        "program_settings": list(inst.settings_used),
        "notes": list(inst.notes),
        "source": inst.source,
    }


def _instrument(code: str) -> Instrument:
    try:
        return instruments.get(code)
    except instruments.UnknownInstrument:
        raise ApiError(
            404,
            f"No instrument has the code {code!r}. Codes: {', '.join(instruments.CODES)}.",
            field="code",
            code="not_found",
        ) from None


@cache
def _instrument_list_json() -> bytes:
    # The definitions never change while the process runs: validate and serialize them once.
    # (Re-validating ~700 options through pydantic on every request cost ~100 ms.)
    rows = [
        InstrumentOut.model_validate(_instrument_out(i)).model_dump()
        for i in instruments.INSTRUMENTS.values()
    ]
    return json.dumps(rows, ensure_ascii=False).encode()


@router.get(
    "instruments",
    response=list[InstrumentOut],
    auth=None,
    summary="Every instrument: items, options and points",
)
def instrument_list(request: HttpRequest):
    response = HttpResponse(_instrument_list_json(), content_type="application/json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@router.get(
    "instruments/{code}", response={200: InstrumentOut, 404: Error}, auth=None, summary="One instrument"
)
def instrument_detail(request: HttpRequest, code: str):
    return _instrument_out(_instrument(code))


class ScoreIn(Schema):
    responses: Any = Field(
        description="Item values in item order (points; DAST-10 raw 1/0 answers; C-SSRS 7 ints), or the "
        "DSM-5-SUD criteria object"
    )
    sex: Literal["female", "male"] | None = Field(None, description="Required for AUDIT-C")


class ScoreOut(Schema):
    instrument: str
    total: int | dict[str, int] | None
    band: str | dict[str, str]
    alerts: list[str]


@router.post(
    "instruments/{code}/score",
    response={200: ScoreOut, 400: Error, 404: Error},
    auth=None,
    summary="Score one administration (nothing is stored)",
)
def instrument_score(request: HttpRequest, code: str, payload: ScoreIn):
    inst = _instrument(code)
    try:
        result = inst.score(payload.responses, sex=payload.sex)
    except instruments.ResponseError as exc:
        raise ApiError(400, exc.message, field=exc.field) from None
    return result.as_dict()


class ContextIn(Schema):
    """Each field may be left out (or null): it is then unknown, and the explanation says so."""

    model_config = ConfigDict(extra="forbid")

    withdrawal_history_severe: StrictBool | None = Field(
        default=None, description="Past withdrawal seizures or DTs"
    )
    medical_condition: Literal["none", "stable", "unstable"] | None = None
    pregnant: StrictBool | None = None
    daily_functioning: Literal["intact", "impaired", "unable"] | None = None
    readiness: Literal["precontemplation", "contemplation", "preparation", "action", "maintenance"] | None = (
        None
    )
    recent_return_to_use_after_treatment: StrictBool | None = None
    home_active_substance_use: StrictBool | None = None
    domestic_violence: StrictBool | None = None
    stable_housing: StrictBool | None = None
    supportive_relationships: StrictBool | None = None
    needs_24h_structure: StrictBool | None = None


class PlacementIn(Schema):
    age: StrictInt = Field(ge=12, le=120)
    edition: Literal["3", "4"] = Field(
        "3",
        description='Criteria edition: "3" (3rd edition, the default) or "4" (4th edition: levels 1.0-4 with '
        "withdrawal management inside the medically managed levels). The answer names it.",
    )
    instruments: dict[str, Any] = Field(
        default_factory=dict,
        description='{"<code>": responses} or {"<code>": {"responses": …, "sex": …}} (AUDIT-C needs sex)',
    )
    context: ContextIn = Field(default_factory=ContextIn)


class DimensionOut(Schema):
    rating: int
    reasons: list[str]


class AlertOut(Schema):
    code: str
    message: str
    imminent: bool = Field(description='True exactly when urgency is "now"')
    urgency: Literal["now", "same_day", "routine"] = Field(
        description='"now": act before anything else (see route); "same_day": a task for today; "routine"'
    )
    route: str | None = Field(None, description="Where to go or what to do (911, emergency department, 988)")


class PlacementOut(Schema):
    edition: Literal["3", "4"]
    level: str
    withdrawal_management: str | None
    dimensions: dict[str, DimensionOut]
    alerts: list[AlertOut]
    explanation: list[str]
    rules_version: str


@router.post(
    "placement",
    response={200: PlacementOut, 400: Error},
    auth=None,
    summary="Six-dimension ratings and a level-of-care recommendation (nothing is stored)",
)
def placement(request: HttpRequest, payload: PlacementIn):
    try:
        results = score_instruments(payload.instruments)
        context = parse_context(payload.context.model_dump(exclude_none=True))
    except ContextError as exc:
        raise ApiError(400, exc.message, field=exc.field) from None
    return recommend(
        age=payload.age,
        results=results,
        context=context,
        edition=payload.edition,
        dsm5_substance=dsm5_substance_of(payload.instruments),
    ).as_dict()
