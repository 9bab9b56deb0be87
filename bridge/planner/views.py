from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from itertools import groupby

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridge.accounts.http import StaffRequest
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.billing.queries import outside_authorization
from bridge.core import refusal
from bridge.core.weeks import iso_week, monday_of
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant
from bridge.planner import services
from bridge.planner.access import clinician_for, require_director, rule_for, run_for
from bridge.planner.forms import (
    ClinicianHoursForm,
    ClinicianScheduleForm,
    RequirementForm,
    RuleCreateForm,
    RuleForm,
    TimeBlockForm,
    WeekForm,
)
from bridge.planner.models import (
    AppointmentRule,
    ClinicianHours,
    ClinicianSchedule,
    ParticipantRequirement,
    ScheduleRun,
)

# --- The director's schedule page -------------------------------------------------------------------


def _schedule_page(request: StaffRequest, programs, form: WeekForm, status: int = 200) -> HttpResponse:
    runs = (
        ScheduleRun.objects.filter(program__in=programs)
        .select_related("program", "created_by")
        .order_by("-created_at")[:20]
    )
    return render(request, "planner/schedule.html", {"form": form, "runs": runs}, status=status)


@require_GET
def schedule_home(request: StaffRequest) -> HttpResponse:
    programs = require_director(request)
    next_week = iso_week(monday_of(timezone.localdate()) + timedelta(days=7))
    return _schedule_page(request, programs, WeekForm(initial={"week": next_week}, programs=programs))


@require_POST
def schedule_preview(request: StaffRequest) -> HttpResponse:
    programs = require_director(request)
    form = WeekForm(request.POST, programs=programs)
    if form.is_valid():
        program, week_start = form.cleaned_data["program"], form.cleaned_data["week"]
        done = services.committed_run(program, week_start)
        if done is not None:
            messages.info(request, f"{done.iso_week} is already committed; here is what was scheduled.")
            return redirect("planner:run", run_id=done.pk)
        with refusal.on_form(form):
            run = services.schedule_run_create(actor=request.user, program=program, week_start=week_start)
            return redirect("planner:run", run_id=run.pk)
    return _schedule_page(request, programs, form, status=400)


@require_GET
def run_detail(request: StaffRequest, run_id: uuid.UUID) -> HttpResponse:
    run = run_for(request, run_id)
    tz = run.program.tz
    appointments = list(
        run.appointments.select_related("participant", "staff", "room").order_by("starts_at", "kind")
    )
    placed = [a for a in appointments if a.placed]
    days = [
        (day, list(items))
        for day, items in groupby(placed, key=lambda a: timezone.localtime(a.starts_at, tz).date())
    ]
    unplaced = sorted(
        (a for a in appointments if not a.placed), key=lambda a: (a.reason, a.participant.last_name)
    )
    # Placing is not paying: list what no authorization would cover before anyone commits it.
    outside = outside_authorization(
        [
            (
                a.participant,
                timezone.localtime(a.starts_at, tz).date(),
                f"{a.get_kind_display()} {timezone.localtime(a.starts_at, tz):%H:%M}",
            )
            for a in placed
        ],
        tz,
    )
    loads = []
    for row in run.loads:
        total = row["booked"] + row["added"]
        percent = round(100 * total / row["capacity"]) if row["capacity"] else 0
        loads.append({**row, "total": total, "percent": percent, "over": total > row["capacity"]})
    audit_record(
        action=Action.READ,
        actor=request.user,
        object_type="schedule_run",
        object_id=str(run.pk),
        detail={"view": "planner:run"},
    )
    return render(
        request,
        "planner/run.html",
        {
            "run": run,
            "days": days,
            "placed_count": len(placed),
            "unplaced": unplaced,
            "outside": outside,
            "loads": loads,
            "tz": tz,
            "week_end": run.week_start + timedelta(days=6),
        },
    )


@require_POST
def run_commit(request: StaffRequest, run_id: uuid.UUID) -> HttpResponse:
    run = run_for(request, run_id)
    with refusal.as_message(request):
        committed, created = services.schedule_run_commit(actor=request.user, run=run)
        if run.status == ScheduleRun.Status.PROPOSED and committed.pk == run.pk:
            if committed.is_top_up:
                messages.success(request, f"Added {created} appointments to {committed.iso_week}.")
            else:
                messages.success(
                    request, f"Committed {committed.iso_week}: {created} appointments are on the calendar."
                )
        else:
            messages.info(request, f"{committed.iso_week} was already committed; nothing new was created.")
        return redirect("planner:run", run_id=committed.pk)
    return redirect("planner:run", run_id=run.pk)


