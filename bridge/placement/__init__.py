"""Placement: six-dimension ratings and a level-of-care recommendation with plain-language reasons.

Pure Python, rules as versioned data (`rules.py`). The clinician decides; this only explains.
"""

from bridge.placement.context import Context, ContextError, parse_context
from bridge.placement.engine import (
    DimensionResult,
    PlacementAlert,
    Recommendation,
    recommend,
    recommend_from_input,
    score_instruments,
)
from bridge.placement.levels import DIMENSIONS, IOP_LEVEL, LEVELS, WM_LEVELS
from bridge.placement.rules import RULES, RULES_VERSION

__all__ = [
    "DIMENSIONS",
    "IOP_LEVEL",
    "LEVELS",
    "RULES",
    "RULES_VERSION",
    "WM_LEVELS",
    "Context",
    "ContextError",
    "DimensionResult",
    "PlacementAlert",
    "Recommendation",
    "parse_context",
    "recommend",
    "recommend_from_input",
    "score_instruments",
]
