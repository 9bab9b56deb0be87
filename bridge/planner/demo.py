"""Demo availability, clinician hours and appointment rules; this week scheduled by the solver.

Most participants work weekdays and need evenings or weekends; some work early or late shifts,
some care for children after school. Therapists work late afternoons and evenings, some Saturday
mornings; the prescriber has two clinic afternoons and Saturday morning.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import time

from django.utils import timezone

from bridge.core.weeks import monday_of
from bridge.participants.models import Participant
from bridge.planner.models import (
    AppointmentRule,
    ClinicianHours,
    ClinicianSchedule,
    Modality,
    ParticipantRequirement,
    ParticipantTimeBlock,
)
from bridge.scheduling.models import Attendance, RequiredCredential, Room, Session

K = ParticipantTimeBlock.Kind
WEEKDAYS = [0, 1, 2, 3, 4]

# (busy blocks as (kind, weekdays, start, end), preferred blocks as (weekdays, start, end))
PATTERNS = [
    ([(K.WORK, WEEKDAYS, time(8, 30), time(17, 30))], [([2, 4], time(17, 30), time(20))]),
    ([(K.WORK, WEEKDAYS, time(9), time(17, 30))], [([5], time(9), time(12))]),
    ([(K.WORK, WEEKDAYS, time(8), time(16, 30))], [([0, 2], time(17), time(19))]),
    ([(K.WORK, WEEKDAYS, time(7, 30), time(16))], []),
    ([(K.WORK, [1, 2, 3, 4, 5], time(7), time(15, 30))], [([1, 3], time(16), time(18))]),
    ([(K.WORK, WEEKDAYS, time(15), time(23))], [([0, 1, 2, 3, 4], time(10), time(13))]),
    ([(K.FAMILY, WEEKDAYS, time(14, 30), time(16)), (K.FAMILY, WEEKDAYS, time(7, 30), time(9))], []),
    ([(K.WORK, [0, 1, 2], time(8, 30), time(17, 30)), (K.FAMILY, [3], time(17), time(20))], []),
]

THERAPIST_HOURS = [
    [([0, 1, 2, 3], time(12), time(20, 30)), ([5], time(9), time(13))],
    [([1, 2, 3, 4], time(11), time(19, 30)), ([5], time(9), time(13))],
    [([0, 2, 4], time(13), time(21)), ([6], time(10), time(14))],
    [([0, 1, 3, 4], time(9), time(17, 30))],
]


def _session_times(program):
    """Local (weekday, start, end) of every live session, per staff member and per participant.

    Declared hours are chosen around the sessions the other demos already booked, so the demo
    has no conflicts: staff work when they lead, nobody is booked during their work hours.
    """
    tz = program.tz
    staff: dict = defaultdict(list)
    people: dict = defaultdict(list)
    spans = {}
    for sid, lead, starts, ends in (
        Session.objects.filter(program=program)
        .exclude(status=Session.Status.CANCELLED)
        .values_list("pk", "staff_id", "starts_at", "ends_at")
    ):
        a, b = timezone.localtime(starts, tz), timezone.localtime(ends, tz)
        span = (a.weekday(), a.time(), b.time() if b.date() == a.date() else time(23, 59))
        spans[sid] = span
        staff[lead].append(span)
    for sid, pid in Attendance.objects.filter(session_id__in=list(spans)).values_list(
        "session_id", "participant_id"
    ):
        people[pid].append(spans[sid])
    return staff, people


def _clashes(blocks, spans) -> bool:
    return any(
        d == weekday and start < e and s < end
        for _, days, start, end in blocks
        for d in days
        for weekday, s, e in spans
    )


def _covering(hours: list[tuple[list[int], time, time]], spans) -> list[tuple[int, time, time]]:
    """One span per weekday: the pattern's hours stretched to cover every session they lead."""
    by_day: dict = {}
    for weekdays, start, end in hours:
        for d in weekdays:
            a, b = by_day.get(d, (start, end))
            by_day[d] = (min(a, start), max(b, end))
    for weekday, start, end in spans:
        a, b = by_day.get(weekday, (start, end))
        by_day[weekday] = (min(a, start), max(b, end))
    return [(d, a, b) for d, (a, b) in sorted(by_day.items())]


