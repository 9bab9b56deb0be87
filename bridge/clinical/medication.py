"""Medication-assisted treatment: the drug catalogue and the safety checks at ordering.

Plain Python, no Django, so the rules are testable on their own and readable in one place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

# A naltrexone order needs the person opioid-free: no opioid in a screen this recent.
NALTREXONE_OPIOID_FREE_DAYS = 14
# The prescription-monitoring (PDMP) check window when a program sets none: California's CURES rule
# (a check within 24 hours before the first controlled-substance prescription, then at least every
# 6 months while it continues). Programs set their own state's rule (clinical.PdmpSetting).
PDMP_WINDOW_HOURS = 24
PDMP_RECHECK_DAYS = 180
# A check time a little ahead of the server's clock (a workstation's clock, a form filled in the
# same minute) is accepted; anything later is a check that has not happened yet.
PDMP_CLOCK_SLACK = timedelta(minutes=5)

CATALOGUE_PATH = Path(__file__).parent / "data" / "drugs.json"


@dataclass(frozen=True)
class DoseRange:
    usual_low: Decimal
    usual_high: Decimal
    maximum: Decimal


@dataclass(frozen=True)
class Drug:
    code: str
    label: str
    routes: tuple[str, ...]
    rxnorm: str | None = None
    rxnorm_name: str = ""
    purpose: str = ""
    controlled: str = ""  # DEA schedule ("CII", "CIII"), "" when not controlled
    opioid_agonist: bool = False  # buprenorphine, methadone: blocks naltrexone
    naltrexone: bool = False
    naloxone_kit: bool = False
    record_only: bool = False  # methadone for OUD: dispensed by an OTP, recorded, never ordered here
    injectable: bool = False
    dose_interval_days: int | None = None  # in-clinic injections: days until the next dose is due
    min_interval_days: int | None = None  # an earlier injection warns and needs a reason
    sites: tuple[str, ...] = ()  # valid injection sites
    detected_as: str = ""  # the drug-screen analyte it shows up as (an expected positive)
    forms: tuple[str, ...] = ()
    doses: dict[tuple[str, str], DoseRange] = field(default_factory=dict)  # (route, frequency) -> range
    verify: bool = False

    @property
    def needs_pdmp(self) -> bool:
        return bool(self.controlled)

    def frequencies(self, route: str) -> tuple[str, ...]:
        return tuple(f for (r, f) in self.doses if r == route)


def _load() -> tuple[dict[str, Drug], dict[str, str]]:
    data = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    drugs: dict[str, Drug] = {}
    for row in data["drugs"]:
        doses = {
            (route, freq): DoseRange(
                Decimal(str(r["usual"][0])), Decimal(str(r["usual"][1])), Decimal(str(r["max"]))
            )
            for route, by_freq in row["routes"].items()
            for freq, r in by_freq.items()
        }
        injection = row.get("injection") or {}
        drugs[row["code"]] = Drug(
            code=row["code"],
            label=row["label"],
            routes=tuple(row["routes"]),
            rxnorm=row.get("rxnorm"),
            rxnorm_name=row.get("rxnorm_name", ""),
            purpose=row.get("purpose", ""),
            controlled=row.get("controlled", ""),
            opioid_agonist=row.get("opioid_agonist", False),
            naltrexone=row.get("naltrexone", False),
            naloxone_kit=row.get("naloxone_kit", False),
            record_only=row.get("record_only", False),
            injectable=bool(injection),
            dose_interval_days=injection.get("interval_days"),
            min_interval_days=injection.get("min_interval_days"),
            sites=tuple(injection.get("sites", ())),
            detected_as=row.get("detected_as", ""),
            forms=tuple(row.get("forms", ())),
            doses=doses,
            verify=row.get("verify", False),
        )
    return drugs, data["frequencies"]


DRUGS, FREQUENCIES = _load()
# Buprenorphine in every form (methadone is recorded from an OTP, never ordered here).
OPIOID_AGONISTS = tuple(code for code, drug in DRUGS.items() if drug.opioid_agonist)
DRUG_CHOICES = [(d.code, d.label) for d in DRUGS.values()]
FREQUENCY_CHOICES = list(FREQUENCIES.items())
ROUTE_CHOICES = [
    ("sublingual", "Sublingual"),
    ("buccal", "Buccal"),
    ("oral", "By mouth"),
    ("subcutaneous", "Subcutaneous injection"),
    ("intramuscular", "Intramuscular injection"),
    ("intranasal", "Nasal spray"),
]
METHADONE_ANALYTE = "MTD"


@dataclass(frozen=True)
class OrderFacts:
    """What the checks need to know about the participant when an order is placed."""

    today: date
    # When the order is written (the prescription the PDMP rule counts back from); noon of `today`
    # when not given.
    now: datetime | None = None
    active_drugs: tuple[str, ...] = ()  # codes of active orders
    on_methadone: bool = False  # an active enrolment at an opioid treatment program
    # (collected_on, analyte) of positive, not-disproved results in recent screens
    opioid_positives: tuple[tuple[date, str], ...] = ()
    # The program's PDMP rule (by state), and whether a controlled substance was prescribed before.
    pdmp_window_hours: int = PDMP_WINDOW_HOURS
    pdmp_recheck_days: int = PDMP_RECHECK_DAYS
    controlled_before: bool = False


AGONIST_OVERLAP_ORDER = (
    "The participant receives methadone from an opioid treatment program. {drug} alongside it is given "
    "only in a planned switch (a cross-taper or a low-dose start) agreed with that program, as "
    "buprenorphine can bring on withdrawal: give that reason to place the order."
)
AGONIST_OVERLAP_OTP = (
    "The participant has an active {drugs} order. Methadone alongside it is given only in a planned switch "
    "agreed with the prescriber, as buprenorphine can bring on withdrawal: review the order, or give the "
    "reason to record the program."
)


def order_problems(
    drug_code: str,
    route: str,
    pdmp_checked_at: datetime | None,
    facts: OrderFacts,
    start_on: date | None = None,
    *,
    dose: Decimal | None = None,
    frequency: str | None = None,
    unusual_dose_reason: str = "",
    agonist_overlap_reason: str = "",
) -> dict[str, str]:
    """Field -> reason for every rule the order breaks; empty when it may be placed.

    An opioid agonist (buprenorphine) for someone who receives methadone from an opioid treatment
    program needs a reason (`agonist_overlap_reason`): the two together are given only in a planned
    switch agreed with the program; otherwise buprenorphine can bring on withdrawal.

    A dose above the catalogue's maximum is refused; outside the usual range it needs a reason
    (`unusual_dose_reason`); a route or frequency the drug is not given by is refused. The PDMP check
    (a moment, not a day) must fall within the program's window before the first
    controlled-substance prescription (default 24 hours, California's CURES rule), and within its
    recheck interval after that.
    """
    start_on = start_on or facts.today
    problems: dict[str, str] = {}
    drug = DRUGS.get(drug_code)
    if drug is None:
        return {"drug": "Choose a medication from the list."}
    if drug.record_only:
        return {
            "drug": f"{drug.label}: methadone for opioid use disorder is dispensed only by an opioid "
            "treatment program. Record the program under Medications → Opioid treatment program instead."
        }
    if route not in drug.routes:
        ways = " or ".join(dict(ROUTE_CHOICES).get(r, r).lower() for r in drug.routes)
        problems["route"] = f"{drug.label} is not given that way: it is given {ways}. The order is refused."
    elif frequency is not None or dose is not None:
        problems.update(dose_problems(drug, route, frequency or "", dose, unusual_dose_reason))
    if drug.code in facts.active_drugs:
        problems["drug"] = f"There is already an active {drug.label} order; change its dose instead."
    if drug.opioid_agonist and facts.on_methadone and not agonist_overlap_reason.strip():
        problems["agonist_overlap_reason"] = AGONIST_OVERLAP_ORDER.format(drug=drug.label)
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
        pdmp = pdmp_problem(pdmp_checked_at, facts, start_on)
        if pdmp:
            problems["pdmp_checked_at"] = pdmp
    return problems


def pdmp_problem(pdmp_checked_at: datetime | None, facts: OrderFacts, start_on: date | None = None) -> str:
    """Why the PDMP check does not cover a controlled-substance order ("" if it does).

    The window counts back, in hours, from when the prescription is written: now (`facts.now`), or
    for an order recorded after the fact (starting before today) its start day, whose hour is not
    known (the check may fall any time that day, or within the window before it). A check the
    evening before counts for a 24-hour rule; one two mornings before does not.
    """
    if pdmp_checked_at is None:
        return (
            "Check the prescription-monitoring program (PDMP) first and give the date and time of the check."
        )
    now = facts.now or datetime.combine(facts.today, time(12), tzinfo=pdmp_checked_at.tzinfo)
    if pdmp_checked_at.tzinfo is None and now.tzinfo is not None:
        pdmp_checked_at = pdmp_checked_at.replace(tzinfo=now.tzinfo)
    start_on = start_on or facts.today
    if start_on < facts.today:  # recorded after the fact: the prescription was written that day
        earliest_ref = datetime.combine(start_on, time(0), tzinfo=now.tzinfo)
        latest = datetime.combine(start_on + timedelta(days=1), time(0), tzinfo=now.tzinfo)
    else:
        earliest_ref, latest = now, now + PDMP_CLOCK_SLACK
    if pdmp_checked_at > now + PDMP_CLOCK_SLACK:
        return "The PDMP check time cannot be in the future."
    if pdmp_checked_at >= latest:
        return "The PDMP check comes before the prescription is written."
    age = earliest_ref - pdmp_checked_at
    if facts.controlled_before:
        if age > timedelta(days=facts.pdmp_recheck_days):
            return (
                f"The PDMP check is more than {facts.pdmp_recheck_days} days old; check again (the "
                "program's rule for continuing controlled-substance treatment)."
            )
        return ""
    if age > timedelta(hours=facts.pdmp_window_hours):
        hours = int(age.total_seconds() // 3600)
        return (
            f"This is the first controlled-substance prescription: the PDMP must be checked within "
            f"{facts.pdmp_window_hours} hours before it (the program's rule); this check was {hours} hours "
            "before it. Check again."
        )
    return ""


def dose_problems(
    drug: Drug, route: str, frequency: str, dose: Decimal | None, unusual_dose_reason: str = ""
) -> dict[str, str]:
    """The dose rails: frequency valid for the route, at most the maximum, a reason outside the usual."""
    freqs = drug.frequencies(route)
    if frequency not in freqs:
        allowed = ", ".join(FREQUENCIES[f].lower() for f in freqs)
        return {"frequency": f"{drug.label} by this route is given {allowed}. The order is refused."}
    if dose is None:
        return {}
    rng = drug.doses[(route, frequency)]
    what = f"{drug.label}, {FREQUENCIES[frequency].lower()}"
    if dose > rng.maximum:
        return {
            "dose": f"{mg_text(dose)} mg is above the maximum of {mg_text(rng.maximum)} mg per dose "
            f"for {what}. The order is refused."
        }
    if not rng.usual_low <= dose <= rng.usual_high and not unusual_dose_reason.strip():
        return {
            "unusual_dose_reason": f"{mg_text(dose)} mg is outside the usual "
            f"{mg_text(rng.usual_low)}-{mg_text(rng.usual_high)} mg per dose for {what}. "
            "Confirm with the reason to go ahead."
        }
    return {}


def dose_is_unusual(drug_code: str, route: str, frequency: str, dose: Decimal) -> bool:
    drug = DRUGS.get(drug_code)
    rng = drug.doses.get((route, frequency)) if drug else None
    return rng is not None and not rng.usual_low <= dose <= rng.usual_high


def mg_text(value: Decimal) -> str:
    """A dose in milligrams as people write it: 16, 0.5, 1200 (no trailing zeros)."""
    return f"{value.normalize():f}"


def injection_warnings(
    drug_code: str, site: str, given_on: date, last_given_on: date | None
) -> dict[str, str]:
    """Field -> warning for an injection given earlier than the minimum interval or at an invalid site.

    These need a reason to go ahead (a clinical judgement), unlike the order rails, which refuse.
    """
    drug = DRUGS.get(drug_code)
    if drug is None or not drug.injectable:
        return {}
    warnings: dict[str, str] = {}
    if last_given_on is not None and drug.min_interval_days is not None:
        days = (given_on - last_given_on).days
        if days < drug.min_interval_days:
            warnings["given_at"] = (
                f"Only {days} days since the last dose ({last_given_on:%Y-%m-%d}); {drug.label} needs at "
                f"least {drug.min_interval_days} days between doses. Give the reason to go ahead."
            )
    if drug.sites and site not in drug.sites:
        allowed = ", ".join(s.replace("_", " ") for s in drug.sites)
        warnings["site"] = f"{drug.label} is injected in: {allowed}. Give the reason for another site."
    return warnings


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
