"""Demo clinical records: plans, signed and unsigned notes, group notes, drug screens, MAT, injections.

Deterministic (ctx.rng) and scaled by ctx.scale through the number of participants. Rows are
written directly (a fixture, like the builder's own bulk inserts); the one piece of follow-up work
an unexpected screen raises goes through the work-list service. Sessions the notes need are
created here unless the schedule's demo already made group sessions in the last two weeks.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from bridge.clinical import uds
from bridge.clinical.models import (
    Addendum,
    Administration,
    DoseChange,
    DrugScreen,
    DrugScreenResult,
    Goal,
    GroupNoteEntry,
    Intervention,
    MedicationOrder,
    Note,
    Objective,
    OtpCoordinationNote,
    OtpEnrollment,
    PlanVersion,
    Problem,
    ReviewPolicy,
    TreatmentPlan,
)
from bridge.participants.models import CareTeamMember, EpisodeOfCare
from bridge.scheduling.models import Attendance, GroupSeries, Session, SessionKind, SessionType
from bridge.worklist.services import work_item_open

PROBLEMS = [
    ("F11.20", "Opioid dependence, uncomplicated", "I want to stay off pills and be there for my kids."),
    ("F10.20", "Alcohol dependence, uncomplicated", "I want my evenings back without drinking."),
    ("F15.20", "Other stimulant dependence, uncomplicated", "I want to keep my job and stop using meth."),
    ("F14.20", "Cocaine dependence, uncomplicated", "I don't want to lose my family over coke."),
    (
        "F12.20",
        "Cannabis dependence, uncomplicated",
        "I want to stop smoking every day so I can think clearly.",
    ),
]
CO_OCCURRING = [
    ("F41.1", "Generalized anxiety disorder", "I want to worry less and sleep through the night."),
    ("F33.1", "Major depressive disorder, recurrent, moderate", "I want to feel like myself again."),
    (
        "F43.10",
        "Post-traumatic stress disorder, unspecified",
        "I want the nightmares to stop running my life.",
    ),
]
OBJECTIVES = [
    "Attend at least 3 group sessions a week with 90% attendance",
    "Negative drug screens for 4 consecutive weeks",
    "Name three high-risk situations and a coping plan for each",
    "Attend two mutual-help meetings a week and get a sponsor",
    "PHQ-9 below 10 on two consecutive measurements",
]
PARTICIPATION = [
    "spoke early and often, offering feedback to peers",
    "was quiet at first, then shared when invited",
    "arrived engaged and led the opening check-in",
    "listened attentively and asked one clarifying question",
    "participated in the role-play as the person refusing",
    "shared a recent craving and how they got through it",
]
RESPONSE = [
    "connected the topic to a weekend with family",
    "said the refusal script felt awkward but useful",
    "disagreed with a peer respectfully about triggers at work",
    "became tearful talking about a loss, then regrouped",
    "wrote down two coping skills to practice",
    "described stress at work as the main trigger this week",
]
PROGRESS = [
    "reports {n} days without use and is using the craving log",
    "kept {n} alcohol-free evenings this week",
    "has called a support person {n} times since last group",
    "attended {n} mutual-help meetings this week",
    "practiced urge surfing {n} times and rates cravings lower",
]
EVENTS = ["slept better", "had a hard weekend", "started a new job", "reconnected with a sister"]
SAYS = ["This week was rough", "I feel steadier", "Work is stressful", "I went to two meetings"]
AFFECT = ["good eye contact", "fidgety", "calm", "tearful"]
TOPICS = [
    "Relapse prevention: high-risk situations",
    "Coping with cravings",
    "Family and boundaries",
    "Sleep and stress",
]


def build(ctx) -> None:
    rng, today, program = ctx.rng, ctx.today, ctx.program
    now = timezone.now()
    tz = program.tz
    staff = ctx.staff
    ReviewPolicy.objects.create(program=program, name="Program default", interval_days=30, is_default=True)
    medicare = ReviewPolicy.objects.create(program=program, name="Medicare", interval_months=2)
    default = ReviewPolicy.objects.get(program=program, is_default=True)

    episodes = list(
        EpisodeOfCare.objects.filter(program=program, status=EpisodeOfCare.Status.ACTIVE).select_related(
            "participant"
        )
    )
    episodes.sort(key=lambda e: (e.participant.created_at, e.participant.last_name))
    active = [e.participant for e in episodes]
    goals_of: dict = {}

    # --- Treatment plans: most signed (some due or overdue), a few drafts, one revised -------------
    for k, episode in enumerate(episodes):
        p = episode.participant
        clinician = ctx.primary_of(p) or staff["therapist1"]
        if k % 11 == 10:
            continue  # admitted, no plan yet: shows on the clinician's home page
        policy = medicare if k % 7 == 3 else default
        signed_days = rng.choice([3, 12, 20, 27, 33, 45])
        plan = TreatmentPlan.objects.create(
            participant=p,
            episode=episode,
            review_policy=policy,
            created_by=clinician,
            created_at=now - timedelta(days=signed_days + 2),
        )
        versions = 2 if k % 9 == 4 else 1
        for number in range(1, versions + 1):
            version = PlanVersion.objects.create(
                plan=plan, number=number, created_by=clinician, created_at=plan.created_at
            )
            goals = _plan_content(rng, version, clinician, staff, p, today, extra=number > 1)
            if k % 8 == 5 and number == versions:
                break  # left as a draft
            signed = now - timedelta(days=signed_days if number == versions else signed_days + 30)
            PlanVersion.objects.filter(pk=version.pk).update(
                signed_at=signed,
                signed_by=clinician,
                clinician_signature=str(clinician),
                participant_signature=p.legal_name if k % 6 else "",
                participant_signed_at=signed if k % 6 else None,
                change_summary="Added a co-occurring problem after the GAD-7 screen." if number > 1 else "",
            )
            plan.current_version = version
            plan.next_review_on = policy.next_review_on(timezone.localdate(signed))
            goals_of[p.pk] = goals
        plan.save(update_fields=["current_version", "next_review_on"])

    # --- Individual sessions and notes --------------------------------------------------------------
    therapist2 = staff.get("therapist2")
    # Each clinician sees one person an hour in the afternoon, never two at once, and not on
    # days the program is closed (the demo has no double bookings).
    from bridge.scheduling.closures import closed_days

    closed = closed_days(program, today - timedelta(days=40), today)
    taken: set = set()
    for k, p in enumerate(active):
        clinician = ctx.primary_of(p) or staff["therapist1"]
        for j in range(2):
            days_ago = 2 + 7 * j + k % 5
            while True:
                day = today - timedelta(days=days_ago)
                free = [h for h in (17, 16, 15, 14, 13) if (clinician.pk, day, h) not in taken]
                if day not in closed and free:
                    break
                days_ago += 1
            hour = free[0]
            taken.add((clinician.pk, day, hour))
            start = datetime.combine(day, time(hour, 0), tzinfo=tz)
            session = Session.objects.create(
                program=program,
                kind=SessionKind.INDIVIDUAL,
                staff=clinician,
                starts_at=start,
                ends_at=start + timedelta(minutes=50),
                status=Session.Status.COMPLETED,
                title="Individual therapy",
                # Some by video: the ledger shows payers that count in-person services only.
                modality=Session.Modality.TELEHEALTH if k % 3 == 0 else Session.Modality.IN_PERSON,
            )
            Attendance.objects.create(
                session=session,
                participant=p,
                status="present",
                minutes=50,
                recorded_by=clinician,
                recorded_at=start,
            )
            unsigned = j == 0 and k % 6 == 1
            unlicensed = clinician == therapist2
            note = Note.objects.create(
                program=program,
                kind=Note.Kind.INDIVIDUAL,
                template=Note.Template.DAP if k % 2 else Note.Template.SOAP,
                participant=p,
                session=session,
                author=clinician,
                created_at=start + timedelta(hours=1),
                updated_at=start + timedelta(hours=1),
                data=f"{p.first_name} reported {rng.randint(0, 3)} cravings since last session; "
                f"{rng.choice(EVENTS)}.",
                subjective=f"“{rng.choice(SAYS)}.”",
                objective=f"Alert, oriented, {rng.choice(AFFECT)}.",
                assessment=rng.choice(
                    [
                        "Engaged; insight improving.",
                        "Ambivalent about change; MI used.",
                        "Stable; coping skills in use.",
                    ]
                ),
                plan=rng.choice(
                    [
                        "Continue weekly CBT.",
                        "Practice the craving log daily.",
                        "Add a family session next week.",
                    ]
                ),
            )
            if p.pk in goals_of:
                note.goals.add(goals_of[p.pk][0])
            if not unsigned:
                signed_at = start + timedelta(hours=2)
                cosigned = unlicensed and j == 1
                Note.objects.filter(pk=note.pk).update(
                    signed_at=signed_at,
                    author_licensed=not unlicensed,
                    cosign_required=unlicensed,
                    cosigned_at=signed_at + timedelta(days=1) if cosigned else None,
                    cosigned_by=staff["director"] if cosigned else None,
                )
                if k % 10 == 2 and j == 1:
                    Addendum.objects.create(
                        note=note,
                        author=clinician,
                        created_at=signed_at + timedelta(days=1),
                        reason="Late entry",
                        text=f"{p.first_name} called the next day to say the coping plan helped.",
                    )

    # --- Group sessions and group notes ---------------------------------------------------------------
    group_sessions = list(
        Session.objects.filter(
            program=program,
            kind=SessionKind.GROUP,
            starts_at__gte=now - timedelta(days=14),
            starts_at__lt=now,
        )
        .exclude(status=Session.Status.CANCELLED)
        .order_by("starts_at")
    )
    if not group_sessions:
        group_sessions = _group_sessions(ctx, active, now)
    for index, session in enumerate(group_sessions):
        roster = list(Attendance.objects.filter(session=session).select_related("participant"))
        if index == len(group_sessions) - 1:
            continue  # the latest group is still to be documented
        author = session.staff
        note = Note.objects.create(
            program=program,
            kind=Note.Kind.GROUP,
            template=Note.Template.GROUP,
            session=session,
            author=author,
            curriculum=session.session_type,
            topic=session.title or TOPICS[index % len(TOPICS)],
            interventions=["relapse_prevention", "cbt"] if index % 2 else ["mi", "dbt"],
            shared_text="Check-in, short teaching, role-play in pairs, closing round on next steps.",
            created_at=session.ends_at,
            updated_at=session.ends_at,
        )
        attended = [a for a in roster if a.status in Attendance.ATTENDED]
        for n, a in enumerate(attended):
            name = a.participant.first_name
            entry = GroupNoteEntry.objects.create(
                note=note,
                participant=a.participant,
                author=author,
                created_at=session.ends_at,
                updated_at=session.ends_at,
                participation=f"{name} {PARTICIPATION[(index + n) % len(PARTICIPATION)]}.",
                response=f"{name} {RESPONSE[(index * 2 + n) % len(RESPONSE)]}.",
                progress=f"{name} {PROGRESS[(index + 2 * n) % len(PROGRESS)].format(n=rng.randint(2, 9))}.",
            )
            if a.participant_id in goals_of:
                entry.goals.add(goals_of[a.participant_id][0])
        if index == len(group_sessions) - 2:
            continue  # a draft from the last-but-one group
        unlicensed = author == therapist2
        Note.objects.filter(pk=note.pk).update(
            signed_at=session.ends_at + timedelta(hours=3),
            author_licensed=not unlicensed,
            cosign_required=unlicensed,
            participant_count=len(attended),
        )

    # --- MAT ------------------------------------------------------------------------------------------
    # MAT for the participants whose care team has a prescriber (and a nurse), as a program would.
    team_prescriber = dict(
        CareTeamMember.objects.filter(
            participant__in=active, team_role=CareTeamMember.TeamRole.PRESCRIBER, ended_at__isnull=True
        ).values_list("participant_id", "staff_id")
    )
    otp_done = False
    orders_by_participant: dict = {}
    on_mat = [p for p in active if p.pk in team_prescriber]
    for k, p in enumerate(on_mat):
        prescriber_id = team_prescriber[p.pk]
        start = today - timedelta(days=rng.randint(30, 90))
        choice = k % 4
        if choice == 3 and not otp_done:
            otp = OtpEnrollment.objects.create(
                participant=p,
                otp_name="East Bay Opioid Treatment Program",
                contact_name="Rosa Diaz, RN",
                contact_phone="(510) 555-0190",
                reported_dose="80 mg daily",
                started_on=start,
                recorded_by=staff["nurse"],
            )
            OtpCoordinationNote.objects.create(
                enrollment=otp,
                author=staff["nurse"],
                created_at=now - timedelta(days=5),
                text="OTP confirms steady dose; weekend take-homes approved. Schedule shared (consent).",
            )
            orders_by_participant[p.pk] = ("MTD", start)
            otp_done = True
            continue
        drug, route, dose, freq = [
            ("buprenorphine", "sublingual", Decimal("16"), "daily"),
            ("naltrexone_xr", "intramuscular", Decimal("380"), "monthly"),
            ("acamprosate", "oral", Decimal("666"), "tid"),
            ("buprenorphine_er", "subcutaneous", Decimal("300"), "monthly"),
        ][choice]
        order = MedicationOrder.objects.create(
            participant=p,
            drug=drug,
            dose=dose,
            route=route,
            frequency=freq,
            reason="Use disorder (MAT)",
            prescriber_id=prescriber_id,
            # The PDMP looked up the afternoon before the first prescription, by the prescriber.
            pdmp_checked_at=timezone.make_aware(datetime.combine(start - timedelta(days=1), time(16, 30)))
            if "buprenorphine" in drug
            else None,
            pdmp_checked_by_id=prescriber_id if "buprenorphine" in drug else None,
            start_on=start,
        )
        DoseChange.objects.create(
            order=order,
            dose=dose if drug != "buprenorphine" else Decimal("8"),
            frequency=freq,
            effective_on=start,
            reason="First dose",
            changed_by_id=prescriber_id,
        )
        if drug == "buprenorphine":
            DoseChange.objects.create(
                order=order,
                dose=dose,
                frequency=freq,
                effective_on=start + timedelta(days=7),
                reason="Cravings persisted at 8 mg",
                changed_by_id=prescriber_id,
            )
        if order.spec.injectable:
            given = start
            while given <= today:
                last = given
                Administration.objects.create(
                    order=order,
                    participant=p,
                    given_at=datetime.combine(given, time(10, 30), tzinfo=tz),
                    dose=dose,
                    lot_number=f"{drug[:3].upper()}{rng.randint(10000, 99999)}",
                    site=rng.choice(
                        ["gluteal_left", "gluteal_right"]
                        if "naltrexone" in drug
                        else ["abdomen_left", "abdomen_right"]
                    ),
                    given_by=staff["nurse"],
                    next_due_on=given + timedelta(days=28),
                )
                given += timedelta(days=28 if k % 4 else 33)  # some fall behind: overdue injections
            del last
        if "buprenorphine" in drug:
            orders_by_participant[p.pk] = ("BUP", start)

    # --- Drug screens: weekly, mostly negative; MAT positives expected; one unexpected -----------------
    results = []
    unexpected_screen = None
    for k, p in enumerate(active):
        expected = orders_by_participant.get(p.pk)
        for week in range(4):
            collected = today - timedelta(days=3 + 7 * week + k % 3)
            screen = DrugScreen.objects.create(
                participant=p,
                collected_on=collected,
                panel="12",
                observed=week % 2 == 0,
                recorded_by=staff["nurse"],
                recorded_at=datetime.combine(collected, time(11), tzinfo=tz),
            )
            positives = {}
            if expected and collected >= expected[1]:
                positives[expected[0]] = (
                    f"{'Buprenorphine' if expected[0] == 'BUP' else 'Methadone'} since {expected[1]:%Y-%m-%d}"
                )
            surprise = week == 0 and k % 13 == 4
            for code in uds.PANELS["12"][1]:
                positive = code in positives or (surprise and code == "FEN")
                results.append(
                    DrugScreenResult(
                        screen=screen,
                        substance=code,
                        result="positive" if positive else "negative",
                        confirmation="pending" if surprise and code == "FEN" else "",
                        expected=code in positives,
                        expected_reason=positives.get(code, ""),
                    )
                )
            if surprise:
                DrugScreen.objects.filter(pk=screen.pk).update(unexpected_positive=True)
                unexpected_screen = unexpected_screen or screen
                owner = ctx.primary_of(p)
                if owner is not None:
                    work_item_open(
                        participant=p,
                        assigned_to=owner,
                        kind="uds_review",
                        title="Review an unexpected positive drug screen",
                        detail=f"Collected {collected:%b %d, %Y}: Fentanyl positive, not explained by MAT.",
                        due_on=today + timedelta(days=2),
                        source_type="drug_screen",
                        source_id=str(screen.pk),
                    )
    DrugScreenResult.objects.bulk_create(results, batch_size=2000)


def _plan_content(rng, version, clinician, staff, participant, today, *, extra: bool) -> list[Goal]:
    main = PROBLEMS[rng.randrange(len(PROBLEMS))]
    chosen = [main]
    if extra or rng.random() < 0.4:
        chosen.append(CO_OCCURRING[rng.randrange(len(CO_OCCURRING))])
    goals = []
    for position, (code, description, words) in enumerate(chosen):
        problem = Problem.objects.create(
            version=version, code=code, description=description, position=position
        )
        goal = Goal.objects.create(version=version, problem=problem, statement=words, position=position)
        goals.append(goal)
        Objective.objects.create(
            version=version,
            goal=goal,
            text=OBJECTIVES[rng.randrange(len(OBJECTIVES))],
            target_on=today + timedelta(days=rng.choice([30, 45, 60, 90])),
            position=position,
        )
        Intervention.objects.create(
            version=version,
            goal=goal,
            modality=rng.choice(["cbt", "mi", "tsf", "dbt", "relapse_prevention"]),
            responsible=clinician,
            frequency=rng.choice(["Weekly", "3 groups a week", "Every 2 weeks"]),
            position=position,
        )
        if code == "F11.20":
            Intervention.objects.create(
                version=version,
                goal=goal,
                modality="mat",
                responsible=staff["prescriber"],
                frequency="Monthly",
                position=position + 1,
            )
    return goals


def _group_sessions(ctx, active, now) -> list[Session]:
    program, staff, tz = ctx.program, ctx.staff, ctx.program.tz
    group_type, _ = SessionType.objects.get_or_create(
        program=program,
        name="Relapse prevention group",
        defaults={
            "category": SessionType.Category.GROUP_THERAPY,
            "kind": SessionKind.GROUP,
            "default_minutes": 90,
        },
    )
    track = ctx.tracks["evening"]
    sessions = []
    facilitators = [staff["therapist1"], staff.get("therapist2", staff["therapist1"])]
    members_per_group = 8
    groups = max(1, min(len(active) // members_per_group, 2 * ctx.scale))
    for g in range(groups):
        members = active[g * members_per_group : (g + 1) * members_per_group]
        series = GroupSeries.objects.create(
            program=program,
            track=track,
            name=f"Evening process group {chr(65 + g % 26)}{g // 26 or ''}",
            session_type=group_type,
            facilitator=facilitators[g % 2],
            starts_on=ctx.today - timedelta(days=120),
        )
        for days_ago in range(13, 0, -1):
            day = ctx.today - timedelta(days=days_ago)
            if day.weekday() not in track.weekdays:
                continue
            start = datetime.combine(day, track.start_time, tzinfo=tz)
            session = Session.objects.create(
                program=program,
                kind=SessionKind.GROUP,
                session_type=group_type,
                series=series,
                track=track,
                title=TOPICS[(days_ago + g) % len(TOPICS)],
                starts_at=start,
                ends_at=start + timedelta(minutes=90),
                staff=series.facilitator,
                status=Session.Status.COMPLETED,
            )
            for m, p in enumerate(members):
                status = "present" if (m + days_ago) % 9 else ("late" if m % 2 else "excused")
                Attendance.objects.create(
                    session=session,
                    participant=p,
                    status=status,
                    minutes=90 if status == "present" else (65 if status == "late" else None),
                    recorded_by=series.facilitator,
                    recorded_at=start,
                )
            sessions.append(session)
    sessions.sort(key=lambda s: s.starts_at)
    return sessions
