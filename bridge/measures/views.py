"""Staff pages: a participant's measures (due, alerts, charts), giving one, links, schedules."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bridge import instruments
from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role
from bridge.core import refusal
from bridge.intake.models import InstrumentAdministration, IntakeSettings
from bridge.intake.services import administration_mark_error
from bridge.measures import queries, services
from bridge.measures.forms import AcknowledgeForm, ErrorForm, InstrumentForm, LinkForm, ScheduleForm
from bridge.measures.models import MeasureLink, MeasureSchedule
from bridge.measures.schedule import DEFAULT_EVERY_DAYS, SCHEDULABLE, effective_every_days
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.chart import chart_context
from bridge.participants.models import Participant
from bridge.programs.models import Program


def _overview(request, participant: Participant, *, status: int = 200, **extra) -> HttpResponse:
    summary = queries.summary_for(participant, links=True)
    program_effective = effective_every_days(summary.program_every)
    schedule_form = extra.pop("schedule_form", None) or ScheduleForm(
        current=summary.participant_every, fallback=program_effective
    )
    context = chart_context(
        request,
        participant,
        m=summary,
        schedule_form=schedule_form,
        link_form=LinkForm(),
        ack_form=AcknowledgeForm(),
        **extra,
    )
    return render(request, "measures/overview.html", context, status=status)


@participant_view(Cap.CHART)
def overview(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    return _overview(request, participant)


def _definition(code: str) -> instruments.Instrument:
    if code not in SCHEDULABLE:
        raise Http404("No such measure.")
    return instruments.get(code)


@participant_view(Cap.DOCUMENT, post=Cap.DOCUMENT)
def give(request: ParticipantRequest, participant: Participant, code: str) -> HttpResponse:
    definition = _definition(code)
    scoring = IntakeSettings.for_program(participant.program).scoring()
    form = InstrumentForm(request.POST or None, instrument=definition, scoring=scoring)
    if request.method == "POST" and form.is_valid():
        row = services.measure_record(
            actor=request.user,
            participant=participant,
            instrument=definition.code,
            responses=form.responses,
            sex=form.cleaned_data.get("sex"),
        )
        text = f"{row.instrument} saved: {row.total_label}, {row.band_label}."
        if services.safety_alerts(row):
            messages.warning(
                request, text + " Safety alert: it is at the top of the chart until acknowledged."
            )
        else:
            messages.success(request, text)
        return redirect("measures:overview", participant.pk)
    context = chart_context(request, participant, form=form, instrument=definition)
    return render(request, "measures/give.html", context, status=400 if form.errors else 200)


@participant_view(post=Cap.DOCUMENT, get=False)
def link_create(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _overview(request, participant, status=400, link_errors=form.errors)
    link, token = services.measure_link_create(
        actor=request.user, participant=participant, instrument=form.cleaned_data["instrument"]
    )
    url = request.build_absolute_uri(reverse("measures:respond", args=[token]))
    # Shown once: only the token's hash is stored. The page is not cached (see base security headers).
    return render(request, "measures/link_made.html", chart_context(request, participant, link=link, url=url))


@participant_view(post=Cap.DOCUMENT, get=False)
def link_revoke(request: ParticipantRequest, participant: Participant, link_id: uuid.UUID) -> HttpResponse:
    link = MeasureLink.objects.filter(pk=link_id, participant=participant).first()
    if link is None:
        raise Http404("No such link.")
    with refusal.as_message(request):
        services.measure_link_revoke(actor=request.user, link=link)
        messages.success(request, f"The {link.instrument} link …{link.hint} no longer works.")
    return redirect("measures:overview", participant.pk)


@participant_view(post=Cap.DOCUMENT, get=False)
def acknowledge(
    request: ParticipantRequest, participant: Participant, administration_id: uuid.UUID
) -> HttpResponse:
    row = (
        InstrumentAdministration.objects.filter(pk=administration_id, participant=participant)
        .select_related("participant")
        .first()
    )
    if row is None:
        raise Http404("No such result.")
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        with refusal.as_message(request):
            services.alert_acknowledge(actor=request.user, administration=row, note=form.cleaned_data["note"])
            messages.success(request, f"{row.instrument} alert acknowledged.")
        return redirect("measures:overview", participant.pk)
    return _overview(request, participant, status=400, ack_errors=form.errors)


@participant_view(post=Cap.DOCUMENT, get=False)
def mark_error(
    request: ParticipantRequest, participant: Participant, administration_id: uuid.UUID
) -> HttpResponse:
    """A result given by mistake is marked entered in error (with the reason); it is never deleted."""
    row = InstrumentAdministration.objects.filter(pk=administration_id, participant=participant).first()
    if row is None:
        raise Http404("No such result.")
    form = ErrorForm(request.POST)
    if not form.is_valid():
        return _overview(request, participant, status=400, error_errors=form.errors)
    with refusal.as_message(request):
        administration_mark_error(actor=request.user, administration=row, reason=form.cleaned_data["reason"])
        messages.success(request, f"{row.instrument} result marked entered in error; it stays on record.")
    return redirect("measures:overview", participant.pk)


@participant_view(post=Cap.DOCUMENT, get=False)
def participant_schedule(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    program_every, own = queries.schedules_for(participant)
    form = ScheduleForm(request.POST, current=own, fallback=effective_every_days(program_every))
    if not form.is_valid():
        return _overview(request, participant, status=400, schedule_form=form)
    changed = form.changes(own)
    for code, days in changed.items():
        services.schedule_set(
            actor=request.user,
            program=participant.program,
            participant=participant,
            instrument=code,
            every_days=days,
        )
    messages.success(request, "Schedule saved." if changed else "No change to the schedule.")
    return redirect("measures:overview", participant.pk)


@require_http_methods(["GET", "POST"])
def program_schedule(request: StaffRequest) -> HttpResponse:
    """A director sets the program's default measure schedule."""
    program = (
        Program.objects.filter(pk__in=request.user.programs_with_role(Role.DIRECTOR)).order_by("name").first()
    )
    if program is None:
        raise PermissionDenied("Program directors set the measure schedule.")
    current = dict(DEFAULT_EVERY_DAYS)
    for row in MeasureSchedule.objects.filter(program=program, participant__isnull=True):
        current[row.instrument] = row.every_days
    form = ScheduleForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            for code, days in form.changes(current).items():
                services.schedule_set(actor=request.user, program=program, instrument=code, every_days=days)
            messages.success(request, "Program measure schedule saved.")
            return redirect("measures:program_schedule")
    return render(
        request,
        "measures/program_schedule.html",
        {"program": program, "form": form, "defaults": DEFAULT_EVERY_DAYS},
        status=400 if form.errors else 200,
    )
