"""Program-level aftercare pages (no single participant): the director's outcomes report and CSV,
the check-in schedule settings, and alumni events for peer support and directors."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from bridge.accounts.models import Role
from bridge.aftercare import followup, outcomes, services
from bridge.aftercare.forms import AlumniEventForm, SettingsForm
from bridge.aftercare.models import AftercareSettings
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.core import csv_export
from bridge.programs.models import Program
from bridge.scheduling.access import may_take_attendance
from bridge.scheduling.conflicts.form_errors import booking_refusal
from bridge.scheduling.models import Attendance, Session, SessionKind

# Director's outcomes -----------------------------------------------------------------------------


def _director_programs(request) -> list:
    programs = list(request.user.programs_with_role(Role.DIRECTOR))
    if not programs:
        raise PermissionDenied("Outcomes are for program directors.")
    return programs


@require_GET
def outcomes_report(request):
    programs = _director_programs(request)
    today = timezone.localdate()
    rows = outcomes.outcomes(programs, today)
    audit_record(
        action=Action.READ,
        actor=request.user,
        object_type="aftercare_outcomes",
        detail={"view": "aftercare:outcomes"},
    )
    return render(request, "aftercare/outcomes.html", {"rows": rows, "today": today})


@require_GET
def outcomes_csv(request):
    programs = _director_programs(request)
    today = timezone.localdate()
    rows = outcomes.outcomes(programs, today)
    audit_record(
        action=Action.EXPORT, actor=request.user, object_type="aftercare_outcomes", detail={"format": "csv"}
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="aftercare-outcomes-{today}.csv"'
    writer = csv_export.writer(response)
    writer.writerow(
        [
            "days_after_discharge",
            "discharged",
            "reached",
            "in_recovery",
            "pct_of_discharged",
            "pct_of_reached",
            "readmitted",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r.days,
                r.discharged,
                r.reached,
                r.in_recovery,
                r.percent_of_discharged,
                r.percent_of_reached,
                r.readmitted,
            ]
        )
    return response


def _chosen_program(request, program_ids: list) -> tuple[Program, list[Program]]:
    """The program named by `?program=` (or the form's `program`) among the user's, else the first."""
    programs = list(Program.objects.filter(pk__in=program_ids).order_by("name"))
    wanted = request.POST.get("program") or request.GET.get("program")
    if not wanted:
        return programs[0], programs
    for program in programs:
        if str(program.pk) == wanted:
            return program, programs
    audit_record(
        action=Action.ACCESS_DENIED,
        actor=request.user,
        object_type="program",
        object_id=wanted[:80],
        outcome=Outcome.DENIED,
        detail={"view": request.resolver_match.view_name if request.resolver_match else request.path},
    )
    raise Http404("Not found.")


def aftercare_settings(request):
    """The director's check-in schedule for one of their programs (`?program=`; the first by name)."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    program, programs = _chosen_program(request, _director_programs(request))
    current = AftercareSettings.for_program(program)
    initial = {
        "checkin_days": ", ".join(str(d) for d in current.checkin_days),
        "grace_days": current.grace_days,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.aftercare_settings_update(actor=request.user, program=program, **form.cleaned_data)
        messages.success(request, "Check-in schedule saved; it applies to discharges from now on.")
        return redirect(f"{reverse('aftercare:settings')}?program={program.pk}")
    return render(
        request,
        "aftercare/settings.html",
        {"form": form, "program": program, "programs": programs},
        status=400 if form.errors else 200,
    )


def _peer_programs(request) -> list:
    programs = list(request.user.programs_with_role(Role.PEER, Role.DIRECTOR))
    if not programs:
        raise PermissionDenied("Alumni events are run by peer support and directors.")
    return programs


def alumni_events(request):
    """Alumni groups and events of the programs the user runs as peer or director: plan one, see turnout."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    programs = _peer_programs(request)
    program = Program.objects.filter(pk__in=programs).earliest("name")
    form = AlumniEventForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at = timezone.make_aware(datetime.combine(data["day"], data["start"]), program.tz)
        with booking_refusal(form):
            followup.alumni_event_create(
                actor=request.user,
                program=program,
                title=data["title"],
                starts_at=starts_at,
                minutes=data["minutes"],
                room=data["room"],
                confirm_reason=data["confirm_reason"],
            )
            messages.success(request, "Event on the calendar; current alumni are invited.")
            return redirect("aftercare:alumni_events")
    events = (
        Session.objects.filter(program_id__in=programs, kind=SessionKind.ALUMNI)
        .annotate(
            invited=Count("attendance", distinct=True),
            came=Count("attendance", filter=Q(attendance__status__in=Attendance.ATTENDED), distinct=True),
            # Replies from the participant app ("I'm coming"), counted apart from the roster.
            coming=Count("replies", filter=Q(replies__coming=True), distinct=True),
        )
        .select_related("staff", "program")
        .order_by("-starts_at")[:24]
    )
    # The attendance screen (bridge/scheduling) is where turnout is recorded, by the event's leader
    # or the program's directors and front desk.
    takes_attendance = {event.pk for event in events if may_take_attendance(request.user, event)}
    return render(
        request,
        "aftercare/alumni_events.html",
        {
            "form": form,
            "events": events,
            "takes_attendance": takes_attendance,
            "program": program,
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )
