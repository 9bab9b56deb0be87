"""Today at the desk (front desk, nurses, directors): who is expected now and next, with check-in;
who has not arrived ten minutes after the start (phone number, a "called" note); drug screens and
injections due today and this week; measures due; today's sessions with conflicts.

The page refreshes itself every minute with htmx (bridge/static/bridge/today.js), and never while
someone is typing in it. Names shown follow the participant access rule; injections (medication
information) only for those who may read the clinical record. A fixed number of queries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.contrib import messages
from django.db.models import Count, Min, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role, User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.core.weeks import monday_of
from bridge.participants.access import Cap, visible
from bridge.participants.models import Participant
from bridge.programs.models import Program
from bridge.scheduling.access import SCHEDULE_ROLES, deny
from bridge.scheduling.conflicts import WeekConflict, week_conflicts
from bridge.scheduling.forms import CallNoteForm
from bridge.scheduling.models import ArrivalCall, Attendance, Room, Session, SessionKind
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


def _program(request: StaffRequest) -> Program:
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
    last: dict[uuid.UUID, Administration] = {}
    for dose in Administration.objects.filter(order__in=orders, error_at__isnull=True).order_by("given_at"):
        last[dose.order_id] = dose
    due = []
    for o in orders:
        given = last.get(o.pk)
        next_on = given.next_due_on if given else o.start_on
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


@dataclass(eq=False)
class BoardRow:
    """A roster row as the board shows it: the attendance, its check-in and call URLs, its call notes."""

    attendance: Attendance
    checkin_url: str = ""
    call_url: str = ""
    call_notes: list[ArrivalCall] = field(default_factory=list)

    @property
    def pk(self) -> uuid.UUID:
        return self.attendance.pk

    @property
    def participant(self) -> Participant:
        return self.attendance.participant

    @property
    def participant_id(self) -> uuid.UUID:
        return self.attendance.participant_id

    @property
    def status(self) -> str:
        return self.attendance.status

    @property
    def arrived_at(self) -> datetime | None:
        return self.attendance.arrived_at

    def get_status_display(self) -> str:
        return self.attendance.get_status_display()


@dataclass(eq=False)
class BoardSession:
    """A session as the board shows it: local times, links, roster rows or (compact) counts."""

    session: Session
    local_start: datetime
    local_end: datetime
    rows: list[BoardRow] = field(default_factory=list)  # every roster row loaded
    visible_rows: list[BoardRow] = field(default_factory=list)  # those the user may see, not late
    page_url: str = ""
    open_url: str = ""
    compact: bool = False
    expected_count: int = 0
    waiting: int = 0
    checked_in: int = 0
    not_arrived: int = 0
    listed: bool = False

    @classmethod
    def of(cls, sessions: list[Session], tz: tzinfo) -> list[BoardSession]:
        return [
            cls(s, timezone.localtime(s.starts_at, tz), timezone.localtime(s.ends_at, tz)) for s in sessions
        ]

    # What the templates read of the session itself.
    @property
    def pk(self) -> uuid.UUID:
        return self.session.pk

    @property
    def display_title(self) -> str:
        return self.session.display_title

    @property
    def staff(self) -> User:
        return self.session.staff

    @property
    def room(self) -> Room | None:
        return self.session.room

    def get_modality_display(self) -> str:
        return self.session.get_modality_display()


def _with_rosters(board: list[BoardSession]) -> None:
    """Each session's roster rows, in one query (by last name)."""
    by_session: dict[uuid.UUID, list[BoardRow]] = {b.pk: b.rows for b in board}
    for a in (
        Attendance.objects.filter(session__in=[b.pk for b in board])
        .select_related("participant")
        .only(*ROSTER_FIELDS)
        .order_by("participant__last_name", "participant__first_name")
    ):
        by_session[a.session_id].append(BoardRow(a))


def _decorate(board: list[BoardSession], seen: set, now: datetime) -> list[tuple[BoardSession, BoardRow]]:
    """Give each session its visible roster rows (with their check-in and call URLs and call notes)
    and, ten minutes after an in-person start, move those not arrived to the returned late list."""
    calls: dict[uuid.UUID, list[ArrivalCall]] = {}
    for call in ArrivalCall.objects.filter(attendance__session__in=[b.pk for b in board]).select_related(
        "called_by"
    ):
        calls.setdefault(call.attendance_id, []).append(call)
    base = reverse("scheduling:today")
    late: list[tuple[BoardSession, BoardRow]] = []
    for b in board:
        b.visible_rows = [a for a in b.rows if a.participant_id in seen]
        for a in b.visible_rows:
            a.call_notes = calls.get(a.pk, [])
            a.checkin_url = f"{base}{a.pk}/check-in/"
            a.call_url = f"{base}{a.pk}/called/"
        s = b.session
        b.listed = s.ends_at > now and bool(b.visible_rows)
        if not b.listed:
            continue
        if s.starts_at + NOT_ARRIVED_AFTER <= now and s.modality == Session.Modality.IN_PERSON:
            missing = [a for a in b.visible_rows if a.status == Attendance.Status.EXPECTED]
            late += [(b, a) for a in missing]
            # Those not arrived are listed once, below, with their phone numbers.
            b.visible_rows = [a for a in b.visible_rows if a.status != Attendance.Status.EXPECTED]
            b.not_arrived = len(missing)
    return late


