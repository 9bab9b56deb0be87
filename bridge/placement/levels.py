"""Levels of care and withdrawal-management levels by their public numbers (3rd-edition numbering).

Names are ours, in plain words; see reference/instruments.md §13.2. "ASAM" is a trademark and the
criteria text is copyrighted: we use only the numbers and dimension names.
"""

from __future__ import annotations

LEVELS: dict[str, str] = {
    "0.5": "early intervention",
    "1": "outpatient",
    "2.1": "intensive outpatient, IOP",
    "2.5": "partial hospitalization",
    "3.1": "low-intensity residential, 24-hour structure",
    "3.5": "high-intensity residential",
    "3.7": "medically monitored inpatient",
    "4": "medically managed inpatient, in hospital",
}
LEVEL_ORDER: tuple[str, ...] = tuple(LEVELS)

WM_LEVELS: dict[str, str] = {
    "1-WM": "ambulatory withdrawal management, daily or less-than-daily check-ins",
    "2-WM": "ambulatory withdrawal management with all-day on-site monitoring",
    "3.2-WM": "residential withdrawal management with 24-hour support",
    "3.7-WM": "medically monitored inpatient withdrawal management",
    "4-WM": "medically managed inpatient withdrawal management, in hospital",
}
WM_ORDER: tuple[str, ...] = tuple(WM_LEVELS)

DIMENSIONS: dict[int, str] = {
    1: "Intoxication and withdrawal",
    2: "Biomedical conditions",
    3: "Emotional, behavioral or cognitive conditions",
    4: "Readiness to change",
    5: "Relapse or continued-use potential",
    6: "Recovery environment",
}

IOP_LEVEL = "2.1"


def level_label(level: str) -> str:
    return f"{level} ({LEVELS[level]})"


def wm_label(level: str) -> str:
    return f"{level} ({WM_LEVELS[level]})"


def highest(levels: list[str], order: tuple[str, ...] = LEVEL_ORDER) -> str | None:
    known = [lv for lv in levels if lv]
    return max(known, key=order.index) if known else None
