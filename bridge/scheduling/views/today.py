"""Today at the desk (front desk, nurses, directors): who is expected now and next, with check-in;
who has not arrived ten minutes after the start (phone number, a "called" note); drug screens and
injections due today and this week; measures due; today's sessions with conflicts.

The page refreshes itself every minute with htmx (bridge/static/bridge/today.js), and never while
someone is typing in it. Names shown follow the participant access rule; injections (medication
information) only for those who may read the clinical record. A fixed number of queries.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bridge.accounts.models import Role
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core.weeks import monday_of
from bridge.participants.access import Cap, visible
from bridge.participants.models import Participant
from bridge.programs.models import Program
from bridge.scheduling.access import SCHEDULE_ROLES, deny
from bridge.scheduling.conflicts import week_conflicts
from bridge.scheduling.forms import CallNoteForm
from bridge.scheduling.models import ArrivalCall, Attendance, Session, SessionKind
from bridge.scheduling.services.attendance import arrival_call_note, attendance_check_in

TODAY_ROLES = (Role.DIRECTOR, Role.FRONT_DESK, Role.NURSE)
IN_CARE = (Participant.Status.ACTIVE, Participant.Status.STEP_DOWN)
NOT_ARRIVED_AFTER = timedelta(minutes=10)
REFRESH_SECONDS = 60


def today_programs(user) -> list[Program]:
    return list(Program.objects.filter(pk__in=user.programs_with_role(*TODAY_ROLES)).order_by("name"))


def _program(request) -> Program:
    wanted = request.GET.get("program") or request.POST.get("program")
    for program in today_programs(request.user):
        if not wanted or str(program.pk) == wanted:
            return program
    raise deny(request, "today", wanted or "")


def _injections_due(program, ids: set, today, within: int = 7) -> list[tuple]:
    """(due date, participant) for active injectable orders due within a week (or never given)."""
    from bridge.clinical.medication import DRUGS
    from bridge.clinical.models import Administration, MedicationOrder

    injectable = [code for code, d in DRUGS.items() if d.injectable]
    orders = list(
        MedicationOrder.objects.filter(
            participant__program=program, participant_id__in=ids, drug__in=injectable, stop_on__isnull=True
        ).select_related("participant")
    )
    last = {}
    for dose in Administration.objects.filter(order__in=orders, error_at__isnull=True).order_by("given_at"):
        last[dose.order_id] = dose
    due = []
    for o in orders:
        dose = last.get(o.pk)
        next_on = dose.next_due_on if dose else o.start_on
        if next_on is None or next_on <= today + timedelta(days=within):
            due.append((next_on or today, o))
    return sorted(due, key=lambda pair: (pair[0], pair[1].participant.last_name))


def _board(request, program: Program) -> dict:
    user, tz, now = request.user, program.tz, timezone.now()
    today = timezone.localtime(now, tz).date()
    week = monday_of(today)
    day_start = datetime.combine(today, time(0), tzinfo=tz)
    week_end = datetime.combine(week + timedelta(days=7), time(0), tzinfo=tz)
    rosters = Prefetch(
        "attendance",
        queryset=Attendance.objects.select_related("participant")
        .only(
            "id",
            "session_id",
            "participant_id",
            "status",
            "arrived_at",
            "participant__id",
            "participant__first_name",
            "participant__last_name",
            "participant__preferred_name",
            "participant__phone",
            "participant__program_id",
        )
        .order_by("participant__last_name", "participant__first_name"),
        to_attr="rows",
    )
    live = Session.objects.filter(program=program).exclude(status=Session.Status.CANCELLED)
    # Today's sessions with their rosters; for the rest of the week only the drug-screen visits.
    todays = list(
        live.filter(starts_at__gte=day_start, starts_at__lt=day_start + timedelta(days=1))
        .select_related("staff", "room", "session_type", "series")
        .prefetch_related(rosters)
        .order_by("starts_at")
    )
    later_screens = list(
        live.filter(
            starts_at__gte=day_start + timedelta(days=1), starts_at__lt=week_end, kind=SessionKind.DRUG_SCREEN
        )
        .select_related("staff", "session_type")
        .prefetch_related(rosters)
        .order_by("starts_at")
    )
    sessions = todays + later_screens
    ids = {a.participant_id for s in sessions for a in s.rows}
    seen = set(visible(Participant.objects.filter(pk__in=ids), user).values_list("pk", flat=True))
    may_see_injections = bool(user.roles_in(program.pk) & {Role.NURSE, Role.DIRECTOR})
    chart = (
        set(
            visible(
                Participant.objects.filter(program=program, status__in=IN_CARE), user, Cap.CHART
            ).values_list("pk", flat=True)
        )
        if may_see_injections
        else set()
    )
    calls: dict = {}
    for call in ArrivalCall.objects.filter(attendance__session__in=todays).select_related("called_by"):
        calls.setdefault(call.attendance_id, []).append(call)
    base = reverse("scheduling:today")
    now_list, next_list, late = [], [], []
    for s in todays:
        s.local_start, s.local_end = timezone.localtime(s.starts_at, tz), timezone.localtime(s.ends_at, tz)
        s.visible_rows = [a for a in s.rows if a.participant_id in seen]
        for a in s.visible_rows:
            a.call_notes = calls.get(a.pk, [])
            a.checkin_url = f"{base}{a.pk}/check-in/"
            a.call_url = f"{base}{a.pk}/called/"
        if s.ends_at <= now or not s.visible_rows:
            continue
        (now_list if s.starts_at <= now else next_list).append(s)
        if s.starts_at + NOT_ARRIVED_AFTER <= now and s.modality == Session.Modality.IN_PERSON:
            missing = [a for a in s.visible_rows if a.status == Attendance.Status.EXPECTED]
            late += [(s, a) for a in missing]
            # Those not arrived are listed once, below, with their phone numbers.
            s.visible_rows = [a for a in s.visible_rows if a.status != Attendance.Status.EXPECTED]
            s.not_arrived = len(missing)
    screens = [
        (s, a)
        for s in sessions
        if s.kind == SessionKind.DRUG_SCREEN
        for a in s.rows
        if a.participant_id in seen and a.status == Attendance.Status.EXPECTED
    ]
    for s, _ in screens:
        s.local_start = timezone.localtime(s.starts_at, tz)
    expected_today = [
        a.participant for s in todays if s.ends_at > now for a in s.rows if a.participant_id in seen
    ]
    people = {p.pk: p for p in expected_today}
    from bridge.measures.queries import measures_due_for

    annotated = list(
        Participant.objects.filter(pk__in=list(people), episodes__status="active")
        .annotate(admitted_on=Max("episodes__admitted_on", filter=Q(episodes__status="active")))
        .select_related("program")
        .order_by("last_name", "first_name")
    )
    due = measures_due_for(annotated, today)
    measures = [(p, due[p.pk]) for p in annotated if p.pk in due]
    injections = _injections_due(program, chart, today) if chart else []
    conflicts = [wc for wc in week_conflicts(program, week, day=today) if wc.open]
    for wc in conflicts:
        wc.session.local_start = timezone.localtime(wc.session.starts_at, tz)
    shown = seen & (
        {a.participant_id for s in todays for a in s.visible_rows} | {a.participant_id for _, a in screens}
    )
    audit_record(
        action=Action.SEARCH,
        actor=user,
        object_type="today",
        object_id=str(program.pk),
        detail={"day": today.isoformat(), "participants": sorted(str(pid) for pid in shown)[:500]},
    )
    return {
        "program": program,
        "today": today,
        "now": timezone.localtime(now, tz),
        "now_list": now_list,
        "next_list": next_list,
        "late": late,
        "screens_today": [(s, a) for s, a in screens if s.local_start.date() == today],
        "screens_week": [(s, a) for s, a in screens if s.local_start.date() > today],
        "injections_today": [(d, o) for d, o in injections if d <= today],
        "injections_week": [(d, o) for d, o in injections if d > today],
        "may_see_injections": may_see_injections,
        "measures": measures,
        "conflicts": conflicts,
        "call_form": CallNoteForm(),
        "refresh_seconds": REFRESH_SECONDS,
        "schedules": bool(user.roles_in(program.pk) & set(SCHEDULE_ROLES)),
        "programs": today_programs(user),
    }


@require_http_methods(["GET"])
def today(request: HttpRequest) -> HttpResponse:
    return render(request, "scheduling/today.html", _board(request, _program(request)))


def _row(request, attendance_id: uuid.UUID) -> Attendance:
    """A roster row of a session in one of the user's Today programs, of a participant they see."""
    row = (
        Attendance.objects.select_related("session__program", "participant")
        .filter(pk=attendance_id, session__program__in=today_programs(request.user))
        .first()
    )
    if row is None or not visible(Participant.objects.filter(pk=row.participant_id), request.user).exists():
        raise deny(request, "attendance", str(attendance_id))
    return row


