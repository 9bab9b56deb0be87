"""`bridge directory import PATH`: each shared file, idempotent re-import, rejected rows, code aliases."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from bridge.audit.models import AuditEvent
from bridge.audit.services import audit_verify
from bridge.directory import importer, services
from bridge.directory.models import Facility, ImportRun

from .conftest import API_FILE, CA_FILE

pytestmark = pytest.mark.django_db


def _output(path, **options) -> str:
    out = io.StringIO()
    call_command("directory", "import", str(path), stdout=out, **options)
    return out.getvalue()


def _run(path, **options) -> tuple[str, ImportRun]:
    """The command's output and the import it recorded."""
    output = _output(path, **options)
    return output, ImportRun.objects.latest("started_at")


def _source_rows(path) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def test_the_california_csv_imports_every_row_with_its_codes():
    output, run = _run(CA_FILE, as_of="2025-08-27")
    assert _source_rows(CA_FILE) == 478
    assert (run.rows, run.added, run.updated, run.unchanged, run.rejected) == (478, 478, 0, 0, 0)
    assert Facility.objects.count() == 478
    assert "Added 478, updated 0, unchanged 0, rejected 0" in output
    assert run.source_as_of == date(2025, 8, 27) and run.source_format == "label_csv"
    # Every label in the file maps to a code (two through the wording aliases).
    assert run.unmapped_labels == {}
    # 68 rows list "Intensive outpatient treatment" (shared/data/facilities/README.md).
    assert Facility.objects.filter(service_codes__contains=" IOP ").count() == 68
    assert (
        Facility.objects.filter(service_codes__contains=" SSA ").count() == 337
    )  # "State Substance use ..."
    friendship = Facility.objects.get(name="Friendship House", zip_code="94103")
    assert {
        "SA",
        "RES",
        "RL",
        "BU",
        "NU",
        "CARF",
        "MD",
        "MC",
        "PI",
        "CASH",
        "CBT",
        "TWFA",
        "ACC",
    } <= friendship.codes
    # The two "Other contracted prescribing entity" labels are told apart by the section before them.
    assert {"RPE", "AURPE", "AUINPE"} <= friendship.codes
    assert (friendship.city, friendship.state, friendship.zip_code) == ("San Francisco", "CA", "94103")
    assert friendship.latitude == pytest.approx(37.7673672) and not friendship.located_by_zip


def test_the_locator_json_imports_with_samhsa_ids_and_category_codes():
    _, run = _run(API_FILE)
    rows = json.loads(API_FILE.read_text())["rows"]
    assert (run.rows, run.added, run.rejected) == (len(rows), 30, 0) == (30, 30, 0)
    first = Facility.objects.get(source_key=rows[0]["frid"])
    assert first.name == "Region Ten Community Services Board" and first.name2 == "Mohr Center"
    assert first.street == "1014 East Market Street" and first.intake_phone == "434-972-1800"
    # "Young adults" under Age Groups is the age group YAD, not the special group YA.
    assert {"SA", "RES", "RS", "MOA", "SSA", "MD", "SS", "ADLT", "YAD", "CBT", "ACC"} <= first.codes
    assert "YA" not in first.codes
    assert Facility.objects.filter(type_facility="MH").count() == 16
    assert Facility.objects.filter(treats_substance_use=True).count() == 14
    # Labels with no code today are kept as written and counted.
    assert run.unmapped_labels["Psychotropic medication"] == 14
    with_it = next(r for r in rows if any("Psychotropic medication" in s["f3"] for s in r["services"]))
    assert ["unmapped", "", "Psychotropic medication"] in Facility.objects.get(
        source_key=with_it["frid"]
    ).services


@pytest.mark.parametrize("path", [CA_FILE, API_FILE], ids=["csv", "json"])
def test_importing_the_same_file_again_changes_nothing(path):
    _run(path)
    ids = dict(Facility.objects.values_list("source_key", "pk"))
    output, again = _run(path)
    assert (again.added, again.updated, again.rejected) == (0, 0, 0)
    assert again.unchanged == len(ids)
    assert dict(Facility.objects.values_list("source_key", "pk")) == ids
    assert "Added 0, updated 0, unchanged" in output
    assert set(Facility.objects.values_list("last_import", flat=True)) == {again.pk}


def test_a_changed_row_is_updated_in_place(tmp_path):
    path = tmp_path / CA_FILE.name
    shutil.copy(CA_FILE, path)
    _run(path)
    friendship = Facility.objects.get(name="Friendship House", zip_code="94103")
    text = path.read_text(encoding="utf-8").replace("415-865-0964", "415-865-0000", 1)
    path.write_text(text, encoding="utf-8")
    _, run = _run(path)
    assert (run.added, run.updated, run.unchanged) == (0, 1, 477)
    friendship.refresh_from_db()
    assert friendship.phone == "415-865-0000" and friendship.last_import_id == run.pk
    assert Facility.objects.count() == 478


