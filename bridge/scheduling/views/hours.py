"""Hours this week (the program's ledger), its CSV exports, and a participant's weekly hours."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bridge.accounts.http import StaffRequest
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import csv_export, refusal
from bridge.core.weeks import iso_week, monday_of
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import EpisodeOfCare
from bridge.scheduling import ledger
from bridge.scheduling.access import require_director_program, require_schedule_program
from bridge.scheduling.forms import EpisodePayerForm, StepDownForm, WeekPickerForm
from bridge.scheduling.hours import format_minutes
from bridge.scheduling.models import Attendance, StepDownException
from bridge.scheduling.services import hours as services

HISTORY_WEEKS = 8


def _week(request, program):
    form = WeekPickerForm(request.GET or None)
    today = timezone.localtime(timezone.now(), program.tz).date()
    week = form.cleaned_data.get("week") if form.is_valid() else None
    return form, week or monday_of(today)


def _sorted(lines):
    def key(line):
        rank = 0 if line.below_floor else 1 if (line.excepted or line.planned) else 2
        return (rank, -line.shortfall_minutes)

    return sorted(lines, key=key)


@require_http_methods(["GET"])
def hours_week(request: StaffRequest) -> HttpResponse:
    program = require_schedule_program(request, "hours_ledger")
    form, week = _week(request, program)
    lines = _sorted(ledger.week_ledger(program, week))
    audit_record(
        action=Action.SEARCH,
        actor=request.user,
        object_type="hours_ledger",
        object_id=str(program.pk),
        detail={"week": iso_week(week), "shown": len(lines)},
    )
    context = {
        "program": program,
        "form": form,
        "week": week,
        "week_label": iso_week(week),
        "prev_week": iso_week(week - timedelta(weeks=1)),
        "next_week": iso_week(week + timedelta(weeks=1)),
        "lines": lines,
        "below": sum(1 for line in lines if line.below_floor),
        "excepted": sum(1 for line in lines if line.excepted or line.planned),
        "days": [week + timedelta(days=d) for d in range(7)],
        "is_director": request.user.has_role("director", program.pk),
        "bad_week": form.is_bound and not form.is_valid(),
        "extra_qs": f"&program={program.pk}",
    }
    return render(request, "scheduling/hours.html", context, status=400 if context["bad_week"] else 200)


def _csv_response(filename: str) -> tuple[HttpResponse, csv_export.SafeWriter]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, csv_export.writer(response)


@require_http_methods(["GET"])
def hours_csv(request: StaffRequest) -> HttpResponse:
    """The ledger of one week as CSV (directors)."""
    program = require_director_program(request, "hours_ledger_export")
    form, week = _week(request, program)
    if form.is_bound and not form.is_valid():
        return HttpResponse(str(form.errors["week"][0]), status=400, content_type="text/plain")
    lines = ledger.week_ledger(program, week)
    response, out = _csv_response(f"hours-{iso_week(week)}.csv")
    days = [week + timedelta(days=d) for d in range(7)]
    out.writerow(
        [
            "participant_id",
            "name",
            "week",
            "level",
            "age_group",
            "attended_minutes",
            "floor_minutes",
            "shortfall_minutes",
            "below_floor",
            "floor_source",
            "floor_label",
            "partial_week",
            "payer_code",
            "payer_qualifying_days",
            "payer_rule_met",
            "qualifying_minutes",
            "total_minutes",
            "not_counted",
            "over_intensity",
            "services_per_day",
        ]
        + [d.isoformat() for d in days]
    )
    for line in lines:
        assert line.participant is not None  # the week's ledger names each line's participant
        out.writerow(
            [
                line.participant_id,
                line.participant.display_name,
                iso_week(week),
                line.level,
                "adolescent" if line.adolescent else "adult",
                line.attended_minutes,
                "" if line.floor_minutes is None else line.floor_minutes,
                line.shortfall_minutes,
                "yes" if line.below_floor else "no",
                line.source,
                line.label,
                "yes" if line.partial_week else "no",
                line.payer.code if line.payer else "",
                "" if line.payer is None else line.qualifying_days,
                "" if line.payer is None else ("yes" if line.payer_rule_met else "no"),
                line.qualifying_minutes,
                line.total_minutes,
                # Each service that did not count: session id, minutes, reason (one per "; ").
                "; ".join(f"{s.session_id} {s.minutes} min: {s.reason}" for s in line.not_counted),
                "yes" if line.over_intensity else "no",
                " ".join(f"{d.isoformat()}={n}" for d, n in sorted(line.services_per_day.items())),
            ]
            + [line.minutes_by_day.get(d, 0) for d in days]
        )
    audit_record(
        action=Action.EXPORT,
        actor=request.user,
        object_type="hours_ledger",
        object_id=str(program.pk),
        detail={"week": iso_week(week), "rows": len(lines), "format": "csv"},
    )
    return response


@require_http_methods(["GET"])
def attendance_csv(request: StaffRequest) -> HttpResponse:
    """Every attendance row of one week's sessions as CSV (directors)."""
    program = require_director_program(request, "attendance_export")
    form, week = _week(request, program)
    if form.is_bound and not form.is_valid():
        return HttpResponse(str(form.errors["week"][0]), status=400, content_type="text/plain")
    start, end = ledger.week_range(week, program.tz)
    rows = (
        Attendance.objects.filter(
            session__program=program, session__starts_at__gte=start, session__starts_at__lt=end
        )
        .select_related("participant", "session", "session__session_type", "session__staff", "recorded_by")
        .order_by("session__starts_at", "participant__last_name", "participant__first_name")
    )
    response, out = _csv_response(f"attendance-{iso_week(week)}.csv")
    out.writerow(
        [
            "session_id",
            "session_start",
            "session_end",
            "session_kind",
            "session",
            "session_status",
            "staff",
            "participant_id",
            "participant",
            "status",
            "arrived",
            "departed",
            "minutes",
            "recorded_by",
            "recorded_at",
        ]
    )
    tz = program.tz
    count = 0

    def at(value):
        return timezone.localtime(value, tz).isoformat(timespec="minutes") if value else ""

    for a in rows:
        s = a.session
        out.writerow(
            [
                s.pk,
                at(s.starts_at),
                at(s.ends_at),
                s.kind,
                s.display_title,
                s.status,
                s.staff.get_username(),
                a.participant_id,
                a.participant.display_name,
                a.status,
                at(a.arrived_at),
                at(a.departed_at),
                "" if a.minutes is None else a.minutes,
                a.recorded_by.get_username() if a.recorded_by else "",
                at(a.recorded_at),
            ]
        )
        count += 1
    audit_record(
        action=Action.EXPORT,
        actor=request.user,
        object_type="attendance",
        object_id=str(program.pk),
        detail={"week": iso_week(week), "rows": count, "format": "csv"},
    )
    return response


