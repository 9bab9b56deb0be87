"""Public directory pages (no sign-in) and the director's pages for the program's own listing."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from bridge.accounts.http import StaffRequest
from bridge.core import refusal
from bridge.directory import facets, forms, geo, quality, queries, services
from bridge.directory.access import program_for_director, programs_directed
from bridge.directory.models import ImportRun, ProgramAccreditation, ProgramLicense
from bridge.portal.links import in_visitor_language
from bridge.programs.models import Program

# --- public ------------------------------------------------------------------------------------------


def _public(view):
    """A public page: no sign-in, GET only, in the visitor's language (the switcher's choice, else
    their browser's)."""
    return login_not_required(require_GET(in_visitor_language(view)))


@_public
def search(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid() and form.cleaned_data.get("place"):
        result = queries.search(
            place=form.cleaned_data["place"],
            radius=form.cleaned_data["radius"],
            selected=form.selected(),
            include_mental_health_only=form.cleaned_data["include_mh"],
            page=form.page(),
        )
    query = [(k, v) for k, values in request.GET.lists() if k != "page" for v in values]
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "directory/search.html",
        {
            "form": form,
            "result": result,
            "querystring": urlencode(query),
            "compare_max": forms.MAX_COMPARE,
            "live_only_facets": [o.label for f in facets.FACETS for o in f.options if o.live_only],
        },
        status=status,
    )


def _distance_from(request: HttpRequest) -> geo.Place | None:
    where = request.GET.get("where", "")[:100]
    if not where:
        return None
    try:
        return geo.locate(where)
    except geo.PlaceError:
        return None


def _with_distance(listings: list[queries.Listing], place: geo.Place | None) -> None:
    if place is None:
        return
    for listing in listings:
        if listing.latitude is not None and listing.longitude is not None:
            listing.distance = geo.haversine_miles(
                place.latitude, place.longitude, listing.latitude, listing.longitude
            )


@_public
def listing(request: HttpRequest, listing_id: uuid.UUID) -> HttpResponse:
    found = queries.listing_for(listing_id)
    if found is None:
        raise Http404("No program here.")
    return _render_listing(request, found)


def _render_listing(request: HttpRequest, found: queries.Listing, *, preview: bool = False) -> HttpResponse:
    if found.live and found.program is not None:
        found.signals = quality.public_signals_for(found.program)
    place = _distance_from(request)
    _with_distance([found], place)
    return render(
        request,
        "directory/listing.html",
        {
            "listing": found,
            "service_sections": queries.service_sections(found.facility) if found.facility else [],
            "facts": found.facts(),
            "place": place,
            "preview": preview,
            "measures": quality.registered_measures(),
        },
    )


@_public
def compare(request: HttpRequest) -> HttpResponse:
    with refusal.silently() as bad:
        ids = forms.compare_ids(request.GET.getlist("id"))
    if bad.refused:
        return render(request, "directory/compare.html", {"error": bad.messages[0]}, status=400)
    listings = queries.listings_for(ids)
    for found in listings:
        if found.live and found.program is not None:
            found.signals = quality.public_signals_for(found.program)
    place = _distance_from(request)
    _with_distance(listings, place)
    facts = [found.facts() for found in listings]
    rows = (
        [{"label": cells[0].label, "cells": cells} for cells in zip(*facts, strict=True)] if listings else []
    )
    signal_rows = []
    for i, measure in enumerate(quality.registered_measures()):
        signal_rows.append(
            {
                "label": measure.label,
                "cells": [f.signals[i] if f.signals is not None else None for f in listings],
            }
        )
    where = request.GET.get("where", "")[:100]

    def link(keep: list[queries.Listing]) -> str:
        query = [("id", str(x.id)) for x in keep] + ([("where", where)] if where else [])
        return f"{reverse('directory:compare')}?{urlencode(query)}"

    columns = [
        {"listing": x, "remove": link([o for o in listings if o is not x]) if len(listings) > 1 else ""}
        for x in listings
    ]
    return render(
        request,
        "directory/compare.html",
        {
            "columns": columns,
            "rows": rows,
            "signal_rows": signal_rows,
            "place": place,
            "where": where,
            "missing": len(ids) - len(listings),
        },
    )


