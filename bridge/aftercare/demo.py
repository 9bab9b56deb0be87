"""Demo aftercare: discharges with summaries, aftercare plans, tapers, alumni, check-ins and outreach.

Deterministic (ctx.rng). The builder has already finished the episodes of discharged and alumni
participants; here each gets its Discharge row (written directly, like the builder's own inserts),
a summary drafted from the record (most signed, one left as a draft), a check-in history up to today
and the outreach a missed check-in or a warning sign raised (through the services).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from bridge.aftercare import followup, queries
from bridge.aftercare.models import (
    DEFAULT_CHECKIN_DAYS,
    AftercarePlan,
    AftercarePlanVersion,
    AftercareSettings,
    AlumniEnrollment,
    CheckIn,
    Discharge,
    DischargeSummary,
    Outreach,
    TaperPlan,
)
from bridge.aftercare.services import CRISIS_LINES, plan_content
from bridge.participants.models import EpisodeOfCare, Participant
from bridge.scheduling.models import Attendance, SeriesMembership, Session, SessionKind

S = Participant.Status
TYPES = [
    Discharge.Type.COMPLETED,
    Discharge.Type.COMPLETED,
    Discharge.Type.STEPPED_DOWN,
    Discharge.Type.COMPLETED,
    Discharge.Type.LEFT_EARLY,
    Discharge.Type.TRANSFERRED_UP,
    Discharge.Type.ADMINISTRATIVE,
]
REASONS = {
    Discharge.Type.COMPLETED: (
        "Completed all phases; goals met.",
        "Alumni group and weekly outpatient counseling",
    ),
    Discharge.Type.STEPPED_DOWN: (
        "Stable after taper; ready for weekly care.",
        "Level 1 outpatient at Eastside Clinic",
    ),
    Discharge.Type.LEFT_EARLY: (
        "Stopped attending after a new job; outreach made.",
        "No program; given resources",
    ),
    Discharge.Type.TRANSFERRED_UP: (
        "Return to daily use; needs 24-hour structure.",
        "Residential program (3.5)",
    ),
    Discharge.Type.ADMINISTRATIVE: ("Moved out of state.", "IOP near new home in Sacramento"),
}
TRIGGERS = [
    "Payday Fridays; driving past the old bar on 14th St",
    "Arguments at home; being alone on Sunday evenings",
    "Back pain flare-ups; old friends texting",
]
WARNING_SIGNS = [
    "Skipping meetings; not answering my sponsor; sleeping badly",
    "Thinking 'just one won't hurt'; isolating; irritability",
]
COPING = [
    "Call my sponsor before payday; HALT check; 10-minute walk; urge surfing",
    "Play guitar; go to the gym after work; text the group chat",
]
MEETINGS = [
    {
        "fellowship": "AA",
        "name": "Lakeshore Serenity",
        "day": "Monday",
        "time": "19:00",
        "place": "St. Paul's hall, Grand Ave",
    },
    {
        "fellowship": "SMART",
        "name": "SMART Recovery Oakland",
        "day": "Wednesday",
        "time": "18:30",
        "place": "Library, 14th St",
    },
    {
        "fellowship": "NA",
        "name": "Clean and Free",
        "day": "Saturday",
        "time": "10:00",
        "place": "Community center, Fruitvale",
    },
    {
        "fellowship": "Refuge",
        "name": "Refuge Recovery sitting",
        "day": "Thursday",
        "time": "20:00",
        "place": "East Bay Meditation Center",
    },
]


def _at(tz, day, hour=18):
    return timezone.make_aware(datetime.combine(day, time(hour)), tz)


def build(ctx) -> None:
    rng, program = ctx.rng, ctx.program
    staff = ctx.staff
    peer = staff["peer"]
    AftercareSettings.objects.create(program=program, checkin_days=list(DEFAULT_CHECKIN_DAYS))

    finished = list(
        EpisodeOfCare.objects.filter(program=program, status=EpisodeOfCare.Status.FINISHED)
        .filter(discharged_on__isnull=False)
        .select_related("participant")
        .prefetch_related("level_changes")
        .order_by("discharged_on", "participant__last_name")
    )
    _history(ctx, finished)
    # Every summary's weekly floors from one ledger call per week (hours_for per person and week
    # costs a ledger each: most of the demo's time at --scale 50).
    floors = queries.weekly_floors(
        program, [(e.participant, e.admitted_on, e.discharged_on) for e in finished if e.discharged_on]
    )
    alumni: list[tuple[Participant, date]] = []
    for k, episode in enumerate(finished):
        assert episode.discharged_on is not None  # only ended episodes were read
        p = episode.participant
        clinician = ctx.primary_of(p) or staff["therapist1"]
        kind = TYPES[k % len(TYPES)]
        if p.status == S.ALUMNI and kind in (Discharge.Type.TRANSFERRED_UP, Discharge.Type.ADMINISTRATIVE):
            kind = Discharge.Type.COMPLETED
        reason, destination = REASONS[kind]
        discharge = Discharge.objects.create(
            episode=episode,
            participant=p,
            type=kind,
            discharged_on=episode.discharged_on,
            reason=reason,
            destination=destination,
            next_level="3.5"
            if kind == Discharge.Type.TRANSFERRED_UP
            else "1"
            if kind == Discharge.Type.STEPPED_DOWN
            else "",
            recorded_by=clinician,
        )
        plan = _plan(ctx, p, clinician, k)
        planned = timezone.make_aware(datetime.combine(episode.discharged_on, time(15)))
        AftercarePlan.objects.filter(pk=plan.pk).update(created_at=planned, updated_at=planned)
        AftercarePlanVersion.objects.create(
            plan=plan, number=1, content=plan_content(plan), saved_by=clinician, saved_at=planned
        )
        figures = queries.summary_figures(discharge, floors)
        goals = queries.goals_for(episode) or [
            {"statement": "Stay sober one day at a time", "outcome": ""},
            {"statement": "Rebuild trust with my family", "outcome": ""},
        ]
        signed = k % 6 != 1  # one in six left as a draft for the clinician to finish
        for g in goals:
            g["outcome"] = rng.choice(["met", "met", "partly"]) if signed else ""
        signed_at = timezone.make_aware(datetime.combine(episode.discharged_on, time(17))) + timedelta(days=1)
        DischargeSummary.objects.create(
            discharge=discharge,
            participant=p,
            figures=figures,
            goals=goals,
            course="Attended evening groups three times a week and weekly individual therapy; engaged in "
            "relapse-prevention work and family sessions."
            if signed
            else "",
            condition="Stable mood; no use reported in the last month; cravings low." if signed else "",
            aftercare=(
                f"Meetings: {', '.join(m['name'] for m in plan.meetings)}. Alumni night monthly. "
                f"Check-ins at {', '.join(str(d) for d in DEFAULT_CHECKIN_DAYS)} days."
            ),
            recommendations="Continue outpatient counseling; keep MAT appointments." if signed else "",
            author=clinician,
            signed_at=min(signed_at, timezone.now()) if signed else None,
            signed_by=clinician if signed else None,
            signature=(clinician.get_full_name() or clinician.username) if signed else "",
        )
        # Recently discharged people opted in at discharge, by phone: the peer's first calls are due.
        recent = p.status == S.DISCHARGED and episode.discharged_on >= ctx.today - timedelta(days=35)
        consent = p.status == S.ALUMNI or recent
        if consent:
            if recent:
                Participant.objects.filter(pk=p.pk).update(status=S.ALUMNI)
            alumni.append((p, episode.discharged_on))
            AlumniEnrollment.objects.create(
                participant=p,
                enrolled_on=episode.discharged_on,
                contact_consent=True,
                channel=AlumniEnrollment.Channel.PHONE
                if recent
                else rng.choice([AlumniEnrollment.Channel.PHONE, AlumniEnrollment.Channel.SMS]),
                recorded_by=peer,
            )
        elif k % 4 == 0:
            # Opted in at discharge, then asked for no more contact.
            AlumniEnrollment.objects.create(
                participant=p,
                enrolled_on=episode.discharged_on,
                contact_consent=True,
                recorded_by=peer,
                opted_out_at=timezone.make_aware(
                    datetime.combine(episode.discharged_on + timedelta(days=9), time(10))
                ),
                opt_out_reason="Wants to move on; no calls please",
            )
        _checkins(ctx, discharge, consented=consent, k=k)

    _open_outreach(ctx, [p for p, _ in sorted(alumni, key=lambda pair: pair[1], reverse=True)])
    _tapers(ctx)
    _alumni_nights(ctx, alumni)


def _history(ctx, finished: list[EpisodeOfCare]) -> None:
    """What the summaries are drafted from for people already discharged: evening groups attended
    (Mon/Tue/Thu 18:00 to 21:00, older than two weeks so no group note is due), screens and MAT.

    Only discharged people are on these rosters; the schedule's own demo covers people in care."""
    from decimal import Decimal

    from bridge.clinical.models import DrugScreen, DrugScreenResult, MedicationOrder

    if not finished:
        return
    from bridge.scheduling.closures import closed_days

    rng, tz = ctx.rng, ctx.program.tz
    cutoff = ctx.today - timedelta(days=15)
    first = min(e.admitted_on for e in finished)
    # Led by whichever therapist is free that evening; none on days the program is closed (the
    # demo has no double bookings).
    closed = closed_days(ctx.program, first, cutoff)
    leads = [ctx.staff["therapist1"], *[t for t in ctx.therapists if t != ctx.staff["therapist1"]]]
    busy: dict = {}
    for sid, a, b in (
        Session.objects.filter(
            staff__in=leads,
            starts_at__lt=_at(tz, cutoff, 21) + timedelta(days=1),
            ends_at__gt=_at(tz, first, 0),
        )
        .exclude(status=Session.Status.CANCELLED)
        .values_list("staff_id", "starts_at", "ends_at")
    ):
        busy.setdefault((sid, timezone.localtime(a, tz).date()), []).append((a, b))
    sessions = {}
    day = first
    while day <= cutoff:
        start = _at(tz, day, 18)
        free = [
            t
            for t in leads
            if not any(a < start + timedelta(hours=3) and start < b for a, b in busy.get((t.pk, day), ()))
        ]
        if day.weekday() in (0, 1, 3) and day not in closed and free:
            sessions[day] = Session(
                program=ctx.program,
                kind=SessionKind.GROUP,
                title="Evening group",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                staff=free[0],
                status=Session.Status.COMPLETED,
            )
        day += timedelta(days=1)
    Session.objects.bulk_create(sessions.values(), batch_size=500)
    rows, screens, results = [], [], []
    for k, episode in enumerate(finished):
        assert episode.discharged_on is not None  # only ended episodes are passed
        p = episode.participant
        engaged = 0.6 if k % 7 == 4 else 0.9  # the one who left early came less
        for day, session in sessions.items():
            if not episode.admitted_on <= day <= episode.discharged_on:
                continue
            roll = rng.random()
            status = (
                Attendance.Status.PRESENT
                if roll < engaged - 0.1
                else Attendance.Status.LATE
                if roll < engaged
                else Attendance.Status.EXCUSED
                if roll < engaged + 0.05
                else Attendance.Status.NO_SHOW
            )
            minutes = {Attendance.Status.PRESENT: 180, Attendance.Status.LATE: 150}.get(status)
            rows.append(Attendance(session=session, participant=p, status=status, minutes=minutes))
        for week in range(0, (episode.discharged_on - episode.admitted_on).days, 14):
            collected = episode.admitted_on + timedelta(days=week + 1)
            screen = DrugScreen(
                participant=p,
                collected_on=collected,
                panel="10",
                recorded_by=ctx.staff["nurse"],
                recorded_at=_at(tz, collected, 12),
            )
            screens.append(screen)
            for substance in ("AMP", "COC", "OPI", "THC"):
                positive = substance == "THC" and week == 0 and k % 3 == 1
                results.append(
                    DrugScreenResult(
                        screen=screen, substance=substance, result="positive" if positive else "negative"
                    )
                )
        if k % 3 == 0 and ctx.prescribers:
            MedicationOrder.objects.create(
                participant=p,
                drug="naltrexone",
                dose=Decimal("50"),
                route="oral",
                frequency=MedicationOrder.Frequency.DAILY,
                reason="Alcohol use disorder",
                prescriber=ctx.prescribers[0],
                start_on=episode.admitted_on + timedelta(days=7),
            )
        _last_measures(ctx, episode)
    Attendance.objects.bulk_create(rows, batch_size=1000)
    DrugScreen.objects.bulk_create(screens, batch_size=500)
    DrugScreenResult.objects.bulk_create(results, batch_size=2000)