def test_a_corrupt_row_is_rejected_with_its_line_and_reason_and_the_rest_imports(tmp_path):
    with CA_FILE.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[3][8] = "not-a-number"  # Longitude of the third facility (file line 4)
    rows[5][2] = "ZZ"  # State of the fifth facility (file line 6)
    rows[7][0] = ""  # Name
    rows[9][3] = "123"  # ZIP code
    path = tmp_path / "broken.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    output, run = _run(path)
    assert (run.added, run.rejected) == (474, 4)
    assert run.rejections == [
        {"line": 4, "reason": "longitude 'not-a-number' is not a number", "name": rows[3][0]},
        {"line": 6, "reason": "state 'ZZ' is not a US state or territory code", "name": rows[5][0]},
        {"line": 8, "reason": "the facility name is missing", "name": ""},
        {"line": 10, "reason": "ZIP code '123' is not five digits", "name": rows[9][0]},
    ]
    assert f"line 4 ({rows[3][0]}): longitude 'not-a-number' is not a number" in output
    assert not Facility.objects.filter(name=rows[5][0], state="ZZ").exists()


def test_json_rows_are_rejected_with_the_line_they_start_on(tmp_path):
    doc = json.loads(API_FILE.read_text())
    doc["rows"][2]["latitude"] = "95.1"
    doc["rows"][4]["services"] = "not a list"
    doc["rows"].append(dict(doc["rows"][0]))  # the same SAMHSA id twice
    path = tmp_path / "api.json"
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    text = path.read_text()
    starts = [i + 1 for i, line in enumerate(text.splitlines()) if line == "  {"]
    _, run = _run(path)
    assert run.added == 28
    assert [(r["line"], r["reason"]) for r in run.rejections] == [
        (starts[2], "latitude 95.1 is outside the United States"),
        (starts[4], "services is not a list"),
        (starts[30], f"repeats line {starts[0]} exactly"),
    ]


def test_a_file_that_is_not_a_known_format_is_refused_whole(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="not a format Bridge reads"):
        _output(path)
    broken = tmp_path / "broken.json"
    broken.write_text('{"rows": [{"name1": "x"},]}', encoding="utf-8")
    with pytest.raises(CommandError, match="broken JSON at line 1"):
        _output(broken)
    assert ImportRun.objects.count() == 0 and Facility.objects.count() == 0


NATIONAL_DIRECTORY = (
    "name1,name2,street1,street2,city,state,zip,phone,intake1,service_code_info\n"
    "Old Style Recovery,,1 Main St,,Richmond,VA,23219,804-555-0101,,"
    "SA * OIT ORT * JC SSA * MD MI SF * CBT MI TWFA * SP\n"
    "No Place,,2 Main St,,Nowhere,VA,00000,804-555-0102,,SA * OP\n"
)


def test_the_national_directory_code_format_reads_old_codes_and_places_rows_at_their_zip(tmp_path):
    path = tmp_path / "directory.csv"
    path.write_text(NATIONAL_DIRECTORY, encoding="utf-8")
    _, run = _run(path)
    assert (run.source_format, run.added, run.rejected) == ("code_csv", 1, 1)
    assert run.rejections[0]["reason"] == "no coordinates, and ZIP code 00000 is not one we can place"
    facility = Facility.objects.get()
    # OIT is today's IOP and SF is CASH; MI means military insurance among payments,
    # motivational interviewing among approaches.
    assert {
        "SA",
        "IOP",
        "ORT",
        "JC",
        "SSA",
        "MD",
        "TRICARE",
        "CASH",
        "CBT",
        "MI",
        "TWFA",
        "SP",
    } <= facility.codes
    assert "OIT" not in facility.codes and facility.located_by_zip


def test_a_dry_run_keeps_nothing():
    output = _output(API_FILE, dry_run=True)
    assert "Dry run, nothing kept: would have added 30" in output
    assert Facility.objects.count() == 0 and ImportRun.objects.count() == 0


def test_an_import_is_audited_without_any_row_content():
    report = services.facility_import(path=API_FILE)
    event = AuditEvent.objects.get(action="directory_import")
    assert event.object_id == str(report.run.pk)
    assert event.detail["added"] == 30 and event.detail["source"] == API_FILE.name
    assert audit_verify().ok


def test_identical_rows_are_rejected_but_sites_sharing_a_name_and_place_are_kept():
    parsed = importer.parse_file(CA_FILE)
    keys = [r.source_key for r in parsed.records]
    assert len(keys) == len(set(keys)) == 478
    # "Teen Project Inc" lists three records at the same coordinates: three facilities, numbered.
    teen = [r.source_key for r in parsed.records if r.name == "Teen Project Inc" and r.latitude == 33.6153]
    assert teen[1:] == [f"{teen[0]}-2", f"{teen[0]}-3"]
    text = CA_FILE.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    doubled = importer.parse_text("".join([*lines[:3], lines[2]]), name="x.csv")
    assert [(r.line, r.reason) for r in doubled.rejections] == [(4, "repeats line 3 exactly")]
