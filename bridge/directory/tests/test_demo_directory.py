"""`bridge demo` fills the directory: the shipped SAMHSA files and a live listing for the demo program."""

from __future__ import annotations

from bridge.directory.models import Facility, ImportRun, ProgramAccreditation
from bridge.directory.queries import live_listings


def test_the_demo_imports_the_shared_files_and_lists_its_program_live(demo):
    assert Facility.objects.count() == 478 + 30
    assert set(ImportRun.objects.values_list("source_name", "rejected")) == {
        ("ca_residential_facilities_findtreatment_2025.csv", 0),
        ("findtreatment_api_sample_2019.json", 0),
    }
    (listing,) = live_listings([demo.program.pk], detail=True)
    assert {"IOP", "EVE", "WKND", "CARF", "SSA", "MD", "SP", "BU", "MHSU", "ALUM"} <= listing.codes
    # The lapsed Joint Commission accreditation is on file but not on the listing.
    assert ProgramAccreditation.objects.filter(program=demo.program, body="JC").exists()
    assert "JC" not in listing.codes
    # Five demo staff hold a clinical credential the program checked and that has not expired.
    assert listing.verified_staff == 5