def _last_measures(ctx, episode) -> None:
    """PHQ-9 and GAD-7 again in the last week, each item a little lower than at intake, so the
    summary shows a first and a last score."""
    from bridge import instruments
    from bridge.intake.models import InstrumentAdministration

    clinician = ctx.primary_of(episode.participant) or ctx.staff["therapist1"]
    when = _at(ctx.program.tz, episode.discharged_on - timedelta(days=3), 17)
    for code in ("PHQ-9", "GAD-7"):
        first = (
            InstrumentAdministration.objects.filter(participant=episode.participant, instrument=code)
            .order_by("administered_at")
            .first()
        )
        if first is None:
            continue
        responses = [max(0, int(r) - ctx.rng.randint(0, 1)) for r in first.responses]
        result = instruments.score(code, responses)
        InstrumentAdministration.objects.create(
            participant=episode.participant,
            instrument=code,
            responses=responses,
            total=result.total,
            band=result.band,
            alerts=list(result.alerts),
            administered_by=clinician,
            administered_at=when,
        )


def _plan(ctx, p, clinician, k) -> AftercarePlan:
    rng = ctx.rng
    return AftercarePlan.objects.create(
        participant=p,
        triggers=TRIGGERS[k % len(TRIGGERS)],
        warning_signs=WARNING_SIGNS[k % len(WARNING_SIGNS)],
        coping=COPING[k % len(COPING)],
        contacts=[
            {
                "name": ctx.faker.first_name(),
                "phone": f"(510) 555-{rng.randint(1000, 9999)}",
                "relationship": "sponsor",
            },
            {
                "name": p.emergency_contact_name,
                "phone": p.emergency_contact_phone,
                "relationship": p.emergency_contact_relationship.lower(),
            },
        ],
        meetings=rng.sample(MEETINGS, 2),
        mat_prescriber="Dr. Amara Okafor, Harbor Light MAT clinic" if k % 3 == 0 else "",
        mat_next_appointment=_at(ctx.program.tz, ctx.today + timedelta(days=rng.randint(3, 20)), 10)
        if k % 3 == 0
        else None,
        housing="Oak Street sober living house (house manager: Ray, (510) 555-0188)"
        if k % 2
        else "Lives with partner; stable",
        crisis_lines=list(CRISIS_LINES),
        updated_by=clinician,
    )


