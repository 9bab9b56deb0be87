"""Drug-screen vocabulary and the expected-positive rule. Plain Python, no Django.

A positive result is *expected* when the participant is prescribed (or dispensed) a medication the
analyte detects: buprenorphine on a buprenorphine order, methadone from an opioid treatment program.
Expected positives are not relapses; every other positive is unexpected and needs a review.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Analyte code -> label. Codes are stored on results; labels are what screens show.
SUBSTANCES: dict[str, str] = {
    "ALC": "Alcohol (EtG)",
    "AMP": "Amphetamines",
    "BAR": "Barbiturates",
    "BZO": "Benzodiazepines",
    "BUP": "Buprenorphine",
    "COC": "Cocaine",
    "FEN": "Fentanyl",
    "MAMP": "Methamphetamine",
    "MDMA": "MDMA (ecstasy)",
    "MTD": "Methadone",
    "OPI": "Opiates (morphine, codeine, heroin)",
    "OXY": "Oxycodone",
    "PCP": "Phencyclidine",
    "THC": "Cannabis (THC)",
    "TRA": "Tramadol",
}

# Analytes that mean an opioid is in the body (the naltrexone safety check reads these).
OPIOIDS = frozenset({"BUP", "FEN", "MTD", "OPI", "OXY", "TRA"})

PANELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "5": ("5-panel", ("AMP", "COC", "OPI", "PCP", "THC")),
    "10": ("10-panel", ("AMP", "BAR", "BZO", "COC", "MTD", "MAMP", "OPI", "OXY", "PCP", "THC")),
    "12": (
        "12-panel with buprenorphine and fentanyl",
        ("AMP", "BAR", "BZO", "BUP", "COC", "FEN", "MTD", "MAMP", "OPI", "OXY", "PCP", "THC"),
    ),
    "14": (
        "14-panel with alcohol, buprenorphine, fentanyl, tramadol",
        ("ALC", "AMP", "BAR", "BZO", "BUP", "COC", "FEN", "MTD", "MAMP", "MDMA", "OPI", "OXY", "THC", "TRA"),
    ),
}
PANEL_CHOICES = [(code, label) for code, (label, _) in PANELS.items()]


@dataclass(frozen=True)
class Expectation:
    substance: str
    reason: str  # e.g. "Buprenorphine order since 2026-01-05"


def expected_substances(prescribed: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Map analyte -> reason, from (analyte the medication shows up as, why it is prescribed) pairs.

    The caller turns active medication orders and OTP enrolments into those pairs (see
    `medication.DRUGS[...].detected_as`); this keeps the rule testable without a database.
    """
    expected: dict[str, str] = {}
    for analyte, reason in prescribed:
        if analyte and analyte not in expected:
            expected[analyte] = reason
    return expected


def classify(substance: str, result: str, expected: dict[str, str], confirmation: str = "") -> str:
    """ "negative", "invalid", "expected" or "unexpected" for one result.

    A lab confirmation that the presumptive positive was false ("confirmed_negative") makes it negative.
    """
    if result == "invalid":
        return "invalid"
    if result != "positive" or confirmation == "confirmed_negative":
        return "negative"
    return "expected" if substance in expected else "unexpected"


def unexpected_negatives(results: Iterable[tuple[str, str, str]], prescribed: dict[str, str]) -> list[str]:
    """Analytes a prescribed medication should show as but the screen found negative.

    `results` are (substance, result, confirmation). Only a tested negative counts (not "invalid",
    not an untested analyte); a lab confirmation that the drug was present clears it. A negative for a
    prescribed medication may mean it is not being taken, or is being diverted: a clinician reviews.
    """
    return sorted(
        substance
        for substance, result, confirmation in results
        if substance in prescribed and result == "negative" and confirmation != "confirmed_positive"
    )
