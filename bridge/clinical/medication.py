"""Medication-assisted treatment: the drug catalogue and the safety checks at ordering.

Plain Python, no Django, so the rules are testable on their own and readable in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# A naltrexone order needs the person opioid-free: no opioid in a screen this recent.
NALTREXONE_OPIOID_FREE_DAYS = 14
# A buprenorphine order needs a prescription-monitoring (PDMP) check this recent.
PDMP_MAX_AGE_DAYS = 7


@dataclass(frozen=True)
class Drug:
    code: str
    label: str
    routes: tuple[str, ...]
    opioid_agonist: bool = False  # buprenorphine, methadone: blocks naltrexone
    naltrexone: bool = False
    needs_pdmp: bool = False
    injectable: bool = False
    dose_interval_days: int | None = None  # in-clinic injections: days until the next dose is due
    detected_as: str = ""  # the drug-screen analyte it shows up as (an expected positive)


DRUGS: dict[str, Drug] = {
    d.code: d
    for d in (
        Drug(
            "buprenorphine",
            "Buprenorphine or buprenorphine/naloxone (sublingual)",
            ("sublingual", "buccal"),
            opioid_agonist=True,
            needs_pdmp=True,
            detected_as="BUP",
        ),
        Drug(
            "buprenorphine_er",
            "Buprenorphine extended-release injection",
            ("subcutaneous",),
            opioid_agonist=True,
            needs_pdmp=True,
            injectable=True,
            dose_interval_days=28,
            detected_as="BUP",
        ),
        Drug("naltrexone", "Naltrexone (oral)", ("oral",), naltrexone=True),
        Drug(
            "naltrexone_xr",
            "Naltrexone extended-release injection",
            ("intramuscular",),
            naltrexone=True,
            injectable=True,
            dose_interval_days=28,
        ),
        Drug("acamprosate", "Acamprosate", ("oral",)),
        Drug("disulfiram", "Disulfiram", ("oral",)),
    )
}
DRUG_CHOICES = [(d.code, d.label) for d in DRUGS.values()]
ROUTE_CHOICES = [
    ("sublingual", "Sublingual"),
    ("buccal", "Buccal"),
    ("oral", "By mouth"),
    ("subcutaneous", "Subcutaneous injection"),
    ("intramuscular", "Intramuscular injection"),
]
METHADONE_ANALYTE = "MTD"


@dataclass(frozen=True)
class OrderFacts:
    """What the checks need to know about the participant when an order is placed."""

    today: date
    active_drugs: tuple[str, ...] = ()  # codes of active orders
    on_methadone: bool = False  # an active enrolment at an opioid treatment program
    # (collected_on, analyte) of positive, not-disproved results in recent screens
    opioid_positives: tuple[tuple[date, str], ...] = ()


def order_problems(
    drug_code: str, route: str, pdmp_checked_on: date | None, facts: OrderFacts, start_on: date | None = None
) -> dict[str, str]:
    """Field -> reason for every rule the order breaks; empty when it may be placed.

    The PDMP check must fall within PDMP_MAX_AGE_DAYS before the order starts (today by default).
    """
    start_on = start_on or facts.today
    problems: dict[str, str] = {}
    drug = DRUGS.get(drug_code)
    if drug is None:
        return {"drug": "Choose a medication from the list."}
    if route not in drug.routes:
        problems["route"] = f"{drug.label} is given by {' or '.join(drug.routes)}."
    if drug.code in facts.active_drugs:
        problems["drug"] = f"There is already an active {drug.label} order; change its dose instead."
    if drug.naltrexone:
        blockers = [DRUGS[c].label for c in facts.active_drugs if DRUGS.get(c) and DRUGS[c].opioid_agonist]
        if facts.on_methadone:
            blockers.append("methadone from an opioid treatment program")
        if blockers:
            problems["drug"] = (
                f"Naltrexone is blocked: the participant has an active opioid order ({', '.join(blockers)}); "
                "naltrexone would bring on withdrawal."
            )
        else:
            since = facts.today - timedelta(days=NALTREXONE_OPIOID_FREE_DAYS)
            recent = sorted((d, a) for d, a in facts.opioid_positives if d >= since)
            if recent:
                when, analyte = recent[-1]
                problems["drug"] = (
                    f"Naltrexone is blocked: the drug screen of {when:%Y-%m-%d} was positive for an opioid "
                    f"({analyte}) within the last {NALTREXONE_OPIOID_FREE_DAYS} days."
                )
    if drug.needs_pdmp:
        if pdmp_checked_on is None:
            problems["pdmp_checked_on"] = (
                "Check the prescription-monitoring program (PDMP) first and give the date."
            )
        elif pdmp_checked_on > facts.today:
            problems["pdmp_checked_on"] = "The PDMP check date cannot be in the future."
        elif (start_on - pdmp_checked_on).days > PDMP_MAX_AGE_DAYS:
            problems["pdmp_checked_on"] = (
                f"The PDMP check is more than {PDMP_MAX_AGE_DAYS} days before the order starts; check again."
            )
    return problems


def expected_analytes(active_drugs: Iterable[str], on_methadone: bool) -> set[str]:
    found = {DRUGS[c].detected_as for c in active_drugs if c in DRUGS and DRUGS[c].detected_as}
    if on_methadone:
        found.add(METHADONE_ANALYTE)
    return found


def next_dose_due(drug_code: str, given_on: date) -> date | None:
    drug = DRUGS.get(drug_code)
    if drug is None or drug.dose_interval_days is None:
        return None
    return given_on + timedelta(days=drug.dose_interval_days)
