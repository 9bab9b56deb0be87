"""Week views of the calendar: the whole program, one participant, one staff member, one room.

Filters are remembered in the session, so coming back to /schedule/week/ shows the last view.
Everyone on staff sees their own week; the program, room and other staff views are for
directors and front desk; a participant's week goes through participant access (VIEW).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bridge.accounts.models import User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core.weeks import iso_week, monday_of, parse_iso_week
from bridge.participants.access import participant_for
from bridge.programs.models import Program
from bridge.scheduling.access import SCHEDULE_ROLES, deny, may_take_attendance
from bridge.scheduling.conflicts import open_conflict_sessions, session_conflicts
from bridge.scheduling.ledger import week_range
from bridge.scheduling.models import Attendance, Room, Session

SESSION_KEY = "schedule_week_filters"
VIEWS = ("program", "staff", "room", "participant")


def _program_for(request) -> Program | None:
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


@require_http_methods(["GET"])
def week(request: HttpRequest) -> HttpResponse:
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

    user = request.user
    program = _program_for(request)
    if program is None:
        raise deny(request, "schedule_week", request.GET.get("program", ""))
    schedules = program.pk in user.programs_with_role(*SCHEDULE_ROLES)
    view = request.GET.get("view") or ("program" if schedules else "staff")
    if view not in VIEWS:
        view = "program" if schedules else "staff"
    target_id = request.GET.get("id", "")
    tz = program.tz
    today = timezone.localtime(timezone.now(), tz).date()
    error = ""
    try:
        if request.GET.get("week"):
            start = parse_iso_week(request.GET["week"])
        elif request.GET.get("date"):
            start = monday_of(date.fromisoformat(request.GET["date"]))
            if not 1900 <= start.year <= 2999:
                raise ValueError("Write the date like 2026-11-16.")
        else:
            start = monday_of(today)
    except ValueError as exc:
        error, start = (
            str(exc) if "week" in str(exc).lower() else "Write the date like 2026-11-16.",
            monday_of(today),
        )

    sessions = Session.objects.filter(program=program)
    title = f"{program.name}"
    participant = staff = room = None
    if view == "program":
        if not schedules:
            raise deny(request, "schedule_week", str(program.pk))
    elif view == "staff":
        staff = user
        if target_id and target_id != str(user.pk):
            other = User.objects.filter(
                pk=target_id if _uuid(target_id) else None, roles__program=program
            ).first()
            if not schedules:
                raise deny(request, "schedule_week", target_id)
            staff = other or user  # a stale id from another filter falls back to one's own week
        sessions = sessions.filter(staff=staff)
        title = f"{staff.get_full_name() or staff.username}"
        target_id = str(staff.pk)
    elif view == "room":
        if not schedules:
            raise deny(request, "schedule_week", target_id)
        rooms = Room.objects.filter(program=program).order_by("-is_active", "name")
        room = rooms.filter(pk=target_id if _uuid(target_id) else None).first() or rooms.first()
        sessions = sessions.filter(room=room)
        title = room.name if room else "No rooms set up"
        target_id = str(room.pk) if room else ""
    else:
        participant = participant_for(request, target_id, object_type="schedule_week")
        sessions = Session.objects.filter(program=participant.program, attendance__participant=participant)
        title = participant.display_name
        program, tz = participant.program, participant.program.tz
        # Whether co-attendees' names show depends on the participant's program, not the one picked.
        schedules = program.pk in user.programs_with_role(*SCHEDULE_ROLES)

    first, last = week_range(start, tz)
    sessions = list(
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
    # Conflicts follow the same rules as every booking and are marked on this view. Every view (the
    # program's, a staff member's, a room's, a participant's) checks only the sessions it shows,
    # against everything touching their people and rooms; the Conflicts page and
    # `bridge schedule conflicts` list the whole week.
    # Only those who schedule read what the conflict is (it may name participants); others see the mark.
    marked = open_conflict_sessions(session_conflicts(program, sessions))
    days = []
    for k in range(7):
        day = start + timedelta(days=k)
        days.append({"date": day, "today": day == today, "sessions": []})
    for s in sessions:
        local = timezone.localtime(s.starts_at, tz)
        s.local_start, s.local_end = local, timezone.localtime(s.ends_at, tz)
        s.linkable = may_take_attendance(user, s)
        # Names show only to those who see everyone's schedule, or on the participant's own week.
        s.names = [a.participant.display_name for a in s.roster] if schedules and len(s.roster) <= 3 else []
        s.has_conflict = s.pk in marked
        s.conflicts = [c.message for c in marked.get(s.pk, [])] if schedules else []
        days[(local.date() - start).days]["sessions"].append(s)

    filters = {"view": view, "program": str(program.pk)}
    if target_id and view != "program":
        filters["id"] = target_id
    request.session[SESSION_KEY] = filters
    audit_record(
        action=Action.SEARCH,
        actor=user,
        participant=participant,
        object_type="schedule_week",
        object_id=str(program.pk),
        detail={"view": view, "id": target_id, "week": iso_week(start), "shown": len(sessions)},
    )
    base = reverse("scheduling:week")
    keep = "&".join(f"{k}={v}" for k, v in filters.items())
    context = {
        "program": program,
        "view": view,
        "title": title,
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
        "error": error,
        "participant": participant,
        "count": len(sessions),
        "conflict_count": sum(1 for s in sessions if s.has_conflict),
    }
    return render(request, "scheduling/week.html", context, status=400 if error else 200)
