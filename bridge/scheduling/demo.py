"""Demo schedule: rooms, a curriculum, payer rules, recurring groups for every track with members,
six weeks of attendance behind and three weeks of sessions ahead.

The ledger should be worth opening: most people meet their floor, a few fall short (two of them
often absent), adolescents have the 6-hour floor, one person in step-down has an exception this
week and last, one group has a waitlist, one session was cancelled and one moved, and one person
has two unexcused absences in a row (their follow-up goes through the attendance service, so the
work item is real). Runs before the clinical demo, which writes its group notes on these sessions.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from django.utils import timezone

from bridge.core.weeks import monday_of
from bridge.participants.models import EpisodeOfCare, Participant
from bridge.scheduling.models import (
    Attendance,
    EpisodePayer,
    GroupSeries,
    PayerRule,
    ProgramClosure,
    RequiredCredential,
    Room,
    SeriesMembership,
    ServiceRule,
    Session,
    SessionKind,
    SessionType,
    StepDownException,
)
from bridge.scheduling.services.attendance import Mark, attendance_record
from bridge.scheduling.services.roster import series_generate
from bridge.scheduling.services.sessions import session_cancel, session_reschedule

C = SessionType.Category
R = RequiredCredential
# (name, category, kind, default minutes, required credential)
CURRICULUM = [
    ("Relapse prevention group", C.GROUP_THERAPY, SessionKind.GROUP, 180, R.CLINICIAN),
    ("Process group", C.GROUP_THERAPY, SessionKind.GROUP, 90, R.CLINICIAN),
    ("CBT skills group", C.GROUP_THERAPY, SessionKind.GROUP, 90, R.CLINICIAN),
    ("Psychoeducation: how addiction works", C.PSYCHOEDUCATION, SessionKind.GROUP, 60, R.CLINICIAN),
    ("Stress management", C.PSYCHOEDUCATION, SessionKind.GROUP, 60, R.NONE),
    ("Nutrition and recovery", C.PSYCHOEDUCATION, SessionKind.GROUP, 60, R.NONE),
    ("Exercise and recovery", C.PSYCHOEDUCATION, SessionKind.GROUP, 60, R.NONE),
    ("Meditation", C.PSYCHOEDUCATION, SessionKind.GROUP, 45, R.NONE),
    ("Budgeting", C.LIFE_SKILLS, SessionKind.GROUP, 60, R.NONE),
    ("Job searching", C.LIFE_SKILLS, SessionKind.GROUP, 60, R.NONE),
    ("Relationship communication", C.LIFE_SKILLS, SessionKind.GROUP, 60, R.CLINICIAN),
    ("Family session", C.FAMILY, SessionKind.FAMILY, 50, R.LICENSED),
    ("Individual therapy", C.INDIVIDUAL, SessionKind.INDIVIDUAL, 50, R.CLINICIAN),
    ("Medication visit", C.MEDICAL, SessionKind.MEDICATION, 30, R.PRESCRIBER),
    ("Drug-screen visit", C.MEDICAL, SessionKind.DRUG_SCREEN, 15, R.NURSE),
]
TOPICS = [
    "Relapse prevention: high-risk situations",
    "Coping with cravings",
    "Stress management: the body's alarm",
    "Family and boundaries",
    "Sleep and stress",
    "Budgeting in recovery",
    "Refusal skills role-play",
    "Meditation and urge surfing",
    "Nutrition and mood",
    "Job searching with a gap in the résumé",
]
WEEKS_BACK = 6
WEEKS_AHEAD = 3
GROUP_SIZE = 10


def build(ctx) -> None:
    program, rng, staff = ctx.program, ctx.rng, ctx.staff
    tz = program.tz
    now = timezone.now()
    today = timezone.localtime(now, tz).date()

    # Rooms: the planner's counseling rooms (it uses what exists) plus two group rooms.
    wanted = [("Group room 1", 14), ("Group room 2", 12), ("Counseling room A", 3), ("Counseling room B", 3)]
    wanted += [("Family room", 8)]
    wanted += [(f"Counseling room {k}", 3) for k in range(3, 1 + ctx.scale)]
    wanted += [(f"Family room {k}", 6) for k in range(2, 1 + ctx.scale // 3)]
    # Bigger demos run many groups on a track at once: one group room each (no room booked twice).
    wanted += [(f"Group room {k}", 12) for k in range(3, 2 + math.ceil(ctx.scale * 22 * 0.7 / GROUP_SIZE))]
    rooms = {n: Room.objects.create(program=program, name=n, capacity=c) for n, c in wanted}
    group_rooms = [r for n, r in rooms.items() if n.startswith("Group room")]

    types = {
        name: SessionType.objects.create(
            program=program,
            name=name,
            category=category,
            kind=kind,
            default_minutes=minutes,
            required_credential=credential,
        )
        for name, category, kind, minutes, credential in CURRICULUM
    }
    K = PayerRule.Kind
    medi_cal = PayerRule.objects.create(
        program=program,
        name="Medi-Cal DMC-ODS",
        kind=K.MEDICAID,
        code="H0015",
        min_minutes_per_day=180,
        min_days=3,
    )
    commercial = PayerRule.objects.create(
        program=program,
        name="Blue Shield PPO",
        kind=K.COMMERCIAL,
        code="S9480",
        min_minutes_per_day=180,
        min_days=3,
    )
    medicare = PayerRule.objects.create(
        program=program, name="Medicare", kind=K.MEDICARE, code="CC92", min_minutes_per_day=180, min_days=3
    )
    # Medi-Cal also counts individual therapy by telephone (audio only); the defaults do not.
    ServiceRule.objects.create(
        program=program, session_type=types["Individual therapy"], payer=medi_cal, audio_only=True
    )

    # Closures: public holidays come from the `holidays` package; the program stays open on
    # Veterans Day and closes for a staff training day (a daytime-track Wednesday) next week.
    ProgramClosure.objects.create(
        program=program,
        day=date(today.year, 11, 11),
        name="Veterans Day",
        closed=False,
        source=ProgramClosure.Source.HOLIDAY,
    )
    ProgramClosure.objects.create(
        program=program,
        day=monday_of(today) + timedelta(weeks=1, days=2),
        name="Staff training day",
        source=ProgramClosure.Source.PROGRAM,
    )

    episodes = list(
        EpisodeOfCare.objects.filter(program=program, status=EpisodeOfCare.Status.ACTIVE)
        .select_related("participant")
        .order_by("admitted_on", "participant__last_name", "participant__first_name")
    )
    EpisodePayer.objects.bulk_create(
        [
            EpisodePayer(
                episode=e,
                rule=medicare if k % 7 == 3 else medi_cal if k % 3 else commercial,
                set_by=staff["frontdesk"],
            )
            for k, e in enumerate(episodes)
            if k % 7 != 6  # a few self-pay: no day rule
        ]
    )

    # Tracks: adolescents to the weekend track (its 7 hours clear their 6-hour floor), the rest spread.
    tracks = ctx.tracks
    by_track: dict[str, list[EpisodeOfCare]] = {"evening": [], "daytime": [], "weekend": []}
    adults = 0
    for e in episodes:
        if e.participant.age_on(today) < 18:
            by_track["weekend"].append(e)
            continue
        # One adult in eight on the weekend track: its 7 hours leave them short of 9 (a real pattern).
        name = "weekend" if adults % 8 == 5 else ["evening", "evening", "daytime"][adults % 3]
        by_track[name].append(e)
        adults += 1

    facilitators = [t for t in ctx.therapists]
    start_day = monday_of(today) - timedelta(weeks=WEEKS_BACK)
    end_day = monday_of(today) + timedelta(weeks=WEEKS_AHEAD, days=6)
    all_series: list[tuple[GroupSeries, list[EpisodeOfCare]]] = []
    count = 0
    for key, members in by_track.items():
        track = tracks[key]
        groups = max(1, math.ceil(len(members) / GROUP_SIZE))
        first = count  # a track's groups run at the same time: each its own facilitator and room
        for g in range(groups):
            label = {"evening": "Evening", "daytime": "Daytime", "weekend": "Weekend"}[key]
            series = GroupSeries.objects.create(
                program=program,
                track=track,
                name=f"{label} recovery group {chr(65 + g % 26)}{g // 26 or ''}",
                session_type=types["Relapse prevention group"],
                facilitator=facilitators[(first + g) % len(facilitators)],
                room=None
                if track.modality == track.Modality.TELEHEALTH
                else group_rooms[g % len(group_rooms)],
                size_cap=12,
                starts_on=start_day - timedelta(weeks=20),
            )
            count += 1
            chunk = members[g::groups]
            all_series.append((series, chunk))
            SeriesMembership.objects.bulk_create(
                [
                    SeriesMembership(
                        series=series,
                        participant=e.participant,
                        status=SeriesMembership.Status.ACTIVE,
                        joined_on=e.admitted_on,
                        requested_at=datetime.combine(e.admitted_on, datetime.min.time(), tzinfo=tz),
                    )
                    for e in chunk
                ]
            )

    # A full daytime group with a waitlist: the cap is its current size, and two evening members asked.
    day_series = next(s for s, _ in all_series if s.track_id == tracks["daytime"].pk)
    day_members = SeriesMembership.objects.filter(series=day_series).count()
    day_series.size_cap = max(1, day_members)
    day_series.save(update_fields=["size_cap"])
    evening_members = [e for s, chunk in all_series if s.track_id == tracks["evening"].pk for e in chunk]
    for k, e in enumerate(evening_members[:2]):
        SeriesMembership.objects.create(
            series=day_series,
            participant=e.participant,
            status=SeriesMembership.Status.WAITLISTED,
            requested_at=now - timedelta(days=5 - k),
            reason="Asked to move to daytime (new night shift)",
        )

    for series, _ in all_series:
        series_generate(actor=staff["director"], series=series, date_from=start_day, date_to=end_day)

    # Topics on the group sessions, so the calendar and group notes read like a real curriculum.
    sessions = list(
        Session.objects.filter(program=program, series__isnull=False).order_by("starts_at", "series__name")
    )
    for k, s in enumerate(sessions):
        s.title = TOPICS[k % len(TOPICS)]
    _update_grouped(Session, sessions, ["title"])

    # Attendance for everything that has already started (up to yesterday's last group).
    struggling = {e.participant_id for e in episodes[3::9]}  # often absent: below the floor
    step_down = [e for e in episodes if e.participant.status == Participant.Status.STEP_DOWN]
    tapering = {e.participant_id for e in step_down[:1]}
    past = [s for s in sessions if s.starts_at < now]
    rows = list(
        Attendance.objects.filter(session__in=past)
        .select_related("session")
        # A total order that does not depend on random ids or the database: the demo is deterministic.
        .order_by(
            "session__starts_at", "session__series__name", "participant__last_name", "participant__first_name"
        )
    )
    A = Attendance.Status
    completed = []
    for row in rows:
        s = row.session
        p = row.participant_id
        roll = rng.random()
        chance_absent = 0.45 if p in struggling else 0.35 if p in tapering else 0.03
        if roll < chance_absent:
            row.status = rng.choice([A.EXCUSED, A.EXCUSED, A.UNEXCUSED, A.NO_SHOW])
            row.minutes = row.arrived_at = row.departed_at = None
        else:
            row.arrived_at, row.departed_at = s.starts_at, s.ends_at
            extra = rng.random()
            if extra < 0.03:
                row.status = A.LATE
                row.arrived_at = s.starts_at + timedelta(minutes=rng.choice([10, 15, 20, 35]))
            elif extra < 0.05:
                row.status = A.LEFT_EARLY
                row.departed_at = s.ends_at - timedelta(minutes=rng.choice([30, 45, 60]))
            else:
                row.status = A.PRESENT
            row.minutes = int((row.departed_at - row.arrived_at) / timedelta(minutes=1))
        row.recorded_by = s.staff
        row.recorded_at = s.ends_at + timedelta(minutes=10)
        completed.append(s.pk)
    # Two unexcused in a row need a clean lead-in: the chosen person's absences are set below.
    _update_grouped(
        Attendance, rows, ["status", "minutes", "arrived_at", "departed_at", "recorded_by_id", "recorded_at"]
    )
    Session.objects.filter(pk__in=set(completed)).update(status=Session.Status.COMPLETED)

    # A cancelled past session (nobody had been marked) and a moved future one.
    if len(past) > 8:
        cancelled = past[-8]
        Attendance.objects.filter(session=cancelled).update(
            status=A.EXPECTED,
            minutes=None,
            arrived_at=None,
            departed_at=None,
            recorded_by=None,
            recorded_at=None,
        )
        Session.objects.filter(pk=cancelled.pk).update(status=Session.Status.SCHEDULED)
        cancelled.status = Session.Status.SCHEDULED
        session_cancel(
            actor=staff["director"], session=cancelled, reason="Facilitator ill; no cover available"
        )
    future = [s for s in sessions if s.starts_at > now + timedelta(days=2)]
    if future:
        move = future[0]
        local = timezone.localtime(move.starts_at, tz)
        session_reschedule(
            actor=staff["frontdesk"],
            session=move,
            starts_at=move.starts_at + timedelta(hours=1),
            ends_at=move.ends_at + timedelta(hours=1),
            reason=f"Building fire drill at {local:%H:%M}",
        )

    # Two unexcused absences in a row for one participant, recorded through the service.
    candidates = [
        e for e in episodes if e.participant_id not in struggling and e.participant_id not in tapering
    ]
    if candidates:
        absent = candidates[len(candidates) // 2].participant
        theirs = [
            a.session
            for a in Attendance.objects.filter(participant=absent, session__in=past)
            .exclude(session__status=Session.Status.CANCELLED)
            .select_related("session__program")
            .order_by("session__starts_at")
        ]
        if len(theirs) >= 2:
            Attendance.objects.filter(participant=absent, session=theirs[-2]).update(
                status=A.UNEXCUSED, minutes=None, arrived_at=None, departed_at=None
            )
            Attendance.objects.filter(participant=absent, session=theirs[-1]).update(
                status=A.EXPECTED,
                minutes=None,
                arrived_at=None,
                departed_at=None,
                recorded_by=None,
                recorded_at=None,
            )
            attendance_record(
                actor=theirs[-1].staff,
                session=theirs[-1],
                marks=[Mark(participant_id=absent.pk, status=A.UNEXCUSED)],
            )

    _visits(ctx, episodes, types, start_day, now)

    # Step-down: a taper exception for last week and this week.
    for e in step_down[:1]:
        StepDownException.objects.create(
            participant=e.participant,
            first_week=monday_of(today) - timedelta(weeks=1),
            weeks=2,
            floor_minutes=6 * 60,
            reason="Stepping down: back at work full time, two evenings a week for two weeks",
            granted_by=ctx.primary_of(e.participant) or staff["director"],
            granted_at=now - timedelta(days=8),
        )


def _update_grouped(model, objects: list, fields: list[str]) -> None:
    """Save `fields` of `objects` with one UPDATE per distinct set of values (a session's attendees
    mostly share theirs). The same rows as `bulk_update`, without its per-row CASE expressions, which
    cost minutes of CPU at `--scale 50`."""
    groups: dict[tuple, list] = {}
    for obj in objects:
        groups.setdefault(tuple(getattr(obj, f) for f in fields), []).append(obj.pk)
    for values, pks in groups.items():
        for k in range(0, len(pks), 500):
            model.objects.filter(pk__in=pks[k : k + 500]).update(**dict(zip(fields, values, strict=True)))


def _visits(ctx, episodes, types, start_day, now) -> None:
    """Past drug-screen visits (15 min after a group, with the nurse): minutes the ledger shows
    as attended but not counted toward hours."""
    program, staff = ctx.program, ctx.staff
    nurse = staff.get("nurse") or staff["director"]
    A = Attendance.Status
    group_rows = (
        Attendance.objects.filter(
            session__program=program,
            session__series__isnull=False,
            session__starts_at__gte=datetime.combine(start_day, datetime.min.time(), tzinfo=program.tz),
            session__starts_at__lt=now - timedelta(days=1),
            status__in=Attendance.ATTENDED,
        )
        .exclude(session__status=Session.Status.CANCELLED)
        .select_related("session")
        .order_by("session__starts_at", "participant__last_name", "participant__first_name")
    )
    screened = {e.participant_id for e in episodes[::4]}
    done: set = set()
    nurse_busy: set = set()
    for row in group_rows:
        group = row.session
        week = monday_of(timezone.localtime(group.starts_at, program.tz).date())
        if row.participant_id not in screened or (row.participant_id, week) in done:
            continue
        starts = group.ends_at
        while starts in nurse_busy:  # one person at a time, right after the group
            starts += timedelta(minutes=20)
        nurse_busy.add(starts)
        done.add((row.participant_id, week))
        visit = Session.objects.create(
            program=program,
            kind=SessionKind.DRUG_SCREEN,
            session_type=types["Drug-screen visit"],
            starts_at=starts,
            ends_at=starts + timedelta(minutes=15),
            staff=nurse,
            status=Session.Status.COMPLETED,
        )
        Attendance.objects.create(
            session=visit,
            participant_id=row.participant_id,
            status=A.PRESENT,
            arrived_at=visit.starts_at,
            departed_at=visit.ends_at,
            minutes=15,
            recorded_by=nurse,
            recorded_at=visit.ends_at,
        )
