"""From the database to the solver's plain Problem for one program and ISO week, and back.

What counts as busy for a participant: their work, family, school and other blocks; the group
sessions of every track they are a member of (through their group series, on the days their
membership covers); and every session they are already on the roster of that week. For a
clinician: outside their hours, every session they lead that week (any program), and the group
series they facilitate. For a room: its sessions and its series' track times.

A requirement is due this week when the participant has had no session of that kind within the
last `every_weeks` weeks, and none is already on the calendar this week.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q

from bridge.accounts.models import Credential, StaffRole, User
from bridge.accounts.qualify import qualifications
from bridge.core.weeks import clock_minutes, minute_of_week, monday_of, week_bounds
from bridge.participants.models import CareTeamMember, Participant
from bridge.planner import problem as pm
from bridge.planner.models import (
    AppointmentRule,
    ClinicianHours,
    ClinicianSchedule,
    Modality,
    ParticipantRequirement,
    ParticipantTimeBlock,
)
from bridge.programs.models import Program
from bridge.scheduling.models import Attendance, GroupSeries, Room, SeriesMembership, Session

APPOINTMENT_KINDS = ("individual", "family", "medication", "drug_screen")
SCHEDULED_STATUSES = ("active", "step_down")
DEFAULT_CAPACITY = 20 * 60
MODALITIES: dict[str, tuple[pm.Modality, ...]] = {
    Modality.EITHER: (pm.Modality.IN_PERSON, pm.Modality.TELEHEALTH),
    Modality.IN_PERSON: (pm.Modality.IN_PERSON,),
    Modality.TELEHEALTH: (pm.Modality.TELEHEALTH,),
}


@dataclass
class Plan:
    """The problem plus what is needed to turn a solution back into sessions."""

    program: Program
    week_start: date
    problem: pm.Problem
    participants: dict[str, Participant]
    staff: dict[str, User]
    rooms: dict[str, Room]
    rules: dict[str, AppointmentRule] = field(default_factory=dict)
    request_rule: dict[str, tuple[str, str]] = field(default_factory=dict)  # request -> (participant, rule)
    telehealth_urls: dict[str, str] = field(default_factory=dict)


def _weekly(day_windows: list[tuple[int, int, int]]) -> tuple[pm.Window, ...]:
    return tuple(sorted(pm.Window(d * pm.DAY + s, d * pm.DAY + e) for d, s, e in day_windows))


def _track_windows(track, week_start: date, active_on) -> list[tuple[int, int, int]]:
    found = []
    for weekday in track.weekdays:
        if active_on(week_start + timedelta(days=weekday)):
            found.append((weekday, clock_minutes(track.start_time), clock_minutes(track.end_time)))
    return found


def _series_active(series: GroupSeries, day: date) -> bool:
    return series.is_active and series.starts_on <= day and (series.ends_on is None or day <= series.ends_on)


def build_plan(
    program: Program, week_start: date, *, participant_ids: list | None = None, step: int = 30
) -> Plan:
    if week_start.weekday() != 0:
        raise ValueError("week_start must be a Monday")
    tz = program.tz
    start, end = week_bounds(week_start, tz)
    week_end = week_start + timedelta(days=6)

    def minute(moment) -> int:
        return minute_of_week(moment, week_start, tz)

    participants_qs = Participant.objects.filter(program=program, status__in=SCHEDULED_STATUSES)
    if participant_ids is not None:
        participants_qs = participants_qs.filter(pk__in=participant_ids)
    participants = {str(p.pk): p for p in participants_qs.order_by("last_name", "first_name", "pk")}
    pids = list(participants)

    busy: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    preferred: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for block in ParticipantTimeBlock.objects.filter(participant_id__in=pids):
        target = preferred if block.kind == ParticipantTimeBlock.Kind.PREFERRED else busy
        target[str(block.participant_id)].append(
            (block.weekday, clock_minutes(block.start_time), clock_minutes(block.end_time))
        )
    memberships = (
        SeriesMembership.objects.filter(
            participant_id__in=pids, status=SeriesMembership.Status.ACTIVE, joined_on__lte=week_end
        )
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=week_start))
        .select_related("series__track")
    )
    for m in memberships:

        def member_on(day: date, m=m) -> bool:
            return (
                m.joined_on <= day
                and (m.left_on is None or day < m.left_on)
                and _series_active(m.series, day)
            )

        busy[str(m.participant_id)].extend(_track_windows(m.series.track, week_start, member_on))

    sessions = list(
        Session.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .exclude(status=Session.Status.CANCELLED)
        .values("id", "staff_id", "room_id", "starts_at", "ends_at", "kind")
    )
    person_busy: dict[str, list[pm.Window]] = defaultdict(list)
    for a in (
        Attendance.objects.filter(
            participant_id__in=pids, session__starts_at__lt=end, session__ends_at__gt=start
        )
        .exclude(session__status=Session.Status.CANCELLED)
        .values("participant_id", "session__starts_at", "session__ends_at")
    ):
        s, e = minute(a["session__starts_at"]), minute(a["session__ends_at"])
        if e > s:
            person_busy[str(a["participant_id"])].append(pm.Window(s, e))

    people = {
        pid: pm.Person(
            pid,
            busy=tuple(sorted(set(_weekly(busy[pid])) | set(person_busy[pid]))),
            preferred=_weekly(preferred[pid]),
        )
        for pid in pids
    }

    # Clinicians: every active staff member of the program.
    staff_ids = set(
        StaffRole.objects.filter(program=program, user__is_active=True).values_list("user_id", flat=True)
    )
    staff = {str(u.pk): u for u in User.objects.filter(pk__in=staff_ids)}
    creds: dict[str, list[str]] = defaultdict(list)
    for user_id, kind in Credential.objects.filter(
        user_id__in=staff_ids, expires_on__gte=week_end
    ).values_list("user_id", "kind"):
        creds[str(user_id)].append(kind)
    hours: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for h in ClinicianHours.objects.filter(program=program, staff_id__in=staff_ids):
        hours[str(h.staff_id)].append((h.weekday, clock_minutes(h.start_time), clock_minutes(h.end_time)))
    schedules = {str(s.staff_id): s for s in ClinicianSchedule.objects.filter(program=program)}
    staff_busy: dict[str, list[pm.Window]] = defaultdict(list)
    room_busy: dict[str, list[pm.Window]] = defaultdict(list)
    booked: dict[str, int] = defaultdict(int)
    for row in sessions:
        begins, ends = minute(row["starts_at"]), minute(row["ends_at"])
        if ends <= begins:
            continue
        staff_busy[str(row["staff_id"])].append(pm.Window(begins, ends))
        if row["room_id"]:
            room_busy[str(row["room_id"])].append(pm.Window(begins, ends))
        if row["kind"] in APPOINTMENT_KINDS:
            booked[str(row["staff_id"])] += ends - begins
    for series in GroupSeries.objects.filter(program=program, is_active=True).select_related("track"):
        windows = [
            pm.Window(d * pm.DAY + s, d * pm.DAY + e)
            for d, s, e in _track_windows(
                series.track, week_start, lambda day, g=series: _series_active(g, day)
            )
        ]
        staff_busy[str(series.facilitator_id)].extend(windows)
        if series.room_id:
            room_busy[str(series.room_id)].extend(windows)

    # Closed days (public holidays, the program's own closures): nobody is booked.
    from bridge.scheduling.closures import closed_days

    for day in closed_days(program, week_start, week_end):
        whole_day = pm.Window((day - week_start).days * pm.DAY, ((day - week_start).days + 1) * pm.DAY)
        for sid in staff:
            staff_busy[sid].append(whole_day)

    clinicians = {
        sid: pm.Clinician(
            sid,
            str(user),
            hours=_weekly(hours[sid]),
            busy=tuple(sorted(set(staff_busy[sid]))),
            capacity=schedules[sid].weekly_capacity_minutes if sid in schedules else DEFAULT_CAPACITY,
            booked=booked[sid],
            qualifications=qualifications(creds[sid]),
        )
        for sid, user in staff.items()
    }
    rooms = {str(r.pk): r for r in Room.objects.filter(program=program, is_active=True)}
    problem_rooms = {
        rid: pm.Room(rid, r.name, r.capacity, tuple(sorted(set(room_busy[rid])))) for rid, r in rooms.items()
    }

    # Requirements due this week.
    rules = {str(r.pk): r for r in AppointmentRule.objects.filter(program=program, is_active=True)}
    overrides = {
        (str(o.participant_id), str(o.rule_id)): o
        for o in ParticipantRequirement.objects.filter(participant_id__in=pids, rule__in=rules.values())
    }
    team: dict[tuple[str, str], list[str]] = defaultdict(list)
    for member in CareTeamMember.objects.filter(participant_id__in=pids, ended_at__isnull=True).order_by(
        "started_at"
    ):
        team[str(member.participant_id), member.team_role].append(str(member.staff_id))
    kinds = {r.kind for r in rules.values()}
    last: dict[tuple[str, str], tuple[date, str, int]] = {}
    this_week: set[tuple[str, str]] = set()
    history = (
        Attendance.objects.filter(
            participant_id__in=pids, session__kind__in=kinds, session__starts_at__lt=end
        )
        .exclude(session__status=Session.Status.CANCELLED)
        .order_by("session__starts_at")
        .values_list("participant_id", "session__kind", "session__starts_at", "session__staff_id")
    )
    for participant_id, kind, starts_at, staff_id in history:
        key = (str(participant_id), kind)
        if starts_at >= start:
            this_week.add(key)
        else:
            local = starts_at.astimezone(tz)
            monday = monday_of(local.date())
            last[key] = (monday, str(staff_id), local.weekday() * pm.DAY + local.hour * 60 + local.minute)

    requests: list[pm.Request] = []
    request_rule: dict[str, tuple[str, str]] = {}
    for pid in pids:
        for rid, rule in rules.items():
            override = overrides.get((pid, rid))
            status = (
                override.status
                if override
                else (ParticipantRequirement.Status.REQUIRED if rule.applies_by_default else "waived")
            )
            if status != ParticipantRequirement.Status.REQUIRED:
                continue
            every = (override.every_weeks if override else None) or rule.every_weeks
            minutes = (override.minutes if override else None) or rule.minutes
            modality = (override.modality if override else "") or rule.modality
            if (pid, rule.kind) in this_week:
                continue
            previous = last.get((pid, rule.kind))
            if previous is not None and (week_start - previous[0]).days // 7 < every:
                continue
            if rule.clinician_from == AppointmentRule.ClinicianFrom.PRIMARY:
                able = tuple(team[pid, CareTeamMember.TeamRole.PRIMARY_CLINICIAN])
            elif rule.clinician_from == AppointmentRule.ClinicianFrom.PRESCRIBER:
                able = tuple(team[pid, CareTeamMember.TeamRole.PRESCRIBER])
                if not able:
                    continue  # a medication visit is for those with a prescriber on the team
            else:
                able = tuple(sorted(clinicians))
            request_id = f"{pid}:{rid}"
            requests.append(
                pm.Request(
                    id=request_id,
                    participant=pid,
                    kind=rule.kind,
                    minutes=minutes,
                    clinicians=able,
                    qualification=rule.required_credential,
                    modalities=MODALITIES[modality],
                    seats=rule.seats,
                    previous=(previous[1], previous[2]) if previous else None,
                )
            )
            request_rule[request_id] = (pid, rid)

    problem = pm.Problem(
        participants=people,
        clinicians=clinicians,
        rooms=problem_rooms,
        requests=tuple(requests),
        step=step,
    )
    return Plan(
        program=program,
        week_start=week_start,
        problem=problem,
        participants=participants,
        staff=staff,
        rooms=rooms,
        rules=rules,
        request_rule=request_rule,
        telehealth_urls={sid: s.telehealth_url for sid, s in schedules.items()},
    )
