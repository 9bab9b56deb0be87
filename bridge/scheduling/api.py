"""The schedule and attendance over the JSON API: sessions of a week, one roster, taking attendance,
and the hours ledger. Same access rules, services and audit events as the pages.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from bridge.api.auth import staff_auth
from bridge.api.errors import ApiError, Error
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.participants.access import Cap, participant_for
from bridge.planner.weeks import iso_week, monday_of, parse_iso_week
from bridge.scheduling import ledger
from bridge.scheduling.access import require_schedule_program, session_for
from bridge.scheduling.models import Attendance, Session
from bridge.scheduling.services.attendance import Mark, attendance_record

API_PREFIX = "/schedule/"
router = Router(tags=["schedule and attendance"], auth=staff_auth)

AttendanceStatus = Attendance.Status


class SessionOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    status: str
    starts_at: datetime
    ends_at: datetime
    modality: str
    room: str | None
    staff: str = Field(description="Username of the person leading it")
    series: uuid.UUID | None
    cancel_reason: str
    roster_size: int


class RosterRowOut(Schema):
    participant: uuid.UUID
    name: str
    status: str
    arrived_at: datetime | None
    departed_at: datetime | None
    minutes: int | None
    recorded_by: str | None
    recorded_at: datetime | None


class SessionDetailOut(SessionOut):
    roster: list[RosterRowOut]


class MarkIn(Schema):
    participant: uuid.UUID
    status: AttendanceStatus = Field(description="present, late, left_early, excused, unexcused or no_show")
    arrived_at: datetime | None = Field(None, description="Defaults to the session's start")
    departed_at: datetime | None = Field(None, description="Defaults to the session's end")


class AttendanceIn(Schema):
    marks: list[MarkIn] = Field(..., min_length=1)


class HoursOut(Schema):
    participant: uuid.UUID
    name: str
    week: str
    attended_minutes: int
    scheduled_minutes: int = Field(description="Still scheduled this week (0 once the week is over)")
    floor_minutes: int | None
    shortfall_minutes: int
    below_floor: bool
    floor_source: str = Field(description="level, exception, planned or none")
    label: str
    partial_week: bool
    payer_code: str | None
    payer_rule_met: bool | None


class WeekQuery(Schema):
    week: str | None = Field(None, description="ISO week like 2026-W48; this week if omitted")
    program: uuid.UUID | None = None


def _week(text: str | None, tz) -> date:
    if not text:
        return monday_of(timezone.localtime(timezone.now(), tz).date())
    try:
        return parse_iso_week(text)
    except ValueError as exc:
        raise ApiError(400, str(exc), field="week") from None


def _program(request: HttpRequest, object_type: str):
    try:
        return require_schedule_program(request, object_type)
    except Http404:
        raise ApiError(404, "No schedule here for you.", field="program", code="not_found") from None


def _session_out(s: Session, roster_size: int) -> dict:
    return {
        "id": s.pk,
        "kind": s.kind,
        "title": s.display_title,
        "status": s.status,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "modality": s.modality,
        "room": s.room.name if s.room else None,
        "staff": s.staff.get_username(),
        "series": s.series_id,
        "cancel_reason": s.cancel_reason,
        "roster_size": roster_size,
    }


def _hours_out(line: ledger.HoursLine) -> dict:
    return {
        "participant": line.participant_id,
        "name": line.participant.display_name if line.participant else "",
        "week": iso_week(line.week_start),
        "attended_minutes": line.attended_minutes,
        "scheduled_minutes": line.scheduled_minutes,
        "floor_minutes": line.floor_minutes,
        "shortfall_minutes": line.shortfall_minutes,
        "below_floor": line.below_floor,
        "floor_source": line.source,
        "label": line.label,
        "partial_week": line.partial_week,
        "payer_code": line.payer.code if line.payer else None,
        "payer_rule_met": line.payer_rule_met,
    }


@router.get(
    "sessions",
    response={200: list[SessionOut], 400: Error, 404: Error},
    summary="A program's sessions in a week",
)
def sessions_week(request: HttpRequest, query: Query[WeekQuery]):
    """Directors and front desk: every session of the program in the ISO week (program time zone)."""
    program = _program(request, "schedule_week")
    start = _week(query.week, program.tz)
    first, last = ledger.week_range(start, program.tz)
    rows = (
        Session.objects.filter(program=program, starts_at__gte=first, starts_at__lt=last)
        .select_related("room", "staff", "session_type")
        .annotate(roster_size=Count("attendance"))
        .order_by("starts_at")
    )
    audit_record(
        action=Action.SEARCH,
        actor=request.user,
        object_type="schedule_week",
        object_id=str(program.pk),
        detail={"week": iso_week(start), "channel": "api", "shown": len(rows)},
    )
    return [_session_out(s, s.roster_size) for s in rows]


def _roster(session: Session) -> list[dict]:
    rows = (
        Attendance.objects.filter(session=session)
        .select_related("participant", "recorded_by")
        .order_by("participant__last_name", "participant__first_name")
    )
    return [
        {
            "participant": a.participant_id,
            "name": a.participant.display_name,
            "status": a.status,
            "arrived_at": a.arrived_at,
            "departed_at": a.departed_at,
            "minutes": a.minutes,
            "recorded_by": a.recorded_by.get_username() if a.recorded_by else None,
            "recorded_at": a.recorded_at,
        }
        for a in rows
    ]


def _session(request: HttpRequest, session_id: uuid.UUID) -> Session:
    try:
        return session_for(request, session_id)
    except Http404:
        raise ApiError(404, "No session here.", field="session_id", code="not_found") from None


@router.get(
    "sessions/{session_id}",
    response={200: SessionDetailOut, 404: Error},
    summary="One session and its roster",
)
def session_detail(request: HttpRequest, session_id: uuid.UUID):
    """The person leading it, directors and front desk: the session and everyone on its roster."""
    session = _session(request, session_id)
    roster = _roster(session)
    for row in Attendance.objects.filter(session=session).select_related("participant"):
        audit_record(
            action=Action.READ,
            actor=request.user,
            participant=row.participant,
            object_type="attendance",
            object_id=str(row.pk),
            detail={"view": "api:session", "session": str(session.pk)},
        )
    return {**_session_out(session, len(roster)), "roster": roster}


@router.post(
    "sessions/{session_id}/attendance",
    response={200: SessionDetailOut, 400: Error, 404: Error},
    summary="Take or correct attendance",
)
def session_attendance(request: HttpRequest, session_id: uuid.UUID, payload: AttendanceIn):
    """Marks for some or all of the roster; minutes are computed from arrival and departure."""
    session = _session(request, session_id)
    roster_ids = set(Attendance.objects.filter(session=session).values_list("participant_id", flat=True))
    for k, mark in enumerate(payload.marks):
        if mark.participant not in roster_ids:
            raise ApiError(400, "Not on this session's roster.", field=f"marks[{k}].participant")
        if mark.status == AttendanceStatus.EXPECTED:
            raise ApiError(400, "Record what happened, not 'expected'.", field=f"marks[{k}].status")
    marks = [Mark(m.participant, m.status, m.arrived_at, m.departed_at) for m in payload.marks]
    try:
        attendance_record(actor=request.user, session=session, marks=marks)
    except ValidationError as exc:
        field, messages = (
            next(iter(exc.message_dict.items())) if hasattr(exc, "error_dict") else (None, exc.messages)
        )
        raise ApiError(400, " ".join(messages), field=f"marks.{field}" if field else None) from None
    session.refresh_from_db()
    roster = _roster(session)
    return {**_session_out(session, len(roster)), "roster": roster}


@router.get(
    "hours", response={200: list[HoursOut], 400: Error, 404: Error}, summary="The weekly hours ledger"
)
def hours_week(request: HttpRequest, query: Query[WeekQuery]):
    """Directors and front desk: everyone in care that week against their floor and payer day rule."""
    program = _program(request, "hours_ledger")
    start = _week(query.week, program.tz)
    lines = ledger.week_ledger(program, start)
    audit_record(
        action=Action.SEARCH,
        actor=request.user,
        object_type="hours_ledger",
        object_id=str(program.pk),
        detail={"week": iso_week(start), "channel": "api", "shown": len(lines)},
    )
    return [_hours_out(line) for line in lines]


@router.get(
    # The path parameter is not called participant_id: that name marks the HTML pages the generated
    # access-matrix test walks; this endpoint has its own tests.
    "participants/{participant}/hours",
    response={200: HoursOut, 400: Error, 403: Error, 404: Error},
    summary="One participant's week",
)
def participant_hours(request: HttpRequest, participant: uuid.UUID, week: str | None = None):
    """Anyone who may see the participant: attended minutes against their floor for the week."""
    try:
        person = participant_for(request, participant, cap=Cap.VIEW, object_type="hours")
    except Http404:
        raise ApiError(404, "No participant here.", field="participant", code="not_found") from None
    except PermissionDenied:
        raise ApiError(403, "Your role does not allow this.", code="forbidden") from None
    line = ledger.hours_for(person, _week(week, person.program.tz))
    return _hours_out(line)