@participant_view(Cap.VIEW, post=Cap.EDIT)
def participant_hours(request: ParticipantRequest, participant) -> HttpResponse:
    """A participant's last weeks of hours; the payer their episode is billed under (EDIT to change)."""
    program = participant.program
    episode = EpisodeOfCare.objects.filter(participant=participant).select_related("payer__rule").first()
    payer_form = EpisodePayerForm(
        request.POST if request.method == "POST" else None,
        program=program,
        initial={"rule": getattr(getattr(episode, "payer", None), "rule", None)},
    )
    status = 200
    if request.method == "POST":
        if episode is None:
            payer_form.add_error(None, "This participant has no episode of care yet.")
        elif payer_form.is_valid():
            services.episode_payer_set(
                actor=request.user, episode=episode, rule=payer_form.cleaned_data["rule"]
            )
            messages.success(request, "Payer saved.")
            return redirect("scheduling:participant_hours", participant.pk)
        status = 400
    this_week = monday_of(timezone.localtime(timezone.now(), program.tz).date())
    weeks = [ledger.hours_for(participant, this_week - timedelta(weeks=k)) for k in range(HISTORY_WEEKS)]
    caps = request.participant_caps
    context = {
        "participant": participant,
        "weeks": weeks,
        "episode": episode,
        "payer_form": payer_form,
        "may_edit": Cap.EDIT in caps,
        "may_except": Cap.DOCUMENT in caps,
        "exceptions": StepDownException.objects.filter(participant=participant).select_related("granted_by"),
    }
    return render(request, "scheduling/participant_hours.html", context, status=status)


@participant_view(Cap.DOCUMENT, post=Cap.DOCUMENT)
def step_down_exception(request: ParticipantRequest, participant) -> HttpResponse:
    """Grant a step-down exception: fewer weekly hours for one or two weeks, with a reason."""
    program = participant.program
    this_week = monday_of(timezone.localtime(timezone.now(), program.tz).date())
    form = StepDownForm(request.POST or None, initial={"first_week": iso_week(this_week), "floor_hours": 6})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            with refusal.on_form(form, aliases={"floor_minutes": "floor_hours"}):
                services.step_down_grant(
                    actor=request.user,
                    participant=participant,
                    first_week=data["first_week"],
                    weeks=data["weeks"],
                    floor_minutes=data["floor_hours"],
                    reason=data["reason"],
                )
                messages.success(
                    request,
                    f"Step-down exception saved: {format_minutes(data['floor_hours'])} a week allowed.",
                )
                return redirect("scheduling:participant_hours", participant.pk)
        status = 400
    return render(
        request, "scheduling/step_down_form.html", {"participant": participant, "form": form}, status=status
    )