def build(ctx) -> None:
    program = ctx.program
    staff_times, people_times = _session_times(program)
    rooms = list(Room.objects.filter(program=program, is_active=True))
    if not rooms:
        wanted = [("Counseling room A", 3), ("Counseling room B", 3), ("Family room", 8)]
        wanted += [(f"Counseling room {k}", 3) for k in range(3, 1 + ctx.scale)]
        wanted += [(f"Family room {k}", 6) for k in range(2, 1 + ctx.scale // 3)]
        rooms = [Room.objects.create(program=program, name=n, capacity=c) for n, c in wanted]

    AppointmentRule.objects.bulk_create(
        [
            AppointmentRule(
                program=program,
                name="Weekly individual therapy",
                kind="individual",
                minutes=50,
                every_weeks=1,
                clinician_from=AppointmentRule.ClinicianFrom.PRIMARY,
                required_credential=RequiredCredential.CLINICIAN,
                modality=Modality.EITHER,
                seats=2,
            ),
            AppointmentRule(
                program=program,
                name="Medication visit",
                kind="medication",
                minutes=30,
                every_weeks=2,
                clinician_from=AppointmentRule.ClinicianFrom.PRESCRIBER,
                required_credential=RequiredCredential.PRESCRIBER,
                modality=Modality.EITHER,
                seats=2,
            ),
            AppointmentRule(
                program=program,
                name="Monthly family session",
                kind="family",
                minutes=50,
                every_weeks=4,
                clinician_from=AppointmentRule.ClinicianFrom.PRIMARY,
                required_credential=RequiredCredential.LICENSED,
                modality=Modality.IN_PERSON,
                seats=4,
                # Switched on per participant: families take part where the participant wants it.
                applies_by_default=False,
            ),
        ]
    )

    hours: list[ClinicianHours] = []
    schedules: list[ClinicianSchedule] = []
    for k, therapist in enumerate(ctx.therapists):
        pattern = THERAPIST_HOURS[k % len(THERAPIST_HOURS)]
        hours += [
            ClinicianHours(staff=therapist, program=program, weekday=d, start_time=start, end_time=end)
            for d, start, end in _covering(pattern, staff_times.get(therapist.pk, []))
        ]
        schedules.append(
            ClinicianSchedule(
                staff=therapist,
                program=program,
                weekly_capacity_minutes=20 * 60,
                telehealth_url=f"https://telehealth.harborlight.example/room/{therapist.username}",
            )
        )
    for k, prescriber in enumerate(ctx.prescribers):
        days = [1, 3] if k % 2 == 0 else [0, 2]
        pattern = [(days, time(14), time(20)), ([5], time(9), time(12))]
        hours += [
            ClinicianHours(staff=prescriber, program=program, weekday=d, start_time=start, end_time=end)
            for d, start, end in _covering(pattern, staff_times.get(prescriber.pk, []))
        ]
        schedules.append(
            ClinicianSchedule(
                staff=prescriber,
                program=program,
                weekly_capacity_minutes=12 * 60,
                telehealth_url=f"https://telehealth.harborlight.example/room/{prescriber.username}",
            )
        )
    director = ctx.staff["director"]
    hours += [
        ClinicianHours(staff=director, program=program, weekday=d, start_time=start, end_time=end)
        for d, start, end in _covering([([2], time(13), time(17))], staff_times.get(director.pk, []))
    ]
    schedules.append(ClinicianSchedule(staff=director, program=program, weekly_capacity_minutes=4 * 60))
    ClinicianHours.objects.bulk_create(hours, batch_size=1000)
    ClinicianSchedule.objects.bulk_create(schedules)

    blocks: list[ParticipantTimeBlock] = []
    scheduled = (Participant.Status.ACTIVE, Participant.Status.STEP_DOWN)
    for i, participant in enumerate(p for p in ctx.participants if p.status in scheduled):
        busy, preferred = PATTERNS[ctx.rng.randrange(len(PATTERNS)) if i >= 4 else i]
        times = people_times.get(participant.pk, [])
        if _clashes(busy, times):
            # Someone whose groups and visits fall in that pattern's hours lives another one.
            fitting = [pair for pair in PATTERNS if not _clashes(pair[0], times)]
            busy, preferred = fitting[ctx.rng.randrange(len(fitting))] if fitting else ([], [])
        for kind, weekdays, start, end in busy:
            blocks += [
                ParticipantTimeBlock(
                    participant=participant, kind=kind, weekday=d, start_time=start, end_time=end
                )
                for d in weekdays
            ]
        for weekdays, start, end in preferred:
            blocks += [
                ParticipantTimeBlock(
                    participant=participant, kind=K.PREFERRED, weekday=d, start_time=start, end_time=end
                )
                for d in weekdays
            ]
        if ctx.rng.random() < 0.25 and not _clashes([(K.FAMILY, [6], time(10), time(14))], times):
            blocks.append(
                ParticipantTimeBlock(
                    participant=participant, kind=K.FAMILY, weekday=6, start_time=time(10), end_time=time(14)
                )
            )
    ParticipantTimeBlock.objects.bulk_create(blocks, batch_size=1000)

    # About one in three has family sessions; they are spread over the month as they would be.
    family = AppointmentRule.objects.get(program=program, kind="family")
    ParticipantRequirement.objects.bulk_create(
        [
            ParticipantRequirement(participant=p, rule=family, status=ParticipantRequirement.Status.REQUIRED)
            for i, p in enumerate(x for x in ctx.participants if x.status in scheduled)
            if i % 3 == 0
        ]
    )

    # The small demo shows a committed week (calendar feeds and reminders have something to show)
    # and leaves next week for the director's preview. Benchmarks (scale > 1) start empty.
    if ctx.scale == 1:
        from bridge.planner import services

        run = services.schedule_run_create(
            actor=None, program=program, week_start=monday_of(ctx.today), time_limit=5, actor_label="demo"
        )
        services.schedule_run_commit(actor=None, run=run, actor_label="demo")