def _checkins(ctx, discharge, *, consented: bool, k: int) -> None:
    rng, today = ctx.rng, ctx.today
    peer = ctx.staff["peer"]
    opted_out = not consented and AlumniEnrollment.objects.filter(participant=discharge.participant).exists()
    rows = []
    for days in DEFAULT_CHECKIN_DAYS:
        due = discharge.discharged_on + timedelta(days=days)
        c = CheckIn(discharge=discharge, participant=discharge.participant, day_offset=days, due_on=due)
        if opted_out and due > discharge.discharged_on + timedelta(days=9):
            c.status = CheckIn.Status.CANCELLED
        elif due + timedelta(days=3) < today:
            if rng.random() < 0.75 and consented:
                c.status = CheckIn.Status.COMPLETED
                c.method = rng.choice([CheckIn.Method.PHONE, CheckIn.Method.LINK])
                c.completed_at = _at(ctx.program.tz, due + timedelta(days=rng.randint(0, 2)), 11)
                c.recorded_by = peer if c.method == CheckIn.Method.PHONE else None
                c.any_use = rng.random() < 0.12
                c.cravings = rng.choice([0, 1, 2, 2, 3, 4, 5])
                c.meetings_attended = rng.randint(0, 5)
                c.housing = rng.choice(["stable", "stable", "sober_living"])
                c.work = rng.choice(["working", "working", "looking", "school"])
                c.phq2_interest, c.phq2_mood = rng.randint(0, 1), rng.choice([0, 0, 1, 2])
            else:
                c.status = CheckIn.Status.MISSED
        rows.append(c)
    CheckIn.objects.bulk_create(rows)
    if not consented:
        return
    # Outreach after past warnings and misses is recorded; a miss in the last month is still open.
    for c in rows:
        warned = c.status == CheckIn.Status.COMPLETED and c.warnings()
        if c.status == CheckIn.Status.MISSED and c.due_on >= today - timedelta(days=30):
            followup._outreach_open(
                c,
                title=f"Missed day-{c.day_offset} check-in",
                detail=f"The check-in due {c.due_on:%b %-d, %Y} was not completed. Reach out.",
                source_type="checkin",
            )
        elif warned or c.status == CheckIn.Status.MISSED:
            outcome = rng.choice(
                [Outreach.Outcome.REACHED_SUPPORT, Outreach.Outcome.REACHED_WELL]
                if warned
                else [
                    Outreach.Outcome.REACHED_WELL,
                    Outreach.Outcome.LEFT_MESSAGE,
                    Outreach.Outcome.NO_ANSWER,
                ]
            )
            Outreach.objects.create(
                participant=c.participant,
                checkin=c,
                outcome=outcome,
                note="Talked through the plan; sponsor meeting set." if warned else "",
                recorded_by=peer,
                recorded_at=_at(ctx.program.tz, c.due_on + timedelta(days=4), 12),
            )
    # One alumnus's check-in is due now and answered with warning signs through the service.
    pending = [c for c in rows if c.status == CheckIn.Status.PENDING and c.due_on <= today]
    if pending and k % 2 == 0:
        followup.checkin_record(
            actor=peer,
            checkin=pending[0],
            method=CheckIn.Method.PHONE,
            any_use=True,
            cravings=8,
            meetings_attended=0,
            housing=CheckIn.Housing.UNSTABLE,
            work=CheckIn.Work.LOOKING,
            phq2_interest=2,
            phq2_mood=2,
            notes="Lost his job two weeks ago; drank at a party last weekend.",
        )


