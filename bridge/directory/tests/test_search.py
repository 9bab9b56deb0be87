"""The public search: distance from ZIP centroids, every filter, order, pages, bad input, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridge.audit.models import AuditEvent
from bridge.directory import facets

pytestmark = pytest.mark.django_db
SEARCH = "/find/"


def _names(response) -> list[str]:
    result = response.context["result"]
    assert result is not None, response.context["form"].errors
    return [listing.name for listing in result.listings]


@pytest.mark.parametrize(
    ("origin", "zip_code", "inside", "outside"),
    [
        ("94607", "94103", 10, 5),  # Oakland -> San Francisco, about 8 miles
        ("22902", "23219", 100, 50),  # Charlottesville -> Richmond, about 66 miles
        ("10001", "19103", 100, 50),  # Manhattan -> Philadelphia, about 80 miles
        ("90012", "92101", 100, 100),  # Los Angeles -> San Diego, about 112 miles: never within 100
    ],
)
def test_the_radius_filter_agrees_with_known_zip_distances(
    client, make_facility, origin, zip_code, inside, outside
):
    make_facility("Across town", zip_code)
    within = _names(client.get(SEARCH, {"where": origin, "radius": inside}))
    beyond = _names(client.get(SEARCH, {"where": origin, "radius": outside}))
    if inside == outside:
        assert within == beyond == []
    else:
        assert within == ["Across town"] and beyond == []


def test_a_city_search_finds_programs_around_the_city(client, make_facility):
    make_facility("In Oakland", "94612")
    make_facility("In Sacramento", "95814")
    assert _names(client.get(SEARCH, {"where": "Oakland, CA", "radius": 25})) == ["In Oakland"]


def test_results_are_sorted_by_distance_and_show_it(client, make_facility):
    make_facility("Far", "94103")  # San Francisco
    make_facility("Near", "94607")  # the search's own ZIP
    make_facility("Middle", "94610")  # Oakland hills
    response = client.get(SEARCH, {"where": "94607", "radius": 25})
    assert _names(response) == ["Near", "Middle", "Far"]
    distances = [x.distance for x in response.context["result"].listings]
    assert distances == sorted(distances) and distances[0] == pytest.approx(0, abs=0.01)
    assert "miles" in response.content.decode()


def _every_option():
    for facet in facets.FACETS:
        for option in facet.options:
            if not option.live_only:
                yield pytest.param(facet.name, option, id=f"{facet.name}={option.value}")


@pytest.mark.parametrize(("facet", "option"), list(_every_option()))
def test_every_filter_keeps_programs_that_list_it_and_drops_the_rest(client, make_facility, facet, option):
    # Any one of the option's codes is enough (e.g. naltrexone: NU, or VTRL for the injection).
    for i, code in enumerate(sorted(option.codes)):
        make_facility(f"Has {code}", "94607", codes=("SA", code), at=(37.80 + i * 0.001, -122.28))
    make_facility("Has none of it", "94607", codes=("SA", "ZZZ"))
    names = _names(client.get(SEARCH, {"where": "94607", "radius": 5, facet: option.value}))
    assert sorted(names) == sorted(f"Has {code}" for code in option.codes)


@pytest.mark.parametrize("facet", [f for f in facets.FACETS if any(o.live_only for o in f.options)], ids=str)
def test_filters_only_bridge_programs_can_meet_leave_samhsa_listings_out(client, make_facility, facet):
    option = next(o for o in facet.options if o.live_only)
    make_facility("Imported", "94607", codes=("SA", *option.codes))  # even if its codes said so
    response = client.get(SEARCH, {"where": "94607", "radius": 25, facet.name: option.value})
    assert _names(response) == [] and response.context["result"].live_only
    assert "only programs on Bridge can answer" in response.content.decode()


def test_checked_boxes_in_one_group_must_all_match_except_accreditation(client, make_facility):
    make_facility("Medicaid only", codes=("SA", "MD"))
    make_facility("Medicaid and sliding fee", codes=("SA", "MD", "SS"), at=(37.81, -122.28))
    make_facility("Joint Commission", codes=("SA", "JC"), at=(37.81, -122.29))
    make_facility("CARF", codes=("SA", "CARF"), at=(37.81, -122.27))
    both = client.get(SEARCH, {"where": "94607", "payment": ["MD", "SS"]})
    assert _names(both) == ["Medicaid and sliding fee"]
    either = client.get(SEARCH, {"where": "94607", "accreditation": ["JC", "CARF"]})
    assert sorted(_names(either)) == ["CARF", "Joint Commission"]


def test_filters_combine_across_groups(client, make_facility):
    make_facility("Everything", codes=("SA", "IOP", "MD", "BU", "CARF"))
    make_facility("No bup", codes=("SA", "IOP", "MD", "CARF"), at=(37.81, -122.28))
    make_facility("Residential", codes=("SA", "RES", "MD", "BU", "CARF"), at=(37.81, -122.29))
    response = client.get(
        SEARCH, {"where": "94607", "setting": "iop", "payment": "MD", "mat": "buprenorphine"}
    )
    assert _names(response) == ["Everything"]


def test_mental_health_only_facilities_appear_only_when_asked(client, make_facility):
    make_facility("Substance use", codes=("SA", "OP"))
    make_facility("Mental health only", codes=("MH", "OP"), treats_substance_use=False, at=(37.81, -122.28))
    assert _names(client.get(SEARCH, {"where": "94607"})) == ["Substance use"]
    assert sorted(_names(client.get(SEARCH, {"where": "94607", "include_mh": "on"}))) == [
        "Mental health only",
        "Substance use",
    ]


def test_results_come_in_pages_of_twenty_and_links_keep_the_filters(client, make_facility):
    for i in range(25):
        make_facility(f"Program {i:02d}", codes=("SA", "IOP"), at=(37.80 + i * 0.002, -122.28))
    first = client.get(SEARCH, {"where": "94607", "setting": "iop", "radius": 10})
    assert len(_names(first)) == 20 and first.context["result"].total == 25
    html = first.content.decode()
    assert "where=94607&amp;setting=iop&amp;radius=10&amp;page=2" in html
    second = client.get(SEARCH, {"where": "94607", "setting": "iop", "radius": 10, "page": "2"})
    assert len(_names(second)) == 5
    assert set(_names(first)).isdisjoint(_names(second))
    nonsense = client.get(SEARCH, {"where": "94607", "setting": "iop", "radius": 10, "page": "x"})
    assert _names(nonsense) == _names(first)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"where": "00000"}, "where", "could not find ZIP code 00000"),
        ({"where": "Springfield"}, "where", "Add the state"),
        ({"setting": "iop"}, "where", "Enter a ZIP code or a city"),
        ({"where": "94607", "radius": "7"}, "radius", "Select a valid choice"),
        ({"where": "94607", "payment": "GOLD"}, "payment", "Select a valid choice"),
        ({"where": "94607", "setting": "spa"}, "setting", "Select a valid choice"),
    ],
)
def test_bad_search_input_is_a_field_error_not_a_crash(client, params, field, message):
    response = client.get(SEARCH, params)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message.split(" ")[0] in response.content.decode()


def test_the_search_page_is_public_and_leaves_no_trace(client, make_facility):
    make_facility("Somewhere")
    response = client.get(SEARCH, {"where": "94607"})
    assert response.status_code == 200 and _names(response) == ["Somewhere"]
    assert not response.cookies.get("bridge_session")
    assert AuditEvent.objects.count() == 0
    assert client.get(SEARCH).status_code == 200  # the empty form, before any search


def test_search_queries_do_not_grow_with_facilities_or_programs(client, make_facility, listed):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(SEARCH, {"where": "94607", "radius": 50, "payment": "MD"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    make_facility("One", codes=("SA", "MD"))
    few = count()
    for i in range(60):
        make_facility(f"More {i}", codes=("SA", "MD"), at=(37.7 + i * 0.003, -122.2))
    assert count() == few <= 10
