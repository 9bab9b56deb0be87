"""837P (005010X222A1) and 837I (005010X223A2) claim files from plain claim data.

No Django here: the service hands in dataclasses, so the builder is tested alone and every file it
writes is validated by pyx12 (`validate.problems`) before it leaves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import chain
from typing import Protocol

from bridge.billing.x12.writer import clean, interchange_segments

VERSION_837P = "005010X222A1"
VERSION_837I = "005010X223A2"
# SBR09 claim filing indicator by payer kind.
FILING = {"medicare": "MA", "medicaid": "MC", "commercial": "CI"}


@dataclass(frozen=True)
class Provider:
    name: str
    npi: str
    tax_id: str
    taxonomy: str
    address: str
    city: str
    state: str
    zip_code: str
    submitter_id: str
    contact_phone: str


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    date_of_birth: date
    address: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    gender: str = "U"


@dataclass(frozen=True)
class Line:
    service_date: date
    code: str
    modifiers: tuple[str, ...]
    revenue_code: str
    units: int
    amount: Decimal
    place_of_service: str


@dataclass
class ClaimData:
    number: str
    payer_name: str
    payer_id: str
    payer_kind: str
    member_id: str
    group_number: str
    relationship: str  # "18" self, else the participant is a dependant
    subscriber: Person
    patient: Person
    diagnosis: str
    lines: list[Line] = field(default_factory=list)
    condition_codes: tuple[str, ...] = ()
    type_of_bill: str = "0131"  # hospital outpatient, admit through discharge
    # CLM05-3: 1 original, 7 replacement, 8 void; a 7 or 8 names the payer's claim number (REF*F8).
    frequency: str = "1"
    original_reference: str = ""

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))


def _amount(value: Decimal) -> str:
    text = f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _address(person: Person, fallback: Provider) -> list[list[object]]:
    if person.address and person.city and person.state and person.zip_code:
        return [
            ["N3", clean(person.address, 55)],
            ["N4", clean(person.city, 30), person.state, person.zip_code],
        ]
    return [
        ["N3", clean(fallback.address, 55)],
        ["N4", clean(fallback.city, 30), fallback.state, fallback.zip_code],
    ]


def _header(provider: Provider, first: ClaimData, control: int, when: datetime) -> list[list[object]]:
    return [
        ["BHT", "0019", "00", f"B{control}", f"{when:%Y%m%d}", f"{when:%H%M}", "CH"],
        ["NM1", "41", 2, clean(provider.name, 60), "", "", "", "", "46", clean(provider.submitter_id, 80)],
        ["PER", "IC", "BILLING OFFICE", "TE", provider.contact_phone],
        ["NM1", "40", 2, clean(first.payer_name, 60), "", "", "", "", "46", clean(first.payer_id, 80)],
        ["HL", 1, "", 20, 1],
        ["PRV", "BI", "PXC", provider.taxonomy],
        ["NM1", "85", 2, clean(provider.name, 60), "", "", "", "", "XX", provider.npi],
        ["N3", clean(provider.address, 55)],
        ["N4", clean(provider.city, 30), provider.state, provider.zip_code],
        ["REF", "EI", provider.tax_id],
    ]


def _subscriber(claim: ClaimData, provider: Provider, hl: int, institutional: bool) -> list[list[object]]:
    dependant = claim.relationship != "18"
    s = claim.subscriber
    filing = FILING.get(claim.payer_kind, "CI")
    if not institutional and filing == "MA":
        filing = "MB"
    body: list[list[object]] = [
        ["HL", hl, 1, 22, 1 if dependant else 0],
        ["SBR", "P", "" if dependant else "18", clean(claim.group_number, 50), "", "", "", "", "", filing],
        [
            "NM1",
            "IL",
            1,
            clean(s.last_name, 60),
            clean(s.first_name, 35),
            "",
            "",
            "",
            "MI",
            clean(claim.member_id, 80),
        ],
    ]
    if not dependant:
        body += _address(s, provider)
        body.append(["DMG", "D8", f"{s.date_of_birth:%Y%m%d}", s.gender])
    body.append(
        ["NM1", "PR", 2, clean(claim.payer_name, 60), "", "", "", "", "PI", clean(claim.payer_id, 80)]
    )
    if dependant:
        p = claim.patient
        body += [
            ["HL", hl + 1, hl, 23, 0],
            ["PAT", claim.relationship if claim.relationship in ("01", "19") else "G8"],
            ["NM1", "QC", 1, clean(p.last_name, 60), clean(p.first_name, 35)],
            *_address(p, provider),
            ["DMG", "D8", f"{p.date_of_birth:%Y%m%d}", p.gender],
        ]
    return body


def _original_reference(claim: ClaimData) -> list[list[object]]:
    """REF*F8 (payer claim control number) for a replacement or void; none on an original."""
    if claim.frequency == "1":
        return []
    if not claim.original_reference:
        raise ValueError("A replacement or void claim needs the payer's original claim number")
    return [["REF", "F8", clean(claim.original_reference, 50)]]


def _professional(claim: ClaimData) -> list[list[object]]:
    pos = claim.lines[0].place_of_service if claim.lines else "57"
    body: list[list[object]] = [
        [
            "CLM",
            clean(claim.number, 20),
            _amount(claim.total),
            "",
            "",
            f"{pos}:B:{claim.frequency}",
            "Y",
            "A",
            "Y",
            "Y",
        ],
        *_original_reference(claim),
        ["HI", f"ABK:{claim.diagnosis}"],
    ]
    for i, line in enumerate(claim.lines, start=1):
        code = ":".join(["HC", line.code, *line.modifiers])
        body += [
            ["LX", i],
            ["SV1", code, _amount(line.amount), "UN", line.units, "", "", "1"],
            ["DTP", "472", "D8", f"{line.service_date:%Y%m%d}"],
        ]
    return body


def _institutional(claim: ClaimData, provider: Provider) -> list[list[object]]:
    tob = claim.type_of_bill.lstrip("0")
    first = min(line.service_date for line in claim.lines)
    last = max(line.service_date for line in claim.lines)
    body: list[list[object]] = [
        [
            "CLM",
            clean(claim.number, 20),
            _amount(claim.total),
            "",
            "",
            f"{tob[:2]}:A:{claim.frequency}",
            "",
            "A",
            "Y",
            "Y",
        ],
        ["DTP", "434", "RD8", f"{first:%Y%m%d}-{last:%Y%m%d}"],
        ["CL1", "", "", "01"],
        *_original_reference(claim),
        ["HI", f"ABK:{claim.diagnosis}"],
    ]
    if claim.condition_codes:
        body.append(["HI", *[f"BG:{code}" for code in claim.condition_codes]])
    body.append(
        [
            "NM1",
            "71",
            1,
            clean(provider.name, 60)[:35] or "ATTENDING",
            "PROVIDER",
            "",
            "",
            "",
            "XX",
            provider.npi,
        ]
    )
    for i, line in enumerate(claim.lines, start=1):
        code = ":".join(["HC", line.code, *line.modifiers])
        body += [
            ["LX", i],
            ["SV2", line.revenue_code, code, _amount(line.amount), "UN", line.units],
            ["DTP", "472", "D8", f"{line.service_date:%Y%m%d}"],
        ]
    return body


def segments_837(
    *, provider: Provider, claims: Iterable[ClaimData], institutional: bool, control: int, when: datetime
) -> Iterator[str]:
    """One 837 interchange for `claims` (all to one payer), professional or institutional, as segment
    strings one at a time. `claims` may be a generator: each claim is read, written and let go, so the
    memory used does not grow with the size of the batch."""
    claims = iter(claims)
    first = next(claims, None)
    if first is None:
        raise ValueError("No claims to write")

    def body() -> Iterator[list[object]]:
        yield from _header(provider, first, control, when)
        hl = 2
        for claim in chain([first], claims):
            yield from _subscriber(claim, provider, hl, institutional)
            hl += 2 if claim.relationship != "18" else 1
            yield from _institutional(claim, provider) if institutional else _professional(claim)

    return interchange_segments(
        sender=provider.submitter_id,
        receiver=first.payer_id,
        functional_id="HC",
        version=VERSION_837I if institutional else VERSION_837P,
        transaction="837",
        control=control,
        body=body(),
        when=when,
    )


class Writable(Protocol):
    def write(self, s: str, /) -> int: ...


def write_837(out: Writable, **kwargs) -> int:
    """Stream an 837 (the arguments of `segments_837`) to the open text file `out`, segment by
    segment; returns the number of characters written."""
    written = 0
    for seg in segments_837(**kwargs):
        written += out.write(seg)
    return written


def build_837(
    *, provider: Provider, claims: Iterable[ClaimData], institutional: bool, control: int, when: datetime
) -> str:
    """One 837 interchange for `claims` as a string (small batches, tests); files use `write_837`."""
    return "".join(
        segments_837(
            provider=provider, claims=claims, institutional=institutional, control=control, when=when
        )
    )