def _open_outreach(ctx, recent_alumni: list[Participant]) -> None:
    """Work for the peer today: the latest alumnus missed a check-in; the next one reported warning signs."""
    today, peer = ctx.today, ctx.staff["peer"]
    past_due = CheckIn.objects.filter(due_on__lt=today - timedelta(days=3)).order_by("-due_on")
    if recent_alumni:
        c = past_due.filter(participant=recent_alumni[0]).first()
        if c is not None:
            c.status, c.method, c.completed_at, c.recorded_by = CheckIn.Status.MISSED, "", None, None
            c.save()
            followup._outreach_open(
                c,
                title=f"Missed day-{c.day_offset} check-in",
                detail=f"The check-in due {c.due_on:%b %-d, %Y} was not completed. Reach out.",
                source_type="checkin",
            )
    if len(recent_alumni) > 1:
        c = past_due.filter(participant=recent_alumni[1]).first()
        if c is not None:
            CheckIn.objects.filter(pk=c.pk).update(status=CheckIn.Status.MISSED)
            c.refresh_from_db()
            followup.checkin_record(
                actor=peer,
                checkin=c,
                method=CheckIn.Method.PHONE,
                any_use=True,
                cravings=8,
                meetings_attended=0,
                housing=CheckIn.Housing.UNSTABLE,
                work=CheckIn.Work.LOOKING,
                phq2_interest=2,
                phq2_mood=2,
                notes="Lost his job two weeks ago; drank at a party last weekend. Called back late.",
            )


