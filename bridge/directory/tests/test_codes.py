"""The code table and the aliases between code generations and label wordings (pure, no database)."""

from __future__ import annotations

import pytest

from bridge.directory.codes import codebook


@pytest.mark.parametrize(
    ("raw", "section", "expected"),
    [
        ("IOP", None, "IOP"),
        ("OIT", None, "IOP"),  # N-SSATS legends up to 2021
        ("oit", None, "IOP"),
        ("SF", None, "CASH"),
        ("AH", None, "ASL"),
        ("CHLD", None, "CH_AD"),
        ("MI", "payment_funding_accepted", "TRICARE"),  # military insurance in old payment lists
        ("MI", "treatment_approaches", "MI"),  # motivational interviewing today
        ("mPREP", None, "mPREP"),
        ("NOPE", None, None),
    ],
)
def test_codes_of_every_generation_map_to_todays_code(raw, section, expected):
    assert codebook().resolve_code(raw, section) == expected


@pytest.mark.parametrize(
    ("label", "sections", "previous", "expected"),
    [
        ("Intensive outpatient treatment", (), None, "IOP"),
        ("  intensive   outpatient TREATMENT ", (), None, "IOP"),
        ("The Joint Commission", (), None, "JC"),
        # Labels that differ only in wording between the 2019 API, the 2025 CSV and the code table.
        ("State substance abuse agency", (), None, "SSA"),
        ("State Substance use treatment agency", (), None, "SSA"),
        ("Buprenorphine with naloxone  (Suboxone®)", ("pharmacotherapies",), None, "BWN"),
        ("Individual counseling offered", ("counseling_education",), None, "ICO"),
        # Same words, different codes: the source's category decides ...
        ("Young adults", ("age_groups_accepted",), None, "YAD"),
        ("Young adults", ("special_programs_groups",), None, "YA"),
        ("In-network prescribing entity", ("alcohol_use_disorder",), None, "AUINPE"),
        # ... and in the label CSV, which has no categories, the label just before it does.
        ("Other contracted prescribing entity", (), "opioid_medications", "RPE"),
        ("Other contracted prescribing entity", (), "alcohol_use_disorder", "AURPE"),
        ("Partial hospitalization/day treatment", (), "service_setting", "PHP"),
        ("Partial hospitalization/day treatment", (), "facility_type", "PH"),
        # Exact case tells "Young adults" (special group) from "Young Adults" (age group).
        ("Young Adults", (), None, "YAD"),
        ("Young adults", (), None, "YA"),
        ("Behavior modification", ("TAP",), None, None),
    ],
)
def test_labels_map_to_codes(label, sections, previous, expected):
    assert codebook().resolve_label(label, sections, previous) == expected


def test_the_code_table_has_every_code_of_the_shared_list():
    book = codebook()
    assert (
        len([c for c in book.codes.values() if c.section != "bridge"]) >= 312 - 1
    )  # PHP/PH share a label only
    assert book.label("IOP") == "Intensive outpatient treatment"
    assert book.section("JC") == "license_certification_accreditation"
