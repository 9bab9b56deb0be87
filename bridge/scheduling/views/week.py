"""Week views of the calendar: the whole program, one participant, one staff member, one room.

Filters are remembered in the session, so coming back to /schedule/week/ shows the last view.
Everyone on staff sees their own week; the program, room and other staff views are for
directors and front desk; a participant's week goes through participant access (VIEW).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from urllib.parse import urlencode

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core.forms import uuid_or_none
from bridge.core.weeks import iso_week, monday_of, parse_iso_week
from bridge.participants.access import participant_for
from bridge.participants.models import Participant
from bridge.programs.models import Program
from bridge.scheduling.access import SCHEDULE_ROLES, deny, may_take_attendance
from bridge.scheduling.conflicts import open_conflict_sessions, session_conflicts
from bridge.scheduling.ledger import week_range
from bridge.scheduling.models import Attendance, Room, Session

SESSION_KEY = "schedule_week_filters"
VIEWS = ("program", "staff", "room", "participant")


def _program_for(request: StaffRequest) -> Program | None:
    user = request.user
    scheduling = user.programs_with_role(*SCHEDULE_ROLES)
    wanted = request.GET.get("program")
    ids = scheduling or user.program_ids()
    programs = Program.objects.filter(pk__in=ids).order_by("name")
    if wanted:
        return programs.filter(pk=wanted).first() if _uuid(wanted) else None
    return programs.first()


def _uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@dataclass
class WeekFilter:
    """The week page's filter form, read from the query string: whose week, which week."""

    program: Program
    schedules: bool  # the user schedules this program: every view, and names on the sessions
    view: str
    target_id: str
    start: date  # the Monday shown
    today: date
    error: str  # a week or date that could not be read (the current week is shown instead)


@dataclass
class WeekTarget:
    """Whose week it is, after access: the sessions to show before the week is applied."""

    sessions: QuerySet[Session]
    title: str
    program: Program
    tz: tzinfo
    schedules: bool
    target_id: str
    participant: Participant | None = None


def _week_start(request: HttpRequest, today: date) -> tuple[date, str]:
    """The Monday asked for (`week=2026-W47` or `date=2026-11-18`), or this week with why not."""
    try:
        if request.GET.get("week"):
            return parse_iso_week(request.GET["week"]), ""
        if request.GET.get("date"):
            start = monday_of(date.fromisoformat(request.GET["date"]))
            if not 1900 <= start.year <= 2999:
                raise ValueError("Write the date like 2026-11-16.")
            return start, ""
    except ValueError as exc:
        return monday_of(today), str(exc) if "week" in str(exc).lower() else "Write the date like 2026-11-16."
    return monday_of(today), ""


def _week_filter(request: StaffRequest) -> WeekFilter:
    program = _program_for(request)
    if program is None:
        raise deny(request, "schedule_week", request.GET.get("program", ""))
    schedules = program.pk in request.user.programs_with_role(*SCHEDULE_ROLES)
    view = request.GET.get("view") or ("program" if schedules else "staff")
    if view not in VIEWS:
        view = "program" if schedules else "staff"
    today = timezone.localtime(timezone.now(), program.tz).date()
    start, error = _week_start(request, today)
    return WeekFilter(
        program=program,
        schedules=schedules,
        view=view,
        target_id=request.GET.get("id", ""),
        start=start,
        today=today,
        error=error,
    )


def _week_target(request: StaffRequest, f: WeekFilter) -> WeekTarget:
    """Whose week: the program's, a staff member's, a room's (those who schedule) or a participant's
    (participant access); one's own week is always allowed."""
    user = request.user
    program, schedules, target_id = f.program, f.schedules, f.target_id
    sessions = Session.objects.filter(program=program)
    if f.view == "program":
        if not schedules:
            raise deny(request, "schedule_week", str(program.pk))
        return WeekTarget(sessions, program.name, program, program.tz, schedules, target_id)
    if f.view == "staff":
        staff = user
        if target_id and target_id != str(user.pk):
            wanted = uuid_or_none(target_id)
            other = User.objects.filter(pk=wanted, roles__program=program).first() if wanted else None
            if not schedules:
                raise deny(request, "schedule_week", target_id)
            staff = other or user  # a stale id from another filter falls back to one's own week
        title = f"{staff.get_full_name() or staff.username}"
        return WeekTarget(sessions.filter(staff=staff), title, program, program.tz, schedules, str(staff.pk))
    if f.view == "room":
        if not schedules:
            raise deny(request, "schedule_week", target_id)
        rooms = Room.objects.filter(program=program).order_by("-is_active", "name")
        wanted = uuid_or_none(target_id)
        room = (rooms.filter(pk=wanted).first() if wanted else None) or rooms.first()
        return WeekTarget(
            sessions.filter(room=room),
            room.name if room else "No rooms set up",
            program,
            program.tz,
            schedules,
            str(room.pk) if room else "",
        )
    participant = participant_for(request, target_id, object_type="schedule_week")
    program = participant.program
    return WeekTarget(
        Session.objects.filter(program=program, attendance__participant=participant),
        participant.display_name,
        program,
        program.tz,
        # Whether co-attendees' names show depends on the participant's program, not the one picked.
        program.pk in user.programs_with_role(*SCHEDULE_ROLES),
        target_id,
        participant,
    )


