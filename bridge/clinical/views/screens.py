"""Drug screens: the trend, recording a screen, lab confirmations, entered in error."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from bridge.clinical import queries, uds
from bridge.clinical.forms import ConfirmForm, DrugScreenForm, ErrorForm
from bridge.clinical.models import DrugScreen, DrugScreenResult
from bridge.clinical.services import screens as services
from bridge.clinical.views.common import admitted_only, chart_context
from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant

TREND_LIMIT = 52  # about a year of weekly screens


def trend_rows(screens: list[DrugScreen]) -> tuple[list[str], list[dict]]:
    """Columns: every substance tested in these screens; rows: one per screen, newest first."""
    substances = sorted(
        {r.substance for s in screens for r in s.results.all()}, key=list(uds.SUBSTANCES).index
    )
    rows = []
    for s in screens:
        by = {r.substance: r for r in s.results.all()}
        rows.append({"screen": s, "cells": [by.get(code) for code in substances]})
    return substances, rows


@participant_view(Cap.CHART)
@admitted_only
def screen_list(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    screens = queries.screens_with_results(participant, TREND_LIMIT)
    substances, rows = trend_rows([s for s in screens if not s.error_at])
    days, last = queries.days_since_unexpected(participant)
    context = chart_context(
        request,
        participant,
        substances=[(c, uds.SUBSTANCES[c]) for c in substances],
        rows=rows,
        errored=[s for s in screens if s.error_at],
        days_since=days,
        last_unexpected=last,
    )
    return render(request, "clinical/screens.html", context)


@participant_view(Cap.DOCUMENT, post=Cap.DOCUMENT)
@admitted_only
def screen_create(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    panel = request.POST.get("panel") or request.GET.get("panel") or "12"
    form = DrugScreenForm(request.POST or None, panel=panel, initial={"panel": panel})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal.on_form(form):
            screen = services.drug_screen_record(
                actor=request.user,
                participant=participant,
                collected_on=data["collected_on"],
                panel=data["panel"],
                specimen=data["specimen"],
                observed=data["observed"],
                comment=data["comment"],
                results=form.results(),
            )
            if screen.unexpected_positive:
                messages.warning(
                    request,
                    "Recorded. An unexpected positive: a review is on the primary clinician's work list.",
                )
            if screen.unexpected_negative:
                messages.warning(
                    request,
                    "Recorded. Negative for a prescribed medication (possible non-adherence or diversion): "
                    "a review is on the primary clinician's work list.",
                )
            if not (screen.unexpected_positive or screen.unexpected_negative):
                messages.success(request, "Drug screen recorded.")
            return redirect("clinical:screens", participant.pk)
    template = (
        "clinical/_screen_rows.html" if request.headers.get("HX-Request") else "clinical/screen_new.html"
    )
    return render(
        request, template, chart_context(request, participant, form=form), status=400 if form.errors else 200
    )


def _screen(participant, screen_id) -> DrugScreen:
    screen = (
        DrugScreen.objects.filter(pk=screen_id, participant=participant)
        .select_related("recorded_by", "error_by")
        .first()
    )
    if screen is None:
        raise Http404("No such drug screen.")
    return screen


def _render_screen(request, participant, screen, status=200, **bound):
    context = chart_context(
        request,
        participant,
        screen=screen,
        results=list(screen.results.all()),
        confirm_form=ConfirmForm(),
        error_form=bound.get("error_form", ErrorForm()),
    )
    return render(request, "clinical/screen.html", context, status=status)


@participant_view(Cap.CHART)
def screen_detail(request, participant, screen_id: uuid.UUID):
    return _render_screen(request, participant, _screen(participant, screen_id))


@participant_view(post=Cap.DOCUMENT, get=False)
def screen_confirm(request, participant, screen_id: uuid.UUID, result_id: uuid.UUID):
    screen = _screen(participant, screen_id)
    result = DrugScreenResult.objects.filter(pk=result_id, screen=screen).first()
    if result is None:
        raise Http404("No such result.")
    form = ConfirmForm(request.POST)
    if form.is_valid():
        with refusal.as_message(request):
            services.drug_screen_confirm(actor=request.user, result=result, **form.cleaned_data)
            messages.success(request, "Confirmation recorded.")
    else:
        messages.error(request, "Choose a confirmation result.")
    return redirect("clinical:screen", participant.pk, screen.pk)


@participant_view(post=Cap.DOCUMENT, get=False)
def screen_error(request, participant, screen_id: uuid.UUID):
    screen = _screen(participant, screen_id)
    form = ErrorForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            services.drug_screen_mark_error(actor=request.user, screen=screen, **form.cleaned_data)
            messages.success(request, "Marked entered in error; it stays in the record.")
            return redirect("clinical:screens", participant.pk)
    return _render_screen(request, participant, screen, status=400, error_form=form)