@_public
def questions(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/questions.html")


@_public
def about(request: HttpRequest) -> HttpResponse:
    runs = ImportRun.objects.filter(finished_at__isnull=False).order_by("-started_at")[:10]
    return render(request, "directory/about.html", {"runs": runs, "measures": quality.registered_measures()})


# --- the director's listing ------------------------------------------------------------------------------


@require_GET
def manage_index(request: StaffRequest) -> HttpResponse:
    programs = list(programs_directed(request.user))
    if not programs:
        raise PermissionDenied("Only a program director keeps the public listing.")
    if len(programs) == 1:
        return redirect("directory:manage", program_id=programs[0].pk)
    return render(request, "directory/manage_index.html", {"programs": programs})


def _recognitions(program: Program) -> dict:
    return {
        "accreditations": ProgramAccreditation.objects.filter(program=program).order_by(
            "ended_at", "body", "-expires_on"
        ),
        "licenses": ProgramLicense.objects.filter(program=program).order_by(
            "ended_at", "authority", "-expires_on"
        ),
    }


def _manage_page(request: StaffRequest, program: Program, *, status: int = 200, **forms_in) -> HttpResponse:
    profile = services.profile_for(program)
    initial = {name: getattr(profile, name) for name in services.PROFILE_FIELDS}
    context = {
        "program": program,
        "profile": profile,
        "profile_form": forms_in.get("profile_form") or forms.ProfileForm(initial=initial),
        "accreditation_form": forms_in.get("accreditation_form") or forms.AccreditationForm(prefix="acc"),
        "license_form": forms_in.get("license_form")
        or forms.LicenseForm(prefix="lic", initial={"state": program.state}),
        "located": geo.zip_centroid(program.zip_code) is not None,
        **_recognitions(program),
    }
    return render(request, "directory/manage.html", context, status=status)


@require_http_methods(["GET", "POST"])
def manage(request: StaffRequest, program_id: uuid.UUID) -> HttpResponse:
    program = program_for_director(request, program_id)
    if request.method == "GET":
        return _manage_page(request, program)
    form = forms.ProfileForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, program, profile_form=form, status=400)
    changed = services.profile_update(actor=request.user, program=program, **form.cleaned_data)
    messages.success(request, "Your listing is saved." if changed else "Nothing changed.")
    return redirect("directory:manage", program_id=program.pk)


@require_http_methods(["POST"])
def accreditation_add(request: StaffRequest, program_id: uuid.UUID) -> HttpResponse:
    program = program_for_director(request, program_id)
    form = forms.AccreditationForm(request.POST, prefix="acc")
    if form.is_valid():
        with refusal.on_form(form):
            services.accreditation_add(actor=request.user, program=program, **form.cleaned_data)
            messages.success(request, "Accreditation added.")
            return redirect("directory:manage", program_id=program.pk)
    return _manage_page(request, program, accreditation_form=form, status=400)


@require_http_methods(["POST"])
def license_add(request: StaffRequest, program_id: uuid.UUID) -> HttpResponse:
    program = program_for_director(request, program_id)
    form = forms.LicenseForm(request.POST, prefix="lic")
    if form.is_valid():
        with refusal.on_form(form):
            services.license_add(actor=request.user, program=program, **form.cleaned_data)
            messages.success(request, "License added.")
            return redirect("directory:manage", program_id=program.pk)
    return _manage_page(request, program, license_form=form, status=400)


KINDS: dict[str, type[ProgramAccreditation] | type[ProgramLicense]] = {
    "accreditations": ProgramAccreditation,
    "licenses": ProgramLicense,
}


def _item(program: Program, kind: str, item_id: uuid.UUID):
    model = KINDS.get(kind)
    item = model.objects.filter(program=program, pk=item_id).first() if model else None
    if item is None:
        raise Http404("Not on file.")
    return item


@require_http_methods(["GET", "POST"])
def renew(request: StaffRequest, program_id: uuid.UUID, kind: str, item_id: uuid.UUID) -> HttpResponse:
    program = program_for_director(request, program_id)
    item = _item(program, kind, item_id)
    form = forms.RenewForm(request.POST or None, initial={"number": item.number})
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            services.recognition_renew(actor=request.user, item=item, **form.cleaned_data)
            messages.success(request, f"{item} is renewed until {item.expires_on:%B %-d, %Y}.")
            return redirect("directory:manage", program_id=program.pk)
    status = 400 if form.errors else 200
    context = {"program": program, "item": item, "form": form, "action": "renew"}
    return render(request, "directory/recognition_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def end(request: StaffRequest, program_id: uuid.UUID, kind: str, item_id: uuid.UUID) -> HttpResponse:
    program = program_for_director(request, program_id)
    item = _item(program, kind, item_id)
    form = forms.EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            services.recognition_end(actor=request.user, item=item, reason=form.cleaned_data["reason"])
            messages.success(request, f"{item} is off your listing.")
            return redirect("directory:manage", program_id=program.pk)
    status = 400 if form.errors else 200
    context = {"program": program, "item": item, "form": form, "action": "end"}
    return render(request, "directory/recognition_form.html", context, status=status)


@require_GET
def preview(request: StaffRequest, program_id: uuid.UUID) -> HttpResponse:
    program = program_for_director(request, program_id)
    found = queries.live_listings([program.pk], detail=True, published_only=False)
    if not found:
        messages.info(request, "Save your listing once to see how it looks.")
        return redirect("directory:manage", program_id=program.pk)
    return _render_listing(request, found[0], preview=True)
