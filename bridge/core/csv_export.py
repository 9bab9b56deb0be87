"""The one CSV writer every Bridge export uses: it neutralises spreadsheet formulas.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
Excel, LibreOffice and Google Sheets (OWASP, "CSV Injection"). Any text reaching an export can come
from outside (a participant's name, a FHIR client's resource id in the audit log), so every text
cell that starts with one of them is prefixed with a single quote, which spreadsheets show as text.
Numbers are written as numbers (a negative number is not text and is safe).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer's `writerow`/`writerows`, every cell through `safe_cell`."""

    def __init__(self, out: SupportsWrite[str], **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: SupportsWrite[str], **kwargs: Any) -> SafeWriter:
    return SafeWriter(out, **kwargs)