def week_sessions(sessions: QuerySet[Session], start: date, tz: tzinfo) -> list[Session]:
    """The selector: the sessions of the week starting `start` (local to `tz`), with staff, room,
    type, series and roster (as `.roster`, participants by last name) in a fixed number of queries."""
    first, last = week_range(start, tz)
    return list(
        sessions.filter(starts_at__gte=first, starts_at__lt=last)
        .select_related("staff", "room", "session_type", "series")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("participant").order_by("participant__last_name"),
                to_attr="roster",
            )
        )
        .order_by("starts_at")
        .distinct()
    )


def _week_days(user: User, t: WeekTarget, sessions: list[Session], start: date, today: date) -> list[dict]:
    """The seven days with their sessions, each marked for this user (link, names, conflicts)."""
    # Conflicts follow the same rules as every booking and are marked on this view. Every view (the
    # program's, a staff member's, a room's, a participant's) checks only the sessions it shows,
    # against everything touching their people and rooms; the Conflicts page and
    # `bridge schedule conflicts` list the whole week.
    # Only those who schedule read what the conflict is (it may name participants); others see the mark.
    marked = open_conflict_sessions(session_conflicts(t.program, sessions))
    days: list[dict] = []
    for k in range(7):
        day = start + timedelta(days=k)
        days.append({"date": day, "today": day == today, "sessions": []})
    for s in sessions:
        local = timezone.localtime(s.starts_at, t.tz)
        s.local_start, s.local_end = local, timezone.localtime(s.ends_at, t.tz)  # type: ignore[attr-defined]
        s.linkable = may_take_attendance(user, s)  # type: ignore[attr-defined]
        # Names show only to those who see everyone's schedule, or on the participant's own week.
        roster = s.roster  # type: ignore[attr-defined]
        s.names = [a.participant.display_name for a in roster] if t.schedules and len(roster) <= 3 else []  # type: ignore[attr-defined]
        s.has_conflict = s.pk in marked  # type: ignore[attr-defined]
        s.conflicts = [c.message for c in marked.get(s.pk, [])] if t.schedules else []  # type: ignore[attr-defined]
        days[(local.date() - start).days]["sessions"].append(s)
    return days


@require_http_methods(["GET"])
def week(request: StaffRequest) -> HttpResponse:
    if "clear" in request.GET:
        request.session.pop(SESSION_KEY, None)
        return redirect("scheduling:week")
    keys = ("view", "id", "program")
    if not any(k in request.GET for k in keys) and request.session.get(SESSION_KEY):
        saved = dict(request.session[SESSION_KEY])
        for k in ("week", "date"):
            if k in request.GET:
                saved[k] = request.GET[k]
        return redirect(f"{request.path}?{urlencode(saved)}")

    f = _week_filter(request)
    t = _week_target(request, f)
    start, today, view = f.start, f.today, f.view
    sessions = week_sessions(t.sessions, start, t.tz)
    days = _week_days(request.user, t, sessions, start, today)
    program, schedules, target_id = t.program, t.schedules, t.target_id

    filters = {"view": view, "program": str(program.pk)}
    if target_id and view != "program":
        filters["id"] = target_id
    request.session[SESSION_KEY] = filters
    audit_record(
        action=Action.SEARCH,
        actor=request.user,
        participant=t.participant,
        object_type="schedule_week",
        object_id=str(program.pk),
        detail={"view": view, "id": target_id, "week": iso_week(start), "shown": len(sessions)},
    )
    base = reverse("scheduling:week")
    keep = "&".join(f"{k}={v}" for k, v in filters.items())
    conflict_count = len([s for s in sessions if getattr(s, "has_conflict", False)])
    context: dict[str, object] = {
        "program": program,
        "view": view,
        "title": t.title,
        "days": days,
        "week_label": iso_week(start),
        "prev_url": f"{base}?{keep}&week={iso_week(start - timedelta(weeks=1))}",
        "next_url": f"{base}?{keep}&week={iso_week(start + timedelta(weeks=1))}",
        "this_url": f"{base}?{keep}&week={iso_week(monday_of(today))}",
        "schedules": schedules,
        "staff_choices": User.objects.filter(roles__program=program, is_active=True)
        .distinct()
        .order_by("last_name")
        if schedules
        else [],
        "rooms": Room.objects.filter(program=program, is_active=True) if schedules else [],
        "target_id": target_id,
        "error": f.error,
        "participant": t.participant,
        "count": len(sessions),
        "conflict_count": conflict_count,
    }
    return render(request, "scheduling/week.html", context, status=400 if f.error else 200)
