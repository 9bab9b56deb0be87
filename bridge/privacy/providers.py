"""Data-class providers: how a disclosure finds a participant's records of one kind.

Each app that holds participant records defines `privacy_providers.py` with

    PROVIDERS: dict[str, Provider]   # DataClass value -> function

where a provider is `provider(participant, date_from, date_to) -> Iterable[Record]`: that participant's
records of the class dated within the range (inclusive; records without a date, such as contact
details, are given as they are now). Apps are discovered like the other extension points in
`bridge/core/panels.py`. Several apps may provide the same class; a class nobody provides (yet) yields
an empty section, never an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bridge.core.registry import discover
from bridge.privacy.vocab import DataClass


@dataclass(frozen=True)
class Record:
    """One record as a disclosure shows it: a title and fields for people, a FHIR resource for machines."""

    data_class: str
    object_type: str
    object_id: str
    title: str
    when: date | None = None
    lines: tuple[tuple[str, str], ...] = ()
    resource: dict[str, Any] | None = field(default=None, compare=False)

    def ref(self) -> dict[str, str]:
        return {"data_class": self.data_class, "type": self.object_type, "id": self.object_id}


Provider = Callable[[Any, date, date], Iterable[Record]]


def registry() -> dict[str, list[Provider]]:
    found: dict[str, list[Provider]] = {}
    for providers in discover("privacy_providers", "PROVIDERS"):
        for data_class, provider in providers.items():
            if data_class not in DataClass.values:
                raise ValueError(f"{provider!r} provides unknown data class {data_class!r}")
            found.setdefault(data_class, []).append(provider)
    return found


def records_for(data_class: str, participant, date_from: date, date_to: date) -> list[Record]:
    """Every record of `data_class` for `participant` in the range, from every provider of the class."""
    records: list[Record] = []
    for provider in registry().get(data_class, []):
        for record in provider(participant, date_from, date_to):
            if record.data_class != data_class:
                raise ValueError(f"{provider!r} returned a {record.data_class} record for {data_class}")
            records.append(record)
    return records
