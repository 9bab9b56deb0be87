"""The schedule and attendance over the JSON API: sessions of a week, one roster, taking attendance,
and the hours ledger. Same access rules, services and audit events as the pages.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from bridge.accounts.http import StaffRequest
from bridge.api.auth import staff_auth
from bridge.api.errors import ApiError, Error, refused_as_400
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core.dates import AnyMoment, PlannedDate, PlannedMoment
from bridge.core.weeks import iso_week, monday_of, parse_iso_week
from bridge.participants.access import Cap, participant_for
from bridge.scheduling import ledger
from bridge.scheduling.access import SCHEDULE_ROLES, require_schedule_program, schedule_programs, session_for
from bridge.scheduling.conflicts import BookingConflict
from bridge.scheduling.models import (
    Attendance,
    GroupSeries,
    Room,
    SeriesMembership,
    Session,
    SessionKind,
    SessionType,
)
from bridge.scheduling.services import roster as roster_services
from bridge.scheduling.services import sessions as session_services
from bridge.scheduling.services.attendance import Mark, attendance_record

API_PREFIX = "/schedule/"
router = Router(tags=["schedule and attendance"], auth=staff_auth)

AttendanceStatus = Attendance.Status


class SessionOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    status: str
    starts_at: PlannedMoment
    ends_at: PlannedMoment
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
    arrived_at: AnyMoment | None = Field(None, description="Defaults to the session's start")
    departed_at: AnyMoment | None = Field(None, description="Defaults to the session's end")


class AttendanceIn(Schema):
    marks: list[MarkIn] = Field(..., min_length=1)


class NotCountedOut(Schema):
    session: uuid.UUID
    title: str
    day: date
    minutes: int
    reason: str


class ServicesDayOut(Schema):
    day: date
    services: int = Field(description="Billable IOP services attended that day")
    tier: str = Field(description="Medicare per diem reached: '3 services', '4+ services' or below 3")


class HoursOut(Schema):
    participant: uuid.UUID
    name: str
    week: str
    qualifying_minutes: int = Field(description="Minutes that count toward the level's hours for this payer")
    total_minutes: int = Field(description="Every attended minute, qualifying or not")
    not_counted: list[NotCountedOut] = Field(description="Each attended service that did not count, and why")
    attended_minutes: int = Field(description="Same as qualifying_minutes (kept for older clients)")
    scheduled_minutes: int = Field(description="Still scheduled this week (0 once the week is over)")
    floor_minutes: int | None
    shortfall_minutes: int
    below_floor: bool
    floor_source: str = Field(description="level, exception, planned or none")
    label: str
    partial_week: bool
    payer_code: str | None
    payer_rule_met: bool | None
    over_intensity: bool = Field(description="Level 2.1 at 20 h or more this week")
    services_per_day: list[ServicesDayOut] = Field(
        description="Billable services a day (Medicare's per diem)"
    )


class ConflictOut(Schema):
    kind: str = Field(description="participant, staff, room, closure, work_hours or staff_hours")
    with_: str | None = Field(None, alias="with", description="The other session's id, or null")
    message: str


class ConflictsOut(Schema):
    conflicts: list[ConflictOut]
    needs_confirmation: bool = Field(
        description="Only soft conflicts (work or working hours): send confirm_reason to book anyway"
    )


class OneOffIn(Schema):
    kind: SessionKind = Field(description="individual, family, medication, drug_screen, group or alumni")
    staff: uuid.UUID = Field(description="Id of the staff member who leads it")
    participants: list[uuid.UUID] = Field(..., min_length=1, max_length=40)
    starts_at: PlannedMoment
    ends_at: PlannedMoment
    modality: Session.Modality = Session.Modality.IN_PERSON
    room: uuid.UUID | None = None
    session_type: uuid.UUID | None = None
    title: str = Field("", max_length=160)
    program: uuid.UUID | None = None
    confirm_reason: str = Field("", max_length=300, description="Books in spite of soft conflicts; recorded")


class MoveIn(Schema):
    starts_at: PlannedMoment
    ends_at: PlannedMoment
    reason: str = Field(..., min_length=1, max_length=180)
    room: uuid.UUID | None = None
    confirm_reason: str = Field("", max_length=300)


class RosterJoinIn(Schema):
    participant: uuid.UUID
    on: PlannedDate | None = Field(None, description="First day (today if omitted; never before today)")
    confirm_reason: str = Field("", max_length=300)


class MembershipOut(Schema):
    id: uuid.UUID
    series: uuid.UUID
    participant: uuid.UUID
    status: str = Field(description="active, or waitlisted when the group is full")
    joined_on: date | None


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


def _program(request: StaffRequest, object_type: str):
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
        "qualifying_minutes": line.qualifying_minutes,
        "total_minutes": line.total_minutes,
        "not_counted": [
            {
                "session": n.session_id,
                "title": n.title,
                "day": n.day,
                "minutes": n.minutes,
                "reason": n.reason,
            }
            for n in line.not_counted
        ],
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
        "over_intensity": line.over_intensity,
        "services_per_day": [{"day": d, "services": n, "tier": tier} for d, n, tier in line.medicare_days],
    }


@router.get(
    "sessions",
    response={200: list[SessionOut], 400: Error, 404: Error},
    summary="A program's sessions in a week",
)
def sessions_week(request: StaffRequest, query: Query[WeekQuery]):
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


def _session(request: StaffRequest, session_id: uuid.UUID) -> Session:
    try:
        return session_for(request, session_id)
    except Http404:
        raise ApiError(404, "No session here.", field="session_id", code="not_found") from None


@router.get(
    "sessions/{session_id}",
    response={200: SessionDetailOut, 404: Error},
    summary="One session and its roster",
)
def session_detail(request: StaffRequest, session_id: uuid.UUID):
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
def session_attendance(request: StaffRequest, session_id: uuid.UUID, payload: AttendanceIn):
    """Marks for some or all of the roster; minutes are computed from arrival and departure."""
    session = _session(request, session_id)
    roster_ids = set(Attendance.objects.filter(session=session).values_list("participant_id", flat=True))
    for k, mark in enumerate(payload.marks):
        if mark.participant not in roster_ids:
            raise ApiError(400, "Not on this session's roster.", field=f"marks[{k}].participant")
        if mark.status == AttendanceStatus.EXPECTED:
            raise ApiError(400, "Record what happened, not 'expected'.", field=f"marks[{k}].status")
    marks = [Mark(m.participant, m.status, m.arrived_at, m.departed_at) for m in payload.marks]
    with refused_as_400(prefix="marks."):
        attendance_record(actor=request.user, session=session, marks=marks)
    session.refresh_from_db()
    roster = _roster(session)
    return {**_session_out(session, len(roster)), "roster": roster}


@router.get(
    "hours", response={200: list[HoursOut], 400: Error, 404: Error}, summary="The weekly hours ledger"
)
def hours_week(request: StaffRequest, query: Query[WeekQuery]):
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
def participant_hours(request: StaffRequest, participant: uuid.UUID, week: str | None = None):
    """Anyone who may see the participant: attended minutes against their floor for the week."""
    try:
        person = participant_for(request, participant, cap=Cap.VIEW, object_type="hours")
    except Http404:
        raise ApiError(404, "No participant here.", field="participant", code="not_found") from None
    except PermissionDenied:
        raise ApiError(403, "Your role does not allow this.", code="forbidden") from None
    line = ledger.hours_for(person, _week(week, person.program.tz))
    return _hours_out(line)


# --- Booking: one-off sessions, moves, roster joins (each runs the one conflict check) ------------------


def _conflicts_409(exc: BookingConflict):
    return Status(
        409,
        {"conflicts": [c.as_dict() for c in exc.conflicts], "needs_confirmation": exc.needs_confirmation},
    )


def _aware(value: datetime, field: str) -> datetime:
    if timezone.is_naive(value):
        raise ApiError(400, "Give a time zone offset (e.g. 2026-12-07T18:00:00-08:00).", field=field)
    return value


def _schedule_program(request: StaffRequest, wanted: uuid.UUID | None):
    for program in schedule_programs(request.user):
        if wanted is None or program.pk == wanted:
            return program
    raise ApiError(404, "No schedule here for you.", field="program", code="not_found")


@router.post(
    "sessions",
    response={201: SessionDetailOut, 400: Error, 404: Error, 409: ConflictsOut},
    by_alias=True,
    summary="Book a one-off session",
)
def session_book(request: StaffRequest, payload: OneOffIn):
    """Directors and front desk. Refused with 409 and the conflicts when anyone or the room is
    already booked, or the program is closed; soft conflicts (someone's declared hours) need
    `confirm_reason`."""
    from bridge.accounts.models import User
    from bridge.participants.models import Participant

    program = _schedule_program(request, payload.program)
    starts_at, ends_at = _aware(payload.starts_at, "starts_at"), _aware(payload.ends_at, "ends_at")
    if ends_at <= starts_at:
        raise ApiError(400, "The session must end after it starts.", field="ends_at")
    if ends_at - starts_at > timedelta(hours=8):
        raise ApiError(400, "A session lasts at most 8 hours.", field="ends_at")
    staff = User.objects.filter(pk=payload.staff, is_active=True, roles__program=program).first()
    if staff is None:
        raise ApiError(400, "No active staff member of this program has that id.", field="staff")
    people = {
        p.pk: p
        for p in Participant.objects.visible_to(request.user).filter(
            program=program, pk__in=payload.participants
        )
    }
    for k, pid in enumerate(payload.participants):
        if pid not in people:
            raise ApiError(400, "No participant of this program has that id.", field=f"participants[{k}]")
    room = None
    if payload.room is not None:
        room = Room.objects.filter(pk=payload.room, program=program, is_active=True).first()
        if room is None:
            raise ApiError(400, "No room of this program has that id.", field="room")
    elif payload.modality == Session.Modality.IN_PERSON:
        raise ApiError(400, "Choose a room for an in-person session.", field="room")
    session_type = None
    if payload.session_type is not None:
        session_type = SessionType.objects.filter(pk=payload.session_type, program=program).first()
        if session_type is None:
            raise ApiError(400, "No session type of this program has that id.", field="session_type")
    try:
        with refused_as_400():
            session = session_services.session_create(
                actor=request.user,
                program=program,
                kind=payload.kind,
                staff=staff,
                starts_at=starts_at,
                ends_at=ends_at,
                participants=[people[pid] for pid in dict.fromkeys(payload.participants)],
                session_type=session_type,
                room=room,
                modality=payload.modality,
                title=payload.title,
                confirm_reason=payload.confirm_reason,
            )
    except BookingConflict as exc:
        return _conflicts_409(exc)
    roster = _roster(session)
    return Status(201, {**_session_out(session, len(roster)), "roster": roster})


@router.post(
    "sessions/{session_id}/move",
    response={200: SessionDetailOut, 400: Error, 404: Error, 409: ConflictsOut},
    by_alias=True,
    summary="Move a session",
)
def session_move(request: StaffRequest, session_id: uuid.UUID, payload: MoveIn):
    """Directors and front desk. The old session is cancelled with the reason and a new one takes
    its roster; its own old time never blocks it (a session can move back)."""
    session = _session(request, session_id)
    if not request.user.roles_in(session.program_id) & set(SCHEDULE_ROLES):
        raise ApiError(404, "No session here.", field="session_id", code="not_found")
    starts_at, ends_at = _aware(payload.starts_at, "starts_at"), _aware(payload.ends_at, "ends_at")
    if ends_at <= starts_at:
        raise ApiError(400, "The session must end after it starts.", field="ends_at")
    if ends_at - starts_at > timedelta(hours=8):
        raise ApiError(400, "A session lasts at most 8 hours.", field="ends_at")
    room = None
    if payload.room is not None:
        room = Room.objects.filter(pk=payload.room, program=session.program, is_active=True).first()
        if room is None:
            raise ApiError(400, "No room of this program has that id.", field="room")
    try:
        with refused_as_400():
            change = session_services.session_reschedule(
                actor=request.user,
                session=session,
                starts_at=starts_at,
                ends_at=ends_at,
                reason=payload.reason,
                room=room,
                confirm_reason=payload.confirm_reason,
            )
    except BookingConflict as exc:
        return _conflicts_409(exc)
    roster = _roster(change.session)
    return Status(200, {**_session_out(change.session, len(roster)), "roster": roster})


@router.post(
    "series/{series_id}/roster",
    response={200: MembershipOut, 400: Error, 404: Error, 409: ConflictsOut},
    by_alias=True,
    summary="Add a participant to a group (every future session)",
)
def roster_join(request: StaffRequest, series_id: uuid.UUID, payload: RosterJoinIn):
    """Directors and front desk. Joins future sessions only (the waitlist when the group is full);
    refused with 409 when the participant is already booked at one of the group's times."""
    from bridge.participants.models import Participant

    series = (
        GroupSeries.objects.select_related("program")
        .filter(pk=series_id, program_id__in=request.user.programs_with_role(*SCHEDULE_ROLES))
        .first()
    )
    if series is None:
        raise ApiError(404, "No group here.", field="series_id", code="not_found")
    person = (
        Participant.objects.visible_to(request.user)
        .filter(pk=payload.participant, program=series.program)
        .first()
    )
    if person is None:
        raise ApiError(400, "No participant of this program has that id.", field="participant")
    try:
        with refused_as_400():
            membership = roster_services.series_join(
                actor=request.user,
                series=series,
                participant=person,
                on=payload.on,
                confirm_reason=payload.confirm_reason,
            )
    except BookingConflict as exc:
        return _conflicts_409(exc)
    return Status(
        200,
        {
            "id": membership.pk,
            "series": series.pk,
            "participant": person.pk,
            "status": membership.status,
            "joined_on": membership.joined_on
            if membership.status == SeriesMembership.Status.ACTIVE
            else None,
        },
    )
