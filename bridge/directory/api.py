"""The public directory as JSON: the same search and program pages, no sign-in (/api/v1/directory/)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from bridge.api.errors import ApiError, Error
from bridge.directory import forms, quality, queries

API_PREFIX = "/directory/"
router = Router(tags=["directory"])


class ListingOut(Schema):
    id: uuid.UUID
    kind: Literal["imported", "live"]
    name: str
    address: str
    phone: str
    website: str
    distance_miles: float | None
    source: str
    codes: list[str]
    url: str


class SearchOut(Schema):
    place: str
    radius: int
    total: int
    page: int
    pages: int
    results: list[ListingOut]


class FactOut(Schema):
    key: str
    label: str
    values: list[str]
    empty: str
    source: str


class SignalOut(Schema):
    key: str
    label: str
    status: Literal["shown", "suppressed", "no_data", "not_measured"]
    value: str
    detail: str
    people: int | None
    period_start: date | None
    period_end: date | None
    method: str


class ListingDetailOut(ListingOut):
    facts: list[FactOut]
    signals: list[SignalOut]


def _out(listing: queries.Listing) -> dict:
    return {
        "id": listing.id,
        "kind": "live" if listing.live else "imported",
        "name": listing.name,
        "address": listing.address,
        "phone": listing.phone,
        "website": listing.website_url,
        "distance_miles": round(listing.distance, 2) if listing.distance is not None else None,
        "source": listing.source,
        "codes": sorted(listing.codes),
        "url": listing.url,
    }


@router.get(
    "/search",
    response={200: SearchOut, 400: Error},
    auth=None,
    summary="Programs near a ZIP code or city, nearest first",
    description="The parameters are those of the public search page (/find/); repeat a parameter to "
    "tick several boxes (payment=MD&payment=SS). Twenty results a page.",
)
def search(
    request: HttpRequest,
    where: str,
    radius: int = 25,
    setting: str = "",
    accreditation: list[str] = Query([]),  # noqa: B008 - ninja's way to declare a repeated parameter
    license: list[str] = Query([]),  # noqa: B008
    approach: list[str] = Query([]),  # noqa: B008
    dual: list[str] = Query([]),  # noqa: B008
    mat: list[str] = Query([]),  # noqa: B008
    aftercare: list[str] = Query([]),  # noqa: B008
    schedule: list[str] = Query([]),  # noqa: B008
    payment: list[str] = Query([]),  # noqa: B008
    language: str = "",
    age: str = "",
    include_mh: bool = False,
    page: int = 1,
):
    # The page's form is the one set of rules; the declared parameters document them.
    form = forms.SearchForm(request.GET)
    if not form.is_valid() or not form.cleaned_data.get("place"):
        field, messages = next(iter(form.errors.items()), ("where", ["Enter a ZIP code or a city."]))
        raise ApiError(400, str(messages[0]), field=None if field == "__all__" else field)
    result = queries.search(
        place=form.cleaned_data["place"],
        radius=form.cleaned_data["radius"],
        selected=form.selected(),
        include_mental_health_only=form.cleaned_data["include_mh"],
        page=form.page(),
    )
    return {
        "place": result.place.label,
        "radius": result.radius,
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "results": [_out(x) for x in result.listings],
    }


@router.get(
    "/listings/{listing_id}",
    response={200: ListingDetailOut, 404: Error},
    auth=None,
    summary="Everything known about one program, each fact with its source",
)
def listing(request: HttpRequest, listing_id: uuid.UUID):
    found = queries.listing_for(listing_id)
    if found is None:
        raise ApiError(404, "No program here.", code="not_found")
    signals = quality.public_signals_for(found.program) if found.live and found.program is not None else []
    return {
        **_out(found),
        "facts": [
            {"key": f.key, "label": f.label, "values": list(f.values), "empty": f.empty, "source": f.source}
            for f in found.facts()
        ],
        "signals": [
            {
                "key": s.key,
                "label": s.label,
                "status": str(s.status),
                "value": s.value,
                "detail": s.detail,
                "people": s.sample,
                "period_start": s.period_start,
                "period_end": s.period_end,
                "method": s.method,
            }
            for s in signals
        ],
    }
