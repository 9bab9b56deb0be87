"""Validated screening and monitoring instruments, each defined once as data and scored exactly as
`reference/instruments.md` states. Pure Python: importable and testable without Django.

    >>> from bridge.instruments import score
    >>> score("PHQ-9", [1, 1, 1, 1, 1, 0, 0, 0, 1]).as_dict()
    {'instrument': 'PHQ-9', 'total': 6, 'band': 'mild', 'alerts': ['phq9_item9_positive']}
"""

from __future__ import annotations

from typing import Any

from bridge.instruments.definitions import ALL
from bridge.instruments.model import (
    DEFAULT_SETTINGS,
    AuditCScheme,
    Band,
    CiwaScheme,
    Instrument,
    Item,
    Option,
    ResponseError,
    ScoreResult,
    ScoringSettings,
    Sex,
    UnknownInstrument,
)

INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in ALL}
CODES: tuple[str, ...] = tuple(INSTRUMENTS)
_BY_FOLDED = {code.casefold(): inst for code, inst in INSTRUMENTS.items()}


def get(code: str) -> Instrument:
    """The instrument with this code (case-insensitive); UnknownInstrument if there is none."""
    found = _BY_FOLDED.get(str(code).casefold())
    if found is None:
        raise UnknownInstrument(code)
    return found


def score(
    code: str, responses: Any, *, sex: str | None = None, settings: ScoringSettings = DEFAULT_SETTINGS
) -> ScoreResult:
    return get(code).score(responses, sex=sex, settings=settings)


__all__ = [
    "CODES",
    "DEFAULT_SETTINGS",
    "INSTRUMENTS",
    "AuditCScheme",
    "Band",
    "CiwaScheme",
    "Instrument",
    "Item",
    "Option",
    "ResponseError",
    "ScoreResult",
    "ScoringSettings",
    "Sex",
    "UnknownInstrument",
    "get",
    "score",
]
