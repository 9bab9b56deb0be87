"""ICD-10-CM codes for treatment-plan problems: a format check and a small curated table.

Plain Python, no Django. The table (`data/icd10_cm.csv`) holds the substance-use codes F10-F19 a
program uses most and common co-occurring conditions (depression, anxiety, PTSD, ...). It is a
convenience, not the code set: any well-formed code is accepted, with the clinician's description.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# A letter, a digit, a digit or letter (C4A, Z3A), then optionally a dot and 1-4 letters/digits.
CODE_FORMAT = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
_TABLE = Path(__file__).with_name("data") / "icd10_cm.csv"


@dataclass(frozen=True)
class Icd10Code:
    code: str
    description: str
    group: str  # "substance" or "co-occurring"

    @property
    def is_substance_use(self) -> bool:
        return self.code[:3] in {f"F{n}" for n in range(10, 20)}


def normalize(code: str) -> str:
    """Upper-case, trimmed, with the dot put back when typed without one ("f1120" -> "F11.20")."""
    code = (code or "").strip().upper().replace(" ", "")
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def is_well_formed(code: str) -> bool:
    return bool(CODE_FORMAT.match(code))


@cache
def curated() -> dict[str, Icd10Code]:
    with _TABLE.open(newline="", encoding="utf-8") as handle:
        return {
            row["code"]: Icd10Code(row["code"], row["description"], row["group"])
            for row in csv.DictReader(handle)
        }


def lookup(code: str) -> Icd10Code | None:
    return curated().get(normalize(code))
