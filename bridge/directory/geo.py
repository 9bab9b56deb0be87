"""Places and distances, offline. Plain Python, no Django.

ZIP code centroids come from the `zipcodes` package, whose data ships inside the installed wheel
(nothing is downloaded at run time). A city is placed at the average of its ZIP codes' centers.
Distances are great-circle (haversine) miles on a sphere of the Earth's mean radius.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_MILES / 180  # about 69.09

STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}  # fmt: skip
_STATE_BY_NAME = {name.casefold(): code for code, name in STATES.items()}

# A hair (about a millimetre) added to the box so rounding never drops a point exactly on the radius.
_BOX_PAD = 1e-8

_ZIP = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")


class PlaceError(ValueError):
    """The text does not name a place we can locate; the message says what to type instead."""


@dataclass(frozen=True)
class Place:
    label: str  # how we say it back: "ZIP code 94607 (Oakland, CA)" or "Oakland, CA"
    latitude: float
    longitude: float
    zip_code: str = ""
    state: str = ""


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, miles: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) that contains every point within `miles`.

    The box is the cheap, indexable prefilter; the exact haversine decides. Longitude degrees
    shrink towards the poles, so the box widens with latitude (taken at the box's edge nearest the
    pole, where it is widest).
    """
    dlat = miles / MILES_PER_DEGREE_LAT + _BOX_PAD
    edge = min(89.0, abs(lat) + dlat)
    dlon = min(180.0, miles / (MILES_PER_DEGREE_LAT * math.cos(math.radians(edge))) + _BOX_PAD)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


@dataclass(frozen=True)
class _ZipIndex:
    by_zip: dict[str, tuple[float, float, str, str]]  # zip -> (lat, lon, city, state)
    by_city: dict[tuple[str, str], tuple[float, float, str]]  # (city, state) -> (lat, lon, City name)
    city_states: dict[str, list[str]]  # city -> states that have it


@cache
def _index() -> _ZipIndex:
    import zipcodes  # ships its ZIP table inside the wheel

    by_zip: dict[str, tuple[float, float, str, str]] = {}
    sums: dict[tuple[str, str], list[float]] = {}
    names: dict[tuple[str, str], str] = {}
    for z in zipcodes.list_all():
        if z["state"] not in STATES:  # military APO/FPO and freely associated states
            continue
        lat, lon = float(z["lat"]), float(z["long"])
        if lat == 0 and lon == 0:  # a few dozen PO box and unique ZIP codes have no location in the table
            continue
        by_zip[z["zip_code"]] = (lat, lon, z["city"], z["state"])
        if not z["active"]:
            continue
        key = (z["city"].casefold(), z["state"])
        acc = sums.setdefault(key, [0.0, 0.0, 0])
        acc[0] += lat
        acc[1] += lon
        acc[2] += 1
        names.setdefault(key, z["city"])
    by_city = {k: (v[0] / v[2], v[1] / v[2], names[k]) for k, v in sums.items()}
    city_states: dict[str, list[str]] = {}
    for city, state in sorted(by_city):
        city_states.setdefault(city, []).append(state)
    return _ZipIndex(by_zip, by_city, city_states)


def zip_centroid(zip_code: str) -> tuple[float, float] | None:
    match = _ZIP.match(zip_code or "")
    if not match:
        return None
    found = _index().by_zip.get(match.group(1))
    return (found[0], found[1]) if found else None


def locate(text: str) -> Place:
    """A ZIP code ("94607", "94607-1234") or a city ("Oakland, CA", "oakland california")."""
    text = (text or "").strip()
    if not text:
        raise PlaceError("Enter a ZIP code or a city and state, for example 94607 or Oakland, CA.")
    index = _index()
    match = _ZIP.match(text)
    if match:
        found = index.by_zip.get(match.group(1))
        if found is None:
            raise PlaceError(
                f"We could not find ZIP code {match.group(1)}. Check the digits, or type a city."
            )
        lat, lon, zip_city, zip_state = found
        return Place(
            f"ZIP code {match.group(1)} ({zip_city}, {zip_state})", lat, lon, match.group(1), zip_state
        )
    if re.fullmatch(r"[\d\s-]+", text):
        raise PlaceError("A ZIP code has five digits, for example 94607.")
    city, state = _split_city_state(text)
    if state is None:
        states = index.city_states.get(city.casefold(), [])
        if not states:
            raise PlaceError(
                f"We could not find a city called “{city}”. Check the spelling or use a ZIP code."
            )
        if len(states) > 1:
            shown = ", ".join(states[:8]) + ("…" if len(states) > 8 else "")
            raise PlaceError(
                f"There is a {city} in {len(states)} states ({shown}). "
                f"Add the state, for example “{city}, {states[0]}”."
            )
        state = states[0]
    found_city = index.by_city.get((city.casefold(), state))
    if found_city is None:
        raise PlaceError(
            f"We could not find {city} in {STATES[state]}. Check the spelling or use a ZIP code."
        )
    lat, lon, name = found_city
    return Place(f"{name}, {state}", lat, lon, "", state)


def _split_city_state(text: str) -> tuple[str, str | None]:
    cleaned = re.sub(r"\s+", " ", text.replace(",", ", ")).strip(" ,")
    if "," in cleaned:
        city, _, tail = cleaned.rpartition(",")
        code = _state_code(tail.strip())
        if code is None:
            raise PlaceError(f"“{tail.strip()}” is not a US state. Write it like “Oakland, CA”.")
        return city.strip(" ,"), code
    words = cleaned.split(" ")
    # "Oakland CA", "Salt Lake City Utah", "Charleston West Virginia": try the longest state name first.
    for take in (3, 2, 1):
        if len(words) > take:
            code = _state_code(" ".join(words[-take:]))
            if code is not None:
                return " ".join(words[:-take]), code
    return cleaned, None


def _state_code(text: str) -> str | None:
    if text.upper() in STATES:
        return text.upper()
    return _STATE_BY_NAME.get(text.casefold())