@require_POST
def run_top_up(request: StaffRequest, run_id: uuid.UUID) -> HttpResponse:
    """From a committed week: propose what is still due (people admitted since, changed needs)."""
    run = run_for(request, run_id)
    with refusal.as_message(request):
        proposal = services.schedule_run_create(
            actor=request.user, program=run.program, week_start=run.week_start, top_up=True
        )
        return redirect("planner:run", run_id=proposal.pk)
    return redirect("planner:run", run_id=run.pk)


@require_POST
def run_discard(request: StaffRequest, run_id: uuid.UUID) -> HttpResponse:
    run = run_for(request, run_id)
    with refusal.as_message(request):
        services.schedule_run_discard(actor=request.user, run=run)
        messages.info(request, "Proposal discarded.")
        return redirect("planner:home")
    return redirect("planner:run", run_id=run.pk)


# --- Program rules ---------------------------------------------------------------------------------------


@require_GET
def rules_list(request: StaffRequest) -> HttpResponse:
    programs = require_director(request)
    rules = AppointmentRule.objects.filter(program__in=programs).select_related("program").order_by("kind")
    return render(request, "planner/rules.html", {"rules": rules})


@require_http_methods(["GET", "POST"])
def rule_create(request: StaffRequest) -> HttpResponse:
    programs = require_director(request)
    form = RuleCreateForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "program"}
        with refusal.on_form(form):
            services.rule_create(actor=request.user, program=form.cleaned_data["program"], **data)
            messages.success(request, "Added. The next schedule run uses it.")
            return redirect("planner:rules")
    return render(request, "planner/rule_form.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def rule_edit(request: StaffRequest, rule_id: uuid.UUID) -> HttpResponse:
    rule = rule_for(request, rule_id)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        fresh = AppointmentRule.objects.get(pk=rule.pk)
        with refusal.on_form(form):
            services.rule_update(actor=request.user, rule=fresh, **form.cleaned_data)
            messages.success(request, "Saved. The next schedule run uses it.")
            return redirect("planner:rules")
    return render(
        request, "planner/rule_form.html", {"form": form, "rule": rule}, status=400 if form.errors else 200
    )


# --- A participant's availability and needs ----------------------------------------------------------------


def _requirements(participant: Participant) -> list[dict]:
    rules = AppointmentRule.objects.filter(program_id=participant.program_id, is_active=True).order_by("kind")
    overrides = {o.rule_id: o for o in ParticipantRequirement.objects.filter(participant=participant)}
    rows = []
    for rule in rules:
        o = overrides.get(rule.pk)
        needed = (o.status == ParticipantRequirement.Status.REQUIRED) if o else rule.applies_by_default
        rows.append(
            {
                "rule": rule,
                "override": o,
                "needed": needed,
                "every_weeks": (o and o.every_weeks) or rule.every_weeks,
                "minutes": (o and o.minutes) or rule.minutes,
                "modality": (o and o.get_modality_display()) or rule.get_modality_display(),
                "form": RequirementForm(
                    initial={
                        "status": o.status if o else ("required" if rule.applies_by_default else "waived"),
                        "every_weeks": o.every_weeks if o else None,
                        "minutes": o.minutes if o else None,
                        "modality": o.modality if o else "",
                    },
                    prefix=f"r{rule.pk.hex[:8]}",
                ),
            }
        )
    return rows


def _availability_page(request, participant, form=None, status: int = 200) -> HttpResponse:
    caps = request.participant_caps
    return render(
        request,
        "planner/availability.html",
        {
            "participant": participant,
            "blocks": participant.time_blocks.order_by("weekday", "start_time"),
            "requirements": _requirements(participant),
            "form": form or TimeBlockForm(),
            "can_edit": Cap.EDIT in caps,
        },
        status=status,
    )


@participant_view(Cap.VIEW)
def availability(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    return _availability_page(request, participant)


@participant_view(post=Cap.EDIT, get=False)
def availability_add(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form = TimeBlockForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            services.time_block_add(actor=request.user, participant=participant, **form.cleaned_data)
            messages.success(request, "Added.")
            return redirect("planner:availability", participant_id=participant.pk)
    return _availability_page(request, participant, form, status=400)


@participant_view(post=Cap.EDIT, get=False)
def availability_remove(
    request: ParticipantRequest, participant: Participant, block_id: uuid.UUID
) -> HttpResponse:
    block = participant.time_blocks.filter(pk=block_id).first()
    if block is None:
        raise Http404("No such time.")
    services.time_block_remove(actor=request.user, block=block)
    messages.success(request, "Removed.")
    return redirect("planner:availability", participant_id=participant.pk)


@participant_view(post=Cap.EDIT, get=False)
def requirement_set(
    request: ParticipantRequest, participant: Participant, rule_id: uuid.UUID
) -> HttpResponse:
    rule = AppointmentRule.objects.filter(pk=rule_id, program_id=participant.program_id).first()
    if rule is None:
        raise Http404("No such requirement.")
    form = RequirementForm(request.POST, prefix=f"r{rule.pk.hex[:8]}")
    if form.is_valid():
        services.requirement_set(actor=request.user, participant=participant, rule=rule, **form.cleaned_data)
        messages.success(request, f"Saved: {rule.name}.")
        return redirect("planner:availability", participant_id=participant.pk)
    messages.error(
        request, "; ".join(f"{form.fields[f].label}: {' '.join(map(str, e))}" for f, e in form.errors.items())
    )
    return _availability_page(request, participant, status=400)


# --- A clinician's hours ------------------------------------------------------------------------------


def _hours_page(request, staff, programs, hours_form=None, schedule_form=None, status: int = 200):
    schedule = ClinicianSchedule.objects.filter(staff=staff, program=programs[0]).first()
    if schedule_form is None:
        capacity = schedule.weekly_capacity_minutes if schedule else 20 * 60
        schedule_form = ClinicianScheduleForm(
            initial={
                "weekly_capacity_hours": Decimal(capacity) / 60,
                "telehealth_url": schedule.telehealth_url if schedule else "",
            }
        )
    return render(
        request,
        "planner/clinician_hours.html",
        {
            "staff": staff,
            "programs": programs,
            "hours": ClinicianHours.objects.filter(staff=staff, program__in=programs)
            .select_related("program")
            .order_by("program__name", "weekday", "start_time"),
            "hours_form": hours_form or ClinicianHoursForm(programs=programs),
            "schedule_form": schedule_form,
            "is_self": staff == request.user,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def clinician_hours(request: StaffRequest, user_id: uuid.UUID) -> HttpResponse:
    staff, programs = clinician_for(request, user_id)
    if request.method == "POST":
        form = ClinicianScheduleForm(request.POST)
        if form.is_valid():
            services.clinician_schedule_update(
                actor=request.user,
                staff=staff,
                program=programs[0],
                weekly_capacity_minutes=int(form.cleaned_data["weekly_capacity_hours"] * 60),
                telehealth_url=form.cleaned_data["telehealth_url"],
            )
            messages.success(request, "Saved.")
            return redirect("planner:clinician_hours", user_id=staff.pk)
        return _hours_page(request, staff, programs, schedule_form=form, status=400)
    return _hours_page(request, staff, programs)


@require_POST
def clinician_hours_add(request: StaffRequest, user_id: uuid.UUID) -> HttpResponse:
    staff, programs = clinician_for(request, user_id)
    form = ClinicianHoursForm(request.POST, programs=programs)
    if form.is_valid():
        services.clinician_hours_add(actor=request.user, staff=staff, **form.cleaned_data)
        messages.success(request, "Hours added.")
        return redirect("planner:clinician_hours", user_id=staff.pk)
    return _hours_page(request, staff, programs, hours_form=form, status=400)


@require_POST
def clinician_hours_remove(request: StaffRequest, user_id: uuid.UUID, row_id: uuid.UUID) -> HttpResponse:
    staff, programs = clinician_for(request, user_id)
    row = ClinicianHours.objects.filter(pk=row_id, staff=staff, program__in=programs).first()
    if row is None:
        raise Http404("No such hours.")
    services.clinician_hours_remove(actor=request.user, row=row)
    messages.success(request, "Removed.")
    return redirect("planner:clinician_hours", user_id=staff.pk)


@require_GET
def my_hours(request: StaffRequest) -> HttpResponse:
    return redirect("planner:clinician_hours", user_id=request.user.pk)