def _measures(program: Program, people: dict, today: date) -> list[tuple]:
    from bridge.measures.queries import in_active_episode, measures_due_for

    annotated = in_active_episode(Participant.objects.filter(pk__in=list(people)))
    due = measures_due_for(annotated, today)
    return [(p, due[p.pk]) for p in annotated if p.pk in due]


def _conflicts_today(program: Program, today: date) -> list[WeekConflict]:
    return [wc for wc in week_conflicts(program, monday_of(today), day=today) if wc.open]


_MARK = uuid.UUID(int=0)


def _todays(program: Program, day_start: datetime) -> QuerySet[Session]:
    return Session.objects.filter(
        program=program, starts_at__gte=day_start, starts_at__lt=day_start + timedelta(days=1)
    ).exclude(status=Session.Status.CANCELLED)


def _loaded(sessions: QuerySet[Session]) -> list[Session]:
    return list(sessions.select_related("staff", "room", "session_type", "series").order_by("starts_at"))


def _session_links(board: list[BoardSession]) -> None:
    """Each session's links, formatted from one reverse() each (a busy evening lists hundreds)."""
    page, opened, marker = (
        reverse("scheduling:session", args=[_MARK]),
        reverse("scheduling:today_session", args=[_MARK]),
        str(_MARK),
    )
    for b in board:
        b.page_url, b.open_url = page.replace(marker, str(b.pk)), opened.replace(marker, str(b.pk))


def _count_rosters(board: list[BoardSession], may_see: set) -> None:
    """A compact board's counts per session: on the roster, waiting, checked in (of those the user sees).

    Counted here, not in SQL: "participant IN (those this user may see)" next to "session IN (today's)"
    makes SQLite probe every pair (hundreds of sessions times a thousand people)."""
    counts: dict[uuid.UUID, dict[str, int]] = {}
    for sid, pid, status in Attendance.objects.filter(session__in=[b.pk for b in board]).values_list(
        "session_id", "participant_id", "status"
    ):
        if pid in may_see:
            by_status = counts.setdefault(sid, {})
            by_status[status] = by_status.get(status, 0) + 1
    for b in board:
        by_status = counts.get(b.pk, {})
        b.expected_count = sum(by_status.values())
        b.waiting = by_status.get(Attendance.Status.EXPECTED, 0)
        b.checked_in = sum(by_status.get(k, 0) for k in Attendance.ATTENDED)
        b.compact = True


