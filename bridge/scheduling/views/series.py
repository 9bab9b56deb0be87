"""A group series' roster, waitlist and sessions; a session's page (cancel, move); one-off sessions.

Directors and front desk of the program manage rosters and the calendar (scheduling/access.py);
a session's page is also open to the person leading it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import cast

from django.contrib import messages
from django.forms import ChoiceField
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bridge.accounts.http import StaffRequest
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.participants.models import Participant
from bridge.scheduling.access import SCHEDULE_ROLES, deny, require_schedule_program, session_for
from bridge.scheduling.conflicts import WORK_HOURS, session_conflicts
from bridge.scheduling.conflicts.form_errors import booking_refusal
from bridge.scheduling.forms import CancelForm, GenerateForm, JoinForm, LeaveForm, OneOffForm, RescheduleForm
from bridge.scheduling.models import Attendance, GroupSeries, SeriesMembership, Session
from bridge.scheduling.services import roster, sessions

M = SeriesMembership.Status
IN_CARE = (Participant.Status.ACTIVE, Participant.Status.STEP_DOWN)
UPCOMING = 12


def _series_for(request: StaffRequest, series_id: uuid.UUID) -> GroupSeries:
    series = (
        GroupSeries.objects.select_related("program", "track", "session_type", "facilitator", "room")
        .filter(pk=series_id, program_id__in=request.user.programs_with_role(*SCHEDULE_ROLES))
        .first()
    )
    if series is None:
        raise deny(request, "group_series", str(series_id))
    return series


def _candidates(series: GroupSeries, user):
    return Participant.objects.visible_to(user).filter(program=series.program, status__in=IN_CARE)


def _series_page(request, series, status=200, **forms) -> HttpResponse:
    memberships = list(
        SeriesMembership.objects.filter(series=series).select_related("participant").order_by("requested_at")
    )
    active = [m for m in memberships if m.status == M.ACTIVE]
    waitlist = [m for m in memberships if m.status == M.WAITLISTED]
    past = sorted(
        (m for m in memberships if m.status not in (M.ACTIVE, M.WAITLISTED)),
        key=lambda m: m.left_on or m.requested_at.date(),
        reverse=True,
    )
    upcoming = list(
        Session.objects.filter(series=series, starts_at__gte=timezone.now())
        .select_related("room")
        .order_by("starts_at")[:UPCOMING]
    )
    recent = list(
        Session.objects.filter(series=series, starts_at__lt=timezone.now()).order_by("-starts_at")[:6]
    )
    today = timezone.localtime(timezone.now(), series.program.tz).date()
    for m in active + waitlist + past:  # every name the page shows
        audit_record(
            action=Action.READ,
            actor=request.user,
            participant=m.participant,
            object_type="series_membership",
            object_id=str(m.pk),
            detail={"view": "scheduling:series"},
        )
    context = {
        "series": series,
        "active": active,
        "waitlist": waitlist,
        "past": past,
        "upcoming": upcoming,
        "recent": recent,
        "free": max(0, series.size_cap - len(active)),
        "join_form": forms.get("join_form") or JoinForm(participants=_candidates(series, request.user)),
        "leave_form": forms.get("leave_form") or LeaveForm(),
        "leave_choices": cast(ChoiceField, LeaveForm.base_fields["status"]).choices,
        "generate_form": forms.get("generate_form")
        or GenerateForm(initial={"date_from": today, "date_to": today + timedelta(weeks=4)}),
    }
    return render(request, "scheduling/series.html", context, status=status)


@require_http_methods(["GET"])
def series_detail(request: StaffRequest, series_id: uuid.UUID) -> HttpResponse:
    return _series_page(request, _series_for(request, series_id))


@require_http_methods(["POST"])
def series_join(request: StaffRequest, series_id: uuid.UUID) -> HttpResponse:
    series = _series_for(request, series_id)
    form = JoinForm(request.POST, participants=_candidates(series, request.user))
    if form.is_valid():
        with booking_refusal(form):
            membership = roster.series_join(
                actor=request.user,
                series=series,
                participant=form.cleaned_data["participant"],
                on=form.cleaned_data["on"],
                confirm_reason=form.cleaned_data["confirm_reason"],
            )
            name = membership.participant.display_name
            if membership.status == M.WAITLISTED:
                messages.success(request, f"The group is full: {name} is on the waitlist.")
            else:
                messages.success(
                    request, f"{name} joined from {membership.joined_on:%b %-d} (future sessions only)."
                )
            return redirect("scheduling:series", series.pk)
    return _series_page(request, series, status=400, join_form=form)


@require_http_methods(["POST"])
def series_leave(request: StaffRequest, series_id: uuid.UUID, membership_id: uuid.UUID) -> HttpResponse:
    series = _series_for(request, series_id)
    membership = (
        SeriesMembership.objects.filter(pk=membership_id, series=series).select_related("participant").first()
    )
    if membership is None:
        raise deny(request, "series_membership", str(membership_id))
    form = LeaveForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            roster.series_leave(actor=request.user, membership=membership, **form.cleaned_data)
            messages.success(
                request, f"{membership.participant.display_name} is off the group's future sessions."
            )
            return redirect("scheduling:series", series.pk)
    return _series_page(request, series, status=400, leave_form=form)


@require_http_methods(["POST"])
def series_generate(request: StaffRequest, series_id: uuid.UUID) -> HttpResponse:
    series = _series_for(request, series_id)
    form = GenerateForm(request.POST)
    if form.is_valid():
        with booking_refusal(form):
            done = roster.series_generate_report(actor=request.user, series=series, **form.cleaned_data)
            messages.success(request, f"{len(done.created)} sessions added to the calendar.")
            for day, why in done.skipped:
                messages.warning(request, f"Skipped {day:%a %b %-d}: {why}")
            for day, why in done.left_off:
                messages.warning(request, f"{day:%a %b %-d}: left off the roster — {why}")
            return redirect("scheduling:series", series.pk)
    return _series_page(request, series, status=400, generate_form=form)


# --- One session --------------------------------------------------------------------------------


def _may_manage(user, session) -> bool:
    return bool(user.roles_in(session.program_id) & set(SCHEDULE_ROLES))


def _session_page(request, session, status=200, **forms) -> HttpResponse:
    tz = session.program.tz
    rows = list(
        Attendance.objects.filter(session=session)
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name")
    )
    if request.method == "GET":
        for a in rows:
            audit_record(
                action=Action.READ,
                actor=request.user,
                participant=a.participant,
                object_type="session",
                object_id=str(session.pk),
                detail={"view": "scheduling:session"},
            )
    local = timezone.localtime(session.starts_at, tz)
    conflicts = []
    if _may_manage(request.user, session) and session.status != Session.Status.CANCELLED:
        conflicts = session_conflicts(session.program, [session])
    context = {
        "conflicts": [wc for wc in conflicts if wc.open],
        "confirmed": _confirmed(session, rows, [wc for wc in conflicts if not wc.open]),
        "session": session,
        "rows": rows,
        "may_manage": _may_manage(request.user, session) and session.status == Session.Status.SCHEDULED,
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "move_form": forms.get("move_form")
        or RescheduleForm(
            tz=tz,
            initial={
                "day": local.date(),
                "start": local.time(),
                "end": timezone.localtime(session.ends_at, tz).time(),
            },
        ),
        "moved_to": Session.objects.filter(rescheduled_from=session).first(),
    }
    return render(request, "scheduling/session.html", context, status=status)


def _confirmed(session, rows, confirmed) -> list[dict]:
    """Soft conflicts booked anyway, worded as what they are (the page says "Booked outside Blair
    Sample's work or family hours — confirmed by Frank Desk: “Day off that week”"), not as a conflict
    still to resolve."""
    names = {a.participant_id: a.participant.display_name for a in rows}
    staff = session.staff.get_full_name() or session.staff.username
    out = []
    for wc in confirmed:
        c, a = wc.conflict, wc.accepted
        if c.kind == WORK_HOURS:
            whose = f"{names.get(c.participant_id, 'a participant')}'s work or family hours"
        else:
            whose = f"{staff}'s working hours"
        by = (a.accepted_by.get_full_name() or a.accepted_by.username) if a.accepted_by else ""
        out.append({"whose": whose, "message": c.message, "by": by, "at": a.accepted_at, "reason": a.reason})
    return out


@require_http_methods(["GET"])
def session_detail(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
    return _session_page(request, session_for(request, session_id))


def _managed_session(request, session_id):
    session = session_for(request, session_id)
    if not _may_manage(request.user, session):
        raise deny(request, "session", str(session_id))
    return session


def _affected_message(request, verb: str, change: sessions.Change) -> None:
    names = ", ".join(p.display_name for p in change.affected) or "no one"
    messages.success(request, f"Session {verb}. Participants affected ({len(change.affected)}): {names}.")


def _no_longer_scheduled(request: StaffRequest, session) -> HttpResponse | None:
    """A page open in another tab: the session was cancelled or moved meanwhile, so the page no longer
    offers the form whose refusal would be shown; say it above the page instead."""
    status = Session.objects.filter(pk=session.pk).values_list("status", flat=True).first()
    if status is None or status == Session.Status.SCHEDULED:
        return None
    moved = Session.objects.filter(rescheduled_from=session.pk).exists()
    state = "moved" if moved else Session.Status(status).label.lower()
    messages.info(request, f"This session is {state} already (perhaps in another tab); nothing changed.")
    return redirect("scheduling:session", session.pk)


@require_http_methods(["POST"])
def session_cancel(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
    session = _managed_session(request, session_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            change = sessions.session_cancel(
                actor=request.user, session=session, reason=form.cleaned_data["reason"]
            )
            _affected_message(request, "cancelled", change)
            return redirect("scheduling:session", session.pk)
    return _no_longer_scheduled(request, session) or _session_page(
        request, session, status=400, cancel_form=form
    )


@require_http_methods(["POST"])
def session_move(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
    session = _managed_session(request, session_id)
    form = RescheduleForm(request.POST, tz=session.program.tz)
    if form.is_valid():
        data = form.cleaned_data
        with booking_refusal(form):
            change = sessions.session_reschedule(
                actor=request.user,
                session=session,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
                confirm_reason=data["confirm_reason"],
            )
            _affected_message(request, "moved", change)
            return redirect("scheduling:session", change.session.pk)
    return _no_longer_scheduled(request, session) or _session_page(
        request, session, status=400, move_form=form
    )


@require_http_methods(["GET", "POST"])
def session_new(request: StaffRequest) -> HttpResponse:
    """A one-off session: individual, family, medication or drug-screen visit, or an extra group."""
    program = require_schedule_program(request, "session")
    participants = Participant.objects.visible_to(request.user).filter(program=program, status__in=IN_CARE)
    form = OneOffForm(request.POST or None, program=program, participants=participants)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            with booking_refusal(form):
                session = sessions.session_create(
                    actor=request.user,
                    program=program,
                    kind=data["kind"],
                    staff=data["staff"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    participants=list(data["participants"]),
                    session_type=data["session_type"],
                    room=data["room"],
                    modality=data["modality"],
                    title=data["title"],
                    confirm_reason=data["confirm_reason"],
                )
                messages.success(request, "Session added to the calendar.")
                return redirect("scheduling:session", session.pk)
        status = 400
    return render(request, "scheduling/session_new.html", {"form": form, "program": program}, status=status)
