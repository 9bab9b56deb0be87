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
from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bridge.accounts.models import Role
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import refusal
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
# More roster rows than this today and the board is compact (rosters opened on demand).
INLINE_ROWS = 60
# A compact board lists what is under way and what starts within this; the rest of the day opens on demand.
NEXT_WITHIN = timedelta(hours=1)


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


ROSTER_FIELDS = (
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


def _rosters() -> Prefetch:
    return Prefetch(
        "attendance",
        queryset=Attendance.objects.select_related("participant")
        .only(*ROSTER_FIELDS)
        .order_by("participant__last_name", "participant__first_name"),
        to_attr="rows",
    )


def _decorate(sessions: list[Session], seen: set, now, tz) -> list[tuple]:
    """Give each session its visible roster rows (with their check-in and call URLs and call notes)
    and, ten minutes after an in-person start, move those not arrived to the returned late list."""
    calls: dict = {}
    for call in ArrivalCall.objects.filter(attendance__session__in=sessions).select_related("called_by"):
        calls.setdefault(call.attendance_id, []).append(call)
    base = reverse("scheduling:today")
    late = []
    for s in sessions:
        s.local_start, s.local_end = timezone.localtime(s.starts_at, tz), timezone.localtime(s.ends_at, tz)
        s.visible_rows = [a for a in s.rows if a.participant_id in seen]
        for a in s.visible_rows:
            a.call_notes = calls.get(a.pk, [])
            a.checkin_url = f"{base}{a.pk}/check-in/"
            a.call_url = f"{base}{a.pk}/called/"
        s.listed = s.ends_at > now and bool(s.visible_rows)
        if not s.listed:
            continue
        if s.starts_at + NOT_ARRIVED_AFTER <= now and s.modality == Session.Modality.IN_PERSON:
            missing = [a for a in s.visible_rows if a.status == Attendance.Status.EXPECTED]
            late += [(s, a) for a in missing]
            # Those not arrived are listed once, below, with their phone numbers.
            s.visible_rows = [a for a in s.visible_rows if a.status != Attendance.Status.EXPECTED]
            s.not_arrived = len(missing)
    return late


def _measures(program, people: dict, today) -> list[tuple]:
    from bridge.measures.queries import measures_due_for

    annotated = list(
        Participant.objects.filter(pk__in=list(people), episodes__status="active")
        .annotate(admitted_on=Max("episodes__admitted_on", filter=Q(episodes__status="active")))
        .select_related("program")
        .order_by("last_name", "first_name")
    )
    due = measures_due_for(annotated, today)
    return [(p, due[p.pk]) for p in annotated if p.pk in due]


def _conflicts_today(program, today) -> list:
    conflicts = [wc for wc in week_conflicts(program, monday_of(today), day=today) if wc.open]
    for wc in conflicts:
        wc.session.local_start = timezone.localtime(wc.session.starts_at, program.tz)
    return conflicts


_MARK = uuid.UUID(int=0)


def _todays(program: Program, day_start: datetime) -> QuerySet[Session]:
    return Session.objects.filter(
        program=program, starts_at__gte=day_start, starts_at__lt=day_start + timedelta(days=1)
    ).exclude(status=Session.Status.CANCELLED)


def _loaded(sessions: QuerySet[Session]) -> list[Session]:
    return list(sessions.select_related("staff", "room", "session_type", "series").order_by("starts_at"))


def _session_links(sessions: list[Session]) -> None:
    """Each session's links, formatted from one reverse() each (a busy evening lists hundreds)."""
    page, opened, marker = (
        reverse("scheduling:session", args=[_MARK]),
        reverse("scheduling:today_session", args=[_MARK]),
        str(_MARK),
    )
    for s in sessions:
        s.page_url, s.open_url = page.replace(marker, str(s.pk)), opened.replace(marker, str(s.pk))


def _count_rosters(sessions: list[Session], may_see: set, tz) -> None:
    """A compact board's counts per session: on the roster, waiting, checked in (of those the user sees).

    Counted here, not in SQL: "participant IN (those this user may see)" next to "session IN (today's)"
    makes SQLite probe every pair (hundreds of sessions times a thousand people)."""
    counts: dict = {}
    for sid, pid, status in Attendance.objects.filter(session__in=sessions).values_list(
        "session_id", "participant_id", "status"
    ):
        if pid in may_see:
            by_status = counts.setdefault(sid, {})
            by_status[status] = by_status.get(status, 0) + 1
    for s in sessions:
        s.local_start = timezone.localtime(s.starts_at, tz)
        s.local_end = timezone.localtime(s.ends_at, tz)
        by_status = counts.get(s.pk, {})
        s.expected_count = sum(by_status.values())
        s.waiting = by_status.get(Attendance.Status.EXPECTED, 0)
        s.checked_in = sum(by_status.get(k, 0) for k in Attendance.ATTENDED)
        s.compact = True


def _board(request, program: Program, *, inline_rows: int | None = None) -> dict:
    """The board. A day with more roster rows than `inline_rows` (a large program's evening: hundreds
    expected at once) is shown compact: each session with its counts and its roster opened on demand
    (loaded with htmx), the measures due and today's conflicts loaded beside the board, so the board
    itself stays quick. A smaller day shows every roster row inline, as it always did."""
    user, tz, now = request.user, program.tz, timezone.now()
    inline_rows = INLINE_ROWS if inline_rows is None else inline_rows
    today = timezone.localtime(now, tz).date()
    week = monday_of(today)
    day_start = datetime.combine(today, time(0), tzinfo=tz)
    week_end = datetime.combine(week + timedelta(days=7), time(0), tzinfo=tz)
    live = Session.objects.filter(program=program).exclude(status=Session.Status.CANCELLED)
    todays_qs = _todays(program, day_start)
    compact = Attendance.objects.filter(session__in=todays_qs.values("pk")).count() > inline_rows
    horizon = now + NEXT_WITHIN
    # A compact board loads whole only what it lists (under way, starting within the hour) and today's
    # drug screens; the rest of the day is one count (a large program has hundreds of sessions a day).
    todays = _loaded(
        todays_qs.filter(Q(ends_at__gt=now, starts_at__lte=horizon) | Q(kind=SessionKind.DRUG_SCREEN))
        if compact
        else todays_qs
    )
    # For the rest of the week only the drug-screen visits.
    later_screens = list(
        live.filter(
            starts_at__gte=day_start + timedelta(days=1), starts_at__lt=week_end, kind=SessionKind.DRUG_SCREEN
        )
        .select_related("staff", "session_type")
        .order_by("starts_at")
    )
    with_rows = [s for s in todays if not compact or s.kind == SessionKind.DRUG_SCREEN] + later_screens
    prefetch_related_objects(with_rows, _rosters())
    ids = {a.participant_id for s in with_rows for a in s.rows}
    in_program = visible(Participant.objects.filter(program=program), user)
    seen = set(in_program.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
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
    _session_links(todays)
    now_list: list[Session] = []
    next_list: list[Session] = []
    late: list[tuple] = []
    late_sessions: list[Session] = []
    later: dict = {"count": 0, "first": None}
    if compact:
        _count_rosters(todays, set(in_program.values_list("pk", flat=True)), tz)
        # Sessions with anyone on the roster (the part that lists them counts only those the user sees).
        later = Attendance.objects.filter(
            session__in=todays_qs.filter(starts_at__gt=horizon).values("pk")
        ).aggregate(count=Count("session", distinct=True), first=Min("session__starts_at"))
        for s in todays:
            if s.ends_at <= now or not s.expected_count or s.starts_at > horizon:
                continue
            (now_list if s.starts_at <= now else next_list).append(s)
            if s.starts_at + NOT_ARRIVED_AFTER <= now and s.modality == Session.Modality.IN_PERSON:
                s.not_arrived = s.waiting
                if s.waiting:
                    late_sessions.append(s)
        _decorate(with_rows, seen, now, tz)
    else:
        late = _decorate(todays, seen, now, tz)
        for s in todays:
            if s.listed:
                (now_list if s.starts_at <= now else next_list).append(s)
        _decorate(later_screens, seen, now, tz)
    screens = [
        (s, a)
        for s in with_rows
        if s.kind == SessionKind.DRUG_SCREEN
        for a in s.rows
        if a.participant_id in seen and a.status == Attendance.Status.EXPECTED
    ]
    injections = _injections_due(program, chart, today) if chart else []
    measures = conflicts = None
    shown = seen & {a.participant_id for _, a in screens}
    if not compact:
        expected_today = {
            a.participant_id: a.participant
            for s in todays
            if s.ends_at > now
            for a in s.rows
            if a.participant_id in seen
        }
        measures = _measures(program, expected_today, today)
        conflicts = _conflicts_today(program, today)
        shown |= seen & (
            {a.participant_id for s in todays for a in s.visible_rows} | {a.participant_id for _, a in late}
        )
    audit_record(
        action=Action.SEARCH,
        actor=user,
        object_type="today",
        object_id=str(program.pk),
        detail={
            "day": today.isoformat(),
            "participants": sorted(str(pid) for pid in shown)[:500],
            **({"compact": True} if compact else {}),
        },
    )
    return {
        "program": program,
        "today": today,
        "now": timezone.localtime(now, tz),
        "compact": compact,
        "now_list": now_list,
        "next_list": next_list,
        "late": late,
        "late_sessions": late_sessions,
        "later_count": later["count"],
        "later_from": timezone.localtime(later["first"], tz) if later["first"] else None,
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


@require_http_methods(["GET"])
def today_session(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """One session's roster on a compact board (opened on demand): check-in, and those not arrived
    ten minutes after the start with their phone numbers and a "called" note."""
    session = (
        Session.objects.filter(pk=session_id, program__in=today_programs(request.user))
        .exclude(status=Session.Status.CANCELLED)
        .select_related("program", "staff", "room", "session_type", "series")
        .first()
    )
    if session is None:
        raise deny(request, "today_session", str(session_id))
    program, now = session.program, timezone.now()
    prefetch_related_objects([session], _rosters())
    ids = {a.participant_id for a in session.rows}
    seen = set(visible(Participant.objects.filter(pk__in=ids), request.user).values_list("pk", flat=True))
    late = _decorate([session], seen, now, program.tz)
    shown = {a.participant_id for a in session.visible_rows} | {a.participant_id for _, a in late}
    audit_record(
        action=Action.SEARCH,
        actor=request.user,
        object_type="today_session",
        object_id=str(session.pk),
        detail={"participants": sorted(str(pid) for pid in shown)[:500]},
    )
    return render(
        request,
        "scheduling/_today_session_rows.html",
        {"s": session, "late": late, "program": program, "schedules": True},
    )


@require_http_methods(["GET"])
def today_part(request: HttpRequest) -> HttpResponse:
    """A part of a compact board loaded beside it: the measures due for those expected today, or
    today's sessions with conflicts."""
    program = _program(request)
    part = request.GET.get("part")
    user, tz = request.user, program.tz
    today = timezone.localtime(timezone.now(), tz).date()
    context = {"program": program, "schedules": bool(user.roles_in(program.pk) & set(SCHEDULE_ROLES))}
    if part == "measures":
        start = datetime.combine(today, time(0), tzinfo=tz)
        expected = (
            Attendance.objects.filter(
                session__program=program,
                session__starts_at__gte=start,
                session__starts_at__lt=start + timedelta(days=1),
                session__ends_at__gt=timezone.now(),
            )
            .exclude(session__status=Session.Status.CANCELLED)
            .values("participant_id")
        )
        people = {p.pk: p for p in visible(Participant.objects.filter(pk__in=expected), user)}
        context["measures"] = _measures(program, people, today)
        audit_record(
            action=Action.SEARCH,
            actor=user,
            object_type="today_measures",
            object_id=str(program.pk),
            detail={"participants": sorted(str(p.pk) for p, _ in context["measures"])[:500]},
        )
        return render(request, "scheduling/_today_measures.html", context)
    if part == "conflicts":
        context["conflicts"] = _conflicts_today(program, today)
        return render(request, "scheduling/_today_conflicts.html", context)
    if part == "later":
        # A compact board's sessions starting after the next hour, with their counts (no names).
        now = timezone.now()
        start = datetime.combine(today, time(0), tzinfo=tz)
        later = _loaded(_todays(program, start).filter(starts_at__gt=now + NEXT_WITHIN))
        may_see = set(visible(Participant.objects.filter(program=program), user).values_list("pk", flat=True))
        _count_rosters(later, may_see, tz)
        later = [s for s in later if s.expected_count]
        _session_links(later)
        audit_record(
            action=Action.SEARCH,
            actor=user,
            object_type="today_later",
            object_id=str(program.pk),
            detail={"day": today.isoformat(), "sessions": len(later)},
        )
        context["later"] = later
        return render(request, "scheduling/_today_later.html", context)
    return HttpResponse("Unknown part of the board.", status=400)


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
    with refusal.as_message(request, prefix=f"{row.participant.display_name}: "):
        done = attendance_check_in(
            actor=request.user, session=row.session, participant_id=row.participant_id, channel="desk"
        )
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