def _board(request: StaffRequest, program: Program, *, inline_rows: int | None = None) -> dict:
    """The board. A day with more roster rows than `inline_rows` (a large program's evening: hundreds
    expected at once) is shown compact: each session under way or starting within the hour with its
    counts and its roster opened on demand (loaded with htmx), the rest of the day as one count, the
    measures due and today's conflicts loaded beside the board, so the board itself stays quick. A
    smaller day shows every roster row inline, as it always did."""
    user, tz, now = request.user, program.tz, timezone.now()
    inline_rows = INLINE_ROWS if inline_rows is None else inline_rows
    today = timezone.localtime(now, tz).date()
    week = monday_of(today)
    day_start = datetime.combine(today, time(0), tzinfo=tz)
    week_end = datetime.combine(week + timedelta(days=7), time(0), tzinfo=tz)
    todays_qs = _todays(program, day_start)
    compact = Attendance.objects.filter(session__in=todays_qs.values("pk")).count() > inline_rows
    horizon = now + NEXT_WITHIN
    # A compact board loads whole only what it lists (under way, starting within the hour) and today's
    # drug screens; the rest of the day is one count (a large program has hundreds of sessions a day).
    todays = BoardSession.of(
        _loaded(
            todays_qs.filter(Q(ends_at__gt=now, starts_at__lte=horizon) | Q(kind=SessionKind.DRUG_SCREEN))
            if compact
            else todays_qs
        ),
        tz,
    )
    # For the rest of the week only the drug-screen visits.
    later_screens = BoardSession.of(
        list(
            Session.objects.filter(
                program=program,
                starts_at__gte=day_start + timedelta(days=1),
                starts_at__lt=week_end,
                kind=SessionKind.DRUG_SCREEN,
            )
            .exclude(status=Session.Status.CANCELLED)
            .select_related("staff", "session_type")
            .order_by("starts_at")
        ),
        tz,
    )
    with_rows = [
        b for b in todays if not compact or b.session.kind == SessionKind.DRUG_SCREEN
    ] + later_screens
    _with_rosters(with_rows)
    ids = {a.participant_id for b in with_rows for a in b.rows}
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
    now_list: list[BoardSession] = []
    next_list: list[BoardSession] = []
    late: list[tuple[BoardSession, BoardRow]] = []
    late_sessions: list[BoardSession] = []
    later: dict = {"count": 0, "first": None}
    if compact:
        _count_rosters(todays, set(in_program.values_list("pk", flat=True)))
        # Sessions with anyone on the roster (the part that lists them counts only those the user sees).
        later = Attendance.objects.filter(
            session__in=todays_qs.filter(starts_at__gt=horizon).values("pk")
        ).aggregate(count=Count("session", distinct=True), first=Min("session__starts_at"))
        for b in todays:
            s = b.session
            if s.ends_at <= now or not b.expected_count or s.starts_at > horizon:
                continue
            (now_list if s.starts_at <= now else next_list).append(b)
            if s.starts_at + NOT_ARRIVED_AFTER <= now and s.modality == Session.Modality.IN_PERSON:
                b.not_arrived = b.waiting
                if b.waiting:
                    late_sessions.append(b)
        _decorate(with_rows, seen, now)
    else:
        late = _decorate(todays, seen, now)
        for b in todays:
            if b.listed:
                (now_list if b.session.starts_at <= now else next_list).append(b)
        _decorate(later_screens, seen, now)
    screens = [
        (b, a)
        for b in with_rows
        if b.session.kind == SessionKind.DRUG_SCREEN
        for a in b.rows
        if a.participant_id in seen and a.status == Attendance.Status.EXPECTED
    ]
    injections = _injections_due(program, chart, today) if chart else []
    measures = conflicts = None
    shown = seen & {a.participant_id for _, a in screens}
    if not compact:
        expected_today = {
            a.participant_id: a.participant
            for b in todays
            if b.session.ends_at > now
            for a in b.rows
            if a.participant_id in seen
        }
        measures = _measures(program, expected_today, today)
        conflicts = _conflicts_today(program, today)
        shown |= seen & (
            {a.participant_id for b in todays for a in b.visible_rows} | {a.participant_id for _, a in late}
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
        "screens_today": [(b, a) for b, a in screens if b.local_start.date() == today],
        "screens_week": [(b, a) for b, a in screens if b.local_start.date() > today],
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
def today(request: StaffRequest) -> HttpResponse:
    return render(request, "scheduling/today.html", _board(request, _program(request)))


@require_http_methods(["GET"])
def today_session(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
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
    board = BoardSession.of([session], program.tz)
    _with_rosters(board)
    ids = {a.participant_id for a in board[0].rows}
    seen = set(visible(Participant.objects.filter(pk__in=ids), request.user).values_list("pk", flat=True))
    late = _decorate(board, seen, now)
    shown = {a.participant_id for a in board[0].visible_rows} | {a.participant_id for _, a in late}
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
        {"s": board[0], "late": late, "program": program, "schedules": True},
    )


@require_http_methods(["GET"])
def today_part(request: StaffRequest) -> HttpResponse:
    """A part of a compact board loaded beside it: the measures due for those expected today, or
    today's sessions with conflicts."""
    program = _program(request)
    part = request.GET.get("part")
    user, tz = request.user, program.tz
    today = timezone.localtime(timezone.now(), tz).date()
    context: dict[str, Any] = {
        "program": program,
        "schedules": bool(user.roles_in(program.pk) & set(SCHEDULE_ROLES)),
    }
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
        board = BoardSession.of(_loaded(_todays(program, start).filter(starts_at__gt=now + NEXT_WITHIN)), tz)
        may_see = set(visible(Participant.objects.filter(program=program), user).values_list("pk", flat=True))
        _count_rosters(board, may_see)
        later = [b for b in board if b.expected_count]
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


def _row(request: StaffRequest, attendance_id: uuid.UUID) -> Attendance:
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
def check_in(request: StaffRequest, attendance_id: uuid.UUID) -> HttpResponse:
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
def call_note(request: StaffRequest, attendance_id: uuid.UUID) -> HttpResponse:
    row = _row(request, attendance_id)
    form = CallNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{row.participant.display_name}: write what happened on the call.")
        return _back(row)
    arrival_call_note(actor=request.user, attendance=row, note=form.cleaned_data["note"])
    messages.success(request, f"Call to {row.participant.display_name} noted.")
    return _back(row)
