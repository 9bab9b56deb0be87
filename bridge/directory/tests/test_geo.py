"""Offline places and distances: ZIP centroids from the zipcodes package, haversine, the search box."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.directory import geo


def _centroid(zip_code: str) -> tuple[float, float]:
    found = geo.zip_centroid(zip_code)
    assert found is not None, zip_code
    return found


def _miles(a: str, b: str) -> float:
    pa, pb = geo.zip_centroid(a), geo.zip_centroid(b)
    assert pa and pb
    return geo.haversine_miles(*pa, *pb)


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("94607", "94103", 5, 10),  # Oakland to San Francisco across the bay, about 8 miles
        ("22902", "23219", 60, 75),  # Charlottesville to Richmond, about 66 miles
        ("10001", "19103", 75, 90),  # Manhattan to Philadelphia, about 80 miles
        ("90012", "92101", 105, 125),  # downtown Los Angeles to downtown San Diego, about 112 miles
        ("10001", "90012", 2400, 2480),  # New York to Los Angeles, about 2,445 miles
    ],
)
def test_known_zip_pairs_are_the_right_distance_apart(a, b, low, high):
    assert low <= _miles(a, b) <= high
    assert _miles(a, b) == pytest.approx(_miles(b, a))


def test_a_point_is_zero_miles_from_itself():
    assert geo.haversine_miles(37.8, -122.3, 37.8, -122.3) == 0


def _destination(lat: float, lon: float, miles: float, bearing: float) -> tuple[float, float]:
    """The point `miles` away from (lat, lon) on the initial bearing `bearing` degrees (great circle)."""
    d = miles / geo.EARTH_RADIUS_MILES
    p1, l1, b = math.radians(lat), math.radians(lon), math.radians(bearing)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), math.degrees(l2)


@given(
    lat=st.floats(-60, 70),
    lon=st.floats(-170, 170),
    miles=st.floats(1, 100),
    fraction=st.floats(0, 1),
    bearing=st.floats(0, 360),
)
def test_the_bounding_box_holds_every_point_within_the_radius(lat, lon, miles, fraction, bearing):
    point = _destination(lat, lon, miles * fraction, bearing)
    assert geo.haversine_miles(lat, lon, *point) <= miles * 1.000001
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(lat, lon, miles)
    assert min_lat <= point[0] <= max_lat
    assert min_lon <= point[1] <= max_lon


@given(lat=st.floats(-60, 70), lon=st.floats(-170, 170), miles=st.floats(1, 100), east=st.booleans())
def test_the_box_is_wide_enough_east_and_west(lat, lon, miles, east):
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(lat, lon, miles)
    edge = max_lon if east else min_lon
    # Along the box's east or west edge no point is closer than `miles` (so nothing inside the radius is cut).
    for edge_lat in (min_lat, lat, max_lat):
        assert geo.haversine_miles(lat, lon, edge_lat, edge) >= miles * 0.999


@pytest.mark.parametrize(
    ("text", "label", "state"),
    [
        ("94607", "ZIP code 94607 (Oakland, CA)", "CA"),
        ("94607-1234", "ZIP code 94607 (Oakland, CA)", "CA"),
        ("Oakland, CA", "Oakland, CA", "CA"),
        ("oakland ca", "Oakland, CA", "CA"),
        ("Charlottesville, Virginia", "Charlottesville, VA", "VA"),
        ("Salt Lake City Utah", "Salt Lake City, UT", "UT"),
    ],
)
def test_locate_a_zip_code_or_a_city(text, label, state):
    place = geo.locate(text)
    assert place.label == label and place.state == state


def test_a_city_is_placed_among_its_zip_codes():
    city = geo.locate("Oakland, CA")
    assert geo.haversine_miles(city.latitude, city.longitude, *_centroid("94607")) < 10


def test_zip_codes_the_table_has_no_location_for_are_unknown_not_at_zero_zero():
    # 11805 (a Hicksville, NY PO box ZIP) is listed at latitude 0, longitude 0 in the package's table.
    assert geo.zip_centroid("11805") is None
    with pytest.raises(geo.PlaceError, match="could not find ZIP code 11805"):
        geo.locate("11805")
    hicksville = geo.locate("Hicksville, NY")
    assert geo.haversine_miles(hicksville.latitude, hicksville.longitude, *_centroid("11801")) < 5


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Enter a ZIP code"),
        ("00000", "could not find ZIP code 00000"),
        ("9460", "five digits"),
        ("Springfield", "Add the state"),
        ("Oakland, Narnia", "is not a US state"),
        ("Nowhereville, CA", "could not find Nowhereville in California"),
        ("Qwzxqwzx", "could not find a city"),
    ],
)
def test_places_we_cannot_locate_say_what_to_type(text, says):
    with pytest.raises(geo.PlaceError, match=says):
        geo.locate(text)
