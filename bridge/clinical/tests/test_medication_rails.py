"""The medication catalogue and its rails, one table row per rule (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bridge.clinical import medication
from bridge.clinical.medication import DRUGS, OrderFacts, injection_warnings, order_problems

TODAY = date(2026, 3, 2)
CLEAN = OrderFacts(today=TODAY)

REQUIRED = {
    "buprenorphine",
    "buprenorphine_naloxone",
    "buprenorphine_er",
    "naltrexone",
    "naltrexone_xr",
    "acamprosate",
    "disulfiram",
    "methadone",
    "naloxone",
    "sertraline",
    "fluoxetine",
    "escitalopram",
    "citalopram",
    "venlafaxine",
    "duloxetine",
    "gabapentin",
    "hydroxyzine",
    "trazodone",
    "clonidine",
    "lofexidine",
}


def test_the_catalogue_covers_every_required_drug_with_rxnorm_routes_and_doses():
    assert set(DRUGS) >= REQUIRED
    for drug in DRUGS.values():
        assert drug.rxnorm or drug.verify, f"{drug.code}: an RxNorm code, or marked to verify"
        assert drug.routes and drug.doses and drug.forms
        for rng in drug.doses.values():
            assert 0 < rng.usual_low <= rng.usual_high <= rng.maximum
        if drug.injectable:
            assert drug.min_interval_days and drug.sites and drug.dose_interval_days


# (drug, route, frequency, dose, unusual reason) -> the field refused, or None when it may be placed
ROWS = [
    ("naltrexone", "oral", "daily", "5000", "", "dose"),
    ("naltrexone", "oral", "daily", "50", "", None),
    ("naltrexone", "oral", "daily", "100", "", "unusual_dose_reason"),
    ("naltrexone", "oral", "daily", "100", "Heavy drinker, 50 mg not enough after 8 weeks", None),
    ("naltrexone", "intramuscular", "daily", "50", "", "route"),
    ("naltrexone", "oral", "weekly", "50", "", "frequency"),
    ("naltrexone_xr", "intramuscular", "monthly", "380", "", None),
    ("naltrexone_xr", "intramuscular", "monthly", "760", "", "dose"),
    ("acamprosate", "oral", "tid", "666", "", None),
    ("acamprosate", "oral", "daily", "666", "", "frequency"),
    ("disulfiram", "oral", "daily", "1000", "", "dose"),
    ("sertraline", "oral", "daily", "250", "", "dose"),
    ("clonidine", "oral", "tid", "0.1", "", None),
    ("clonidine", "oral", "tid", "0.4", "", "dose"),
    ("lofexidine", "oral", "qid", "0.54", "", None),
    ("naloxone", "intranasal", "prn", "4", "", None),
    ("naloxone", "oral", "prn", "4", "", "route"),
    ("methadone", "oral", "daily", "80", "", "drug"),  # recorded from the OTP, never ordered here
]


@pytest.mark.parametrize(("drug", "route", "frequency", "dose", "why", "refused"), ROWS)
def test_the_dose_and_route_rails(drug, route, frequency, dose, why, refused):
    problems = order_problems(
        drug, route, None, CLEAN, dose=Decimal(dose), frequency=frequency, unusual_dose_reason=why
    )
    problems.pop("pdmp_checked_on", None)
    if refused is None:
        assert problems == {}
    else:
        assert list(problems) == [refused], problems


def test_the_5000_mg_naltrexone_message_says_why():
    problems = order_problems("naltrexone", "oral", None, CLEAN, dose=Decimal("5000"), frequency="daily")
    assert problems["dose"] == (
        "5000 mg is above the maximum of 100 mg per dose for Naltrexone (oral), once a day. "
        "The order is refused."
    )


@pytest.mark.parametrize(
    ("checked", "before", "window", "ok"),
    [
        (date(2026, 3, 2), False, 24, True),
        (date(2026, 3, 1), False, 24, True),
        (date(2026, 2, 28), False, 24, False),
        (date(2026, 2, 25), False, 168, True),  # a state with a 7-day window
        (date(2026, 1, 1), True, 24, True),  # continuing treatment: within the recheck interval
        (date(2025, 8, 1), True, 24, False),
        (None, False, 24, False),
    ],
)
def test_the_pdmp_window_is_the_programs_rule(checked, before, window, ok):
    facts = OrderFacts(today=TODAY, pdmp_window_hours=window, controlled_before=before)
    problem = medication.pdmp_problem(checked, facts, TODAY)
    assert (problem == "") is ok, problem


@pytest.mark.parametrize(
    ("drug", "site", "last", "fields"),
    [
        ("naltrexone_xr", "gluteal_left", date(2026, 2, 1), set()),
        ("naltrexone_xr", "gluteal_left", date(2026, 2, 20), {"given_at"}),
        ("naltrexone_xr", "arm_left", date(2026, 2, 1), {"site"}),
        ("buprenorphine_er", "thigh_left", date(2026, 2, 25), {"given_at", "site"}),
        ("buprenorphine_er", "abdomen_right", None, set()),
        ("naltrexone", "arm_left", date(2026, 3, 1), set()),  # not an injection
    ],
)
def test_injection_interval_and_site_warnings(drug, site, last, fields):
    assert set(injection_warnings(drug, site, TODAY, last)) == fields
