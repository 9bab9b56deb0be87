"""Side-by-side comparison of up to four listings, imported and live together; the questions to ask."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridge.participants.models import EpisodeOfCare
from bridge.testing.personas import make_participant

COMPARE = "/find/compare/"


def test_imported_and_live_programs_compare_side_by_side(client, listed, make_facility):
    a = make_facility("Bay Recovery", "94103", codes=("SA", "IOP", "JC", "MD", "BU"))
    b = make_facility("East Bay Outpatient", "94610", codes=("SA", "OP", "CARF"))
    response = client.get(COMPARE, {"id": [str(listed.program.pk), str(a.pk), str(b.pk)], "where": "94607"})
    assert response.status_code == 200
    names = [c["listing"].name for c in response.context["columns"]]
    assert names == ["Harbor", "Bay Recovery", "East Bay Outpatient"]
    rows = {row["label"]: row["cells"] for row in response.context["rows"]}
    assert rows["Accreditation"][1].values == ("The Joint Commission",)
    assert rows["Schedule"][0].values and not rows["Schedule"][1].values
    assert "Not reported in SAMHSA's data" in rows["Schedule"][1].empty
    assert rows["Accreditation"][0].source.startswith("Entered by the program's director")
    assert rows["Accreditation"][1].source.startswith("SAMHSA, FindTreatment.gov, read ")
    html = response.content.decode()
    assert "Not measured: SAMHSA's data has no outcomes" in html
    assert "Distance" in html and "miles" in html
    assert "Questions to ask any program" in html
    # Each column can be removed; the others stay.
    remove = response.context["columns"][0]["remove"]
    assert str(listed.program.pk) not in remove and str(a.pk) in remove and "where=94607" in remove


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ([], "Choose at least one program"),
        (["not-an-id"], "is not a program in the directory"),
        ([str(uuid.uuid4()) for _ in range(5)], "Compare up to 4 programs at a time; you chose 5"),
    ],
)
def test_bad_comparisons_are_refused_with_a_reason(client, db, ids, message):
    response = client.get(COMPARE, {"id": ids})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_programs_no_longer_listed_are_left_out_and_said(client, make_facility):
    a = make_facility("Still here")
    response = client.get(COMPARE, {"id": [str(a.pk), str(uuid.uuid4())]})
    assert [c["listing"].name for c in response.context["columns"]] == ["Still here"]
    assert "1 of the programs you chose is no longer listed" in response.content.decode()


def test_the_same_program_twice_is_one_column(client, make_facility):
    a = make_facility("Once")
    response = client.get(COMPARE, {"id": [str(a.pk), str(a.pk)]})
    assert len(response.context["columns"]) == 1


def test_comparison_queries_do_not_grow_with_participants(client, listed, make_facility):
    ids = [str(listed.program.pk)] + [str(make_facility(f"F{i}").pk) for i in range(3)]
    today = timezone.localdate()
    first = make_participant(listed.program, "First")
    EpisodeOfCare.objects.create(
        participant=first, program=listed.program, admitted_on=today - timedelta(days=50)
    )

    def count() -> int:
        cache.clear()  # measure the uncached page: the signals are recounted
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(COMPARE, {"id": ids}).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(30):
        p = make_participant(listed.program, f"P{i}")
        EpisodeOfCare.objects.create(
            participant=p, program=listed.program, admitted_on=today - timedelta(days=60 + i)
        )
    assert count() == few <= 16


def test_the_questions_page_is_public(client, db):
    response = client.get("/find/questions/")
    assert response.status_code == 200
    html = response.content.decode()
    for topic in ("Accreditation and license", "Staff", "Treatment approach", "Mental health", "Medication",
                  "Schedule", "After the program", "Cost"):  # fmt: skip
        assert f"<h3>{topic}</h3>" in html


def test_the_about_page_lists_the_data_read_in_and_the_methods(client, make_facility):
    make_facility("Anywhere")
    html = client.get("/find/about/").content.decode()
    assert "fixture.csv" in html and "SAMHSA, FindTreatment.gov" in html
    assert "Still in the program 30 days after starting" in html and "1 to 10 people" in html


@pytest.mark.parametrize(
    ("website", "linked"),
    [
        ("http://www.regionten.org", "http://www.regionten.org"),
        ("www.example.org/iop", "http://www.example.org/iop"),
        ("javascript:alert(1)", None),
        ("not a website", None),
    ],
)
def test_only_plain_web_addresses_from_imported_data_become_links(client, make_facility, website, linked):
    facility = make_facility("Somewhere", website=website)
    html = client.get(f"/find/{facility.pk}/").content.decode()
    assert website in html
    if linked:
        assert f'href="{linked}"' in html
    else:
        assert 'href="javascript' not in html and f'href="{website}"' not in html
