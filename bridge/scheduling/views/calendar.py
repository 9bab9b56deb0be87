"""The program's calendar of closures, and what counts toward hours for each payer (directors).

Front desk reads the closures (they move or cancel what falls on a closed day); directors edit.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.scheduling import qualifying
from bridge.scheduling.access import deny, require_schedule_program
from bridge.scheduling.closures import closed_days, closure_calendar
from bridge.scheduling.forms import ClosureForm, ServiceRuleForm
from bridge.scheduling.models import PayerRule, SessionType
from bridge.scheduling.services import calendar as services

UPCOMING_DAYS = 120


def _year(request, today: date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= 2100 else today.year


def _affected_upcoming(program, today: date) -> list[tuple[date, str, list]]:
    """Closed days ahead that still have sessions scheduled, with the participants affected."""
    found = []
    for day, name in closed_days(program, today, today + timedelta(days=UPCOMING_DAYS)).items():
        affected = services.sessions_on_closed_day(program, day)
        if affected:
            found.append((day, name, affected))
    return found


@require_http_methods(["GET", "POST"])
def closures(request: StaffRequest) -> HttpResponse:
    program = require_schedule_program(request, "program_closures")
    is_director = request.user.has_role(Role.DIRECTOR, program.pk)
    if request.method == "POST" and not is_director:
        raise deny(request, "program_closures", str(program.pk))
    today = timezone.localtime(timezone.now(), program.tz).date()
    year = _year(request, today)
    form = ClosureForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            with refusal.on_form(form):
                row, affected = services.closure_set(
                    actor=request.user,
                    program=program,
                    day=data["day"],
                    name=data["name"],
                    closed=data["closed"],
                )
                state = "closed" if row.closed else "open"
                messages.success(request, f"{row.day:%a %b %-d, %Y} ({row.name}): the program is {state}.")
                for a in affected:
                    names = ", ".join(p.display_name for p in a.participants) or "no one"
                    messages.warning(
                        request,
                        f"Still scheduled that day: {a.session.display_title} at "
                        f"{timezone.localtime(a.session.starts_at, program.tz):%H:%M} — move or cancel it. "
                        f"Participants affected ({len(a.participants)}): {names}.",
                    )
                return redirect(f"{request.path}?program={program.pk}&year={row.day.year}")
        status = 400
    upcoming = _affected_upcoming(program, today)
    for _, _, affected in upcoming:
        for a in affected:
            for p in a.participants:
                audit_record(
                    action=Action.READ,
                    actor=request.user,
                    participant=p,
                    object_type="session",
                    object_id=str(a.session.pk),
                    detail={"view": "scheduling:closures"},
                )
    context = {
        "program": program,
        "year": year,
        "days": closure_calendar(program, year),
        "form": form,
        "is_director": is_director,
        "upcoming": upcoming,
        "today": today,
    }
    return render(request, "scheduling/closures.html", context, status=status)


@require_http_methods(["GET", "POST"])
def counting(request: StaffRequest) -> HttpResponse:
    """The table of what counts (per session type and payer), and the form that changes one cell."""
    program = require_schedule_program(request, "service_rules")
    is_director = request.user.has_role(Role.DIRECTOR, program.pk)
    if request.method == "POST" and not is_director:
        raise deny(request, "service_rules", str(program.pk))
    form = ServiceRuleForm(request.POST or None, program=program)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            with refusal.on_form(form):
                services.service_rule_set(actor=request.user, program=program, **data)
                who = data["payer"].name if data["payer"] else "the program default"
                messages.success(request, f"Saved: {data['session_type'].name} for {who}.")
                return redirect(f"{request.path}?program={program.pk}")
        status = 400
    types = list(SessionType.objects.filter(program=program, is_active=True).order_by("category", "name"))
    payers = [None, *PayerRule.objects.filter(program=program, is_active=True).order_by("name")]
    rules = qualifying.Rules(program)
    words = {"in_person": "in person", "telehealth": "video", "audio_only": "audio only"}
    table = []
    for t in types:
        cells = []
        for payer in payers:
            c = rules.counting(t.pk, t.category, payer)
            cells.append(
                {
                    "hours": c.counts_toward_hours,
                    "billable": c.billable_service,
                    "modalities": ", ".join(
                        words[m] for m in ("in_person", "telehealth", "audio_only") if m in c.modalities
                    )
                    or "—",
                    "source": c.source,
                }
            )
        table.append((t, cells))
    context = {"program": program, "payers": payers, "table": table, "form": form, "is_director": is_director}
    return render(request, "scheduling/counting.html", context, status=status)
