"""Fixtures: Alex and Blair admitted three weeks ago (the clinical record's fixture), answer helpers."""

from __future__ import annotations

from bridge.clinical.tests.conftest import admitted  # noqa: F401  (re-exported fixture)

PHQ9_CALM = [1, 1, 0, 1, 0, 0, 1, 0, 0]  # total 4, minimal, item 9 = 0
PHQ9_ITEM9 = [2, 2, 1, 2, 1, 1, 1, 0, 1]  # total 11, moderate, item 9 = 1


def phq9_post(values) -> dict[str, str]:
    return {f"phq9_{i}": str(v) for i, v in enumerate(values, start=1)}
