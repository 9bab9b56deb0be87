"""The medication catalogue and its rails, one table row per rule (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
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
    "brixadi_weekly",
    "brixadi_monthly",
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


def test_every_rxnorm_code_names_its_source_and_every_missing_one_says_why():
    """A code is kept only with the public source it was checked against; else null, marked, with a reason."""
    import json

    from bridge.clinical.medication import CATALOGUE_PATH

    rows = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))["drugs"]
    for row in rows:
        if row["rxnorm"] is not None:
            assert row.get("rxnorm_source") and not row.get("verify"), row["code"]
            assert row["rxnorm"].isdigit(), row["code"]
        else:
            assert row.get("verify") and row.get("rxnorm_note"), row["code"]
    checked = {row["code"]: row["rxnorm"] for row in rows if row["rxnorm"]}
    assert (checked["buprenorphine"], checked["methadone"], checked["naloxone"]) == ("1819", "6813", "7242")
    # Ingredient codes read in CPIC's drug table (cpicpgx/cpic-schema drug.sql); each source quotes its row.
    cpic = {
        "naltrexone": "7243",
        "naltrexone_xr": "7243",
        "sertraline": "36437",
        "fluoxetine": "4493",
        "escitalopram": "321988",
        "citalopram": "2556",
        "venlafaxine": "39786",
        "duloxetine": "72625",
    }
    for code, rxcui in cpic.items():
        row = next(r for r in rows if r["code"] == code)
        assert checked[code] == rxcui
        assert f"RxNorm:{rxcui}\\t{row['rxnorm_name']}" in row["rxnorm_source"], code
    # No source named the combination's multiple-ingredient concept: it stays unset, and says so.
    combination = next(r for r in rows if r["code"] == "buprenorphine_naloxone")
    assert combination["rxnorm"] is None and "MIN" in combination["rxnorm_note"]


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
    # Brixadi: weekly 8-32 mg, monthly 64-128 mg, under the skin only.
    ("brixadi_weekly", "subcutaneous", "weekly", "24", "", None),
    ("brixadi_weekly", "subcutaneous", "weekly", "64", "", "dose"),
    ("brixadi_weekly", "subcutaneous", "monthly", "24", "", "frequency"),
    ("brixadi_weekly", "intramuscular", "weekly", "24", "", "route"),
    ("brixadi_monthly", "subcutaneous", "monthly", "96", "", None),
    ("brixadi_monthly", "subcutaneous", "monthly", "160", "", "dose"),
    ("brixadi_monthly", "subcutaneous", "monthly", "32", "", "unusual_dose_reason"),
    ("buprenorphine_er", "subcutaneous", "monthly", "300", "", None),
    # Ten times the usual dose, a wrong route, a blank reason: each refused.
    ("buprenorphine", "sublingual", "daily", "160", "", "dose"),
    ("buprenorphine", "sublingual", "daily", "160", "Patient asked", "dose"),  # a reason never lifts the max
    ("naltrexone", "oral", "daily", "500", "", "dose"),
    ("naltrexone_xr", "intramuscular", "monthly", "3800", "", "dose"),
    ("buprenorphine_er", "subcutaneous", "monthly", "3000", "", "dose"),
    ("buprenorphine", "intravenous", "daily", "16", "", "route"),
    ("buprenorphine_er", "intravenous", "monthly", "300", "", "route"),  # never intravenous (FDA boxed)
    ("naltrexone", "oral", "daily", "100", "   ", "unusual_dose_reason"),
]


@pytest.mark.parametrize(("drug", "route", "frequency", "dose", "why", "refused"), ROWS)
def test_the_dose_and_route_rails(drug, route, frequency, dose, why, refused):
    problems = order_problems(
        drug, route, None, CLEAN, dose=Decimal(dose), frequency=frequency, unusual_dose_reason=why
    )
    problems.pop("pdmp_checked_at", None)
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


NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # the order is written now


def _ago(**delta):
    return NOW - timedelta(**delta)


@pytest.mark.parametrize(
    ("checked", "before", "window", "start", "ok"),
    [
        (_ago(minutes=10), False, 24, TODAY, True),
        (_ago(hours=17), False, 24, TODAY, True),  # the afternoon before
        (_ago(hours=23, minutes=59), False, 24, TODAY, True),
        (_ago(hours=24, minutes=1), False, 24, TODAY, False),  # a date alone could not tell these apart
        (_ago(hours=26), False, 24, TODAY, False),
        (_ago(days=5), False, 168, TODAY, True),  # a state with a 7-day window
        (_ago(days=8), False, 168, TODAY, False),
        (NOW + timedelta(minutes=2), False, 24, TODAY, True),  # clocks a minute or two apart
        (NOW + timedelta(hours=2), False, 24, TODAY, False),  # a check still to come
        (_ago(days=60), True, 24, TODAY, True),  # continuing treatment: within the recheck interval
        (_ago(days=181), True, 24, TODAY, False),
        # Recorded after the fact: an order that started on Feb 20, checked the evening before it.
        (datetime(2026, 2, 19, 18, 0, tzinfo=UTC), False, 24, date(2026, 2, 20), True),
        (datetime(2026, 2, 18, 18, 0, tzinfo=UTC), False, 24, date(2026, 2, 20), False),
        (datetime(2026, 2, 21, 9, 0, tzinfo=UTC), False, 24, date(2026, 2, 20), False),  # after
        (None, False, 24, TODAY, False),
    ],
)
def test_the_pdmp_window_is_the_programs_rule_in_hours(checked, before, window, start, ok):
    facts = OrderFacts(today=TODAY, now=NOW, pdmp_window_hours=window, controlled_before=before)
    problem = medication.pdmp_problem(checked, facts, start)
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
        ("brixadi_weekly", "arm_left", date(2026, 2, 23), set()),  # a week on, upper arm: fine
        ("brixadi_weekly", "thigh_right", date(2026, 2, 25), set()),  # 2 days early is allowed
        ("brixadi_weekly", "arm_left", date(2026, 2, 26), {"given_at"}),  # 4 days after the last
        ("brixadi_monthly", "gluteal_left", date(2026, 2, 6), set()),  # 24 days: within the week early
        ("brixadi_monthly", "gluteal_left", date(2026, 2, 12), {"given_at"}),
    ],
)
def test_injection_interval_and_site_warnings(drug, site, last, fields):
    assert set(injection_warnings(drug, site, TODAY, last)) == fields


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("0", "A dose is more than 0 mg."),
        ("-5", "A dose is more than 0 mg."),
        ("1e9", "That is not a dose: check the number of milligrams."),
        ("12a", "Enter the dose as a number of milligrams, for example 16 or 0.5."),
        ("0.125", "Give the dose to two decimal places at most, for example 0.25."),
    ],
)
def test_a_dose_that_cannot_be_one_is_refused_in_plain_words(typed, said):
    from bridge.clinical.forms import AdministrationForm, DoseChangeForm, OrderForm

    for form_class in (OrderForm, DoseChangeForm, AdministrationForm):
        form = form_class({"dose": typed})
        assert not form.is_valid() and form.errors["dose"] == [said], form_class