def _tapers(ctx) -> None:
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    stepping = EpisodeOfCare.objects.filter(
        program=ctx.program, status=EpisodeOfCare.Status.ACTIVE, participant__status=S.STEP_DOWN
    ).select_related("participant")
    for i, episode in enumerate(stepping):
        p = episode.participant
        membership = SeriesMembership.objects.filter(
            participant=p, status=SeriesMembership.Status.ACTIVE
        ).first()
        starts = max(
            monday - timedelta(days=7 * (i % 2)),
            episode.admitted_on + timedelta(days=7 - episode.admitted_on.weekday()),
        )
        TaperPlan.objects.create(
            participant=p,
            episode=episode,
            series=membership.series if membership else None,
            starts_on=starts,
            weekly_minutes=[360, 180] if i % 2 else [540, 360, 180],
            reason="Goals met at full intensity; taper while keeping the evening group.",
            created_by=ctx.primary_of(p) or ctx.staff["therapist1"],
        )
        _plan(ctx, p, ctx.primary_of(p) or ctx.staff["therapist1"], i)


def _alumni_nights(ctx, alumni: list) -> None:
    """Monthly alumni night (first Wednesday), the last three and the next one, with attendance."""
    tz, today = ctx.program.tz, ctx.today
    peer = ctx.staff["peer"]
    first = today.replace(day=1)
    months = []
    for back in (3, 2, 1, 0, -1):
        month = (first.month - back - 1) % 12 + 1
        year = first.year + (first.month - back - 1) // 12
        day = first.replace(year=year, month=month, day=1)
        months.append(day + timedelta(days=(2 - day.weekday()) % 7))
    from bridge.scheduling.closures import closed_days

    closed = closed_days(ctx.program, months[0], months[-1] + timedelta(days=14))
    for day in months:
        while day in closed:  # a holiday moves the night a week on
            day += timedelta(days=7)
        start = _at(tz, day, 19)
        session = Session.objects.create(
            program=ctx.program,
            kind=SessionKind.ALUMNI,
            title="Alumni night",
            starts_at=start,
            ends_at=start + timedelta(minutes=90),
            staff=peer,
            status=Session.Status.COMPLETED if day < today else Session.Status.SCHEDULED,
        )
        rows = []
        for p, discharged_on in alumni:
            if discharged_on >= day:
                continue
            if day < today:
                came = ctx.rng.random() < 0.6
                rows.append(
                    Attendance(
                        session=session,
                        participant=p,
                        status=Attendance.Status.PRESENT if came else Attendance.Status.EXCUSED,
                        minutes=90 if came else None,
                        recorded_by=peer,
                        recorded_at=start + timedelta(minutes=95),
                    )
                )
            else:
                rows.append(Attendance(session=session, participant=p))
        Attendance.objects.bulk_create(rows)