def _back(row: Attendance):
    return redirect(f"{reverse('scheduling:today')}?program={row.session.program_id}")


@require_http_methods(["POST"])
def check_in(request: HttpRequest, attendance_id: uuid.UUID) -> HttpResponse:
    row = _row(request, attendance_id)
    try:
        done = attendance_check_in(
            actor=request.user, session=row.session, participant_id=row.participant_id, channel="desk"
        )
    except ValidationError as exc:
        messages.error(request, f"{row.participant.display_name}: {' '.join(exc.messages)}")
        return _back(row)
    at = timezone.localtime(done.attendance.arrived_at, row.session.program.tz)
    if done.already:
        messages.info(request, f"{row.participant.display_name} was already checked in.")
    else:
        messages.success(request, f"{row.participant.display_name} checked in at {at:%H:%M}.")
    return _back(row)


@require_http_methods(["POST"])
def call_note(request: HttpRequest, attendance_id: uuid.UUID) -> HttpResponse:
    row = _row(request, attendance_id)
    form = CallNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{row.participant.display_name}: write what happened on the call.")
        return _back(row)
    arrival_call_note(actor=request.user, attendance=row, note=form.cleaned_data["note"])
    messages.success(request, f"Call to {row.participant.display_name} noted.")
    return _back(row)
