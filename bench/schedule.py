"""Scheduling solver at 50, 150, 300 and 600 participants, against the greedy baseline; the conflict
check; the Today board.

    .venv/bin/python -m bench.schedule [--sizes 50,150,300,600] [--time-limit 10]
    .venv/bin/python -m bench.schedule --conflicts [--repeat 200]   # a 600-participant week
    .venv/bin/python -m bench.schedule --today [--repeat 40]        # the Today board at demo --scale 50
    .venv/bin/python -m bench.schedule --today --database-url sqlite:////tmp/s50.sqlite3  # reuse a file
    .venv/bin/python -m bench.schedule --today --at 17:30   # before the evening: the next hour is full

With `--database-url` the demo is loaded into that database only when it is not loaded yet (a
scale-50 file takes a long while to build, so keep one and reuse it).

`--conflicts` loads `demo --scale 28` (about 600 participants in care, their groups, every appointment
placed for next week by the greedy solver), then times one proposed booking (a random participant,
clinician, room and time next week) and the list of next week's conflicts, with their query counts.
`--today` loads `demo --scale 50` and times the front desk's Today board during Monday's evening
groups next week (time moved there with time_machine), with its query count.

Each size runs in its own process on a fresh SQLite database loaded with `bridge demo --scale S`
(S = participants / 22 rounded up: the demo has 22 active participants and 2 therapists per
scale step, so caseloads stay about 11 each), then schedules next week for the first N active
participants. Prints, per size and solver: requests, how many have any possible time at all
(the most that can be placed), placed, share placed, objective, solver status and seconds.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import time
from collections import Counter


def one(participants: int, time_limit: float) -> None:
    from bench.common import setup_django

    setup_django(None, math.ceil(participants / 22))

    from datetime import timedelta

    from django.utils import timezone

    from bridge.participants.models import Participant
    from bridge.planner.adapter import build_plan
    from bridge.planner.greedy import greedy
    from bridge.planner.problem import candidates, violations
    from bridge.planner.solver import solve
    from bridge.planner.weeks import iso_week, monday_of
    from bridge.programs.models import Program

    program = Program.objects.get()
    ids = list(
        Participant.objects.filter(program=program, status__in=["active", "step_down"])
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", flat=True)[:participants]
    )
    week = monday_of(timezone.localdate()) + timedelta(days=7)
    started = time.perf_counter()
    plan = build_plan(program, week, participant_ids=ids)
    built = time.perf_counter() - started
    problem = plan.problem
    placeable = sum(1 for r in problem.requests if candidates(problem, r))
    clinicians = len({c for r in problem.requests for c in r.clinicians})
    print(
        f"# {len(ids)} participants, {clinicians} clinicians, {len(problem.rooms)} rooms, {iso_week(week)}: "
        f"{len(problem.requests)} requests, {placeable} with a possible time; problem built in {built:.2f} s"
    )
    for name, run in (
        ("greedy", lambda: greedy(problem)),
        ("cp-sat", lambda: solve(problem, time_limit=time_limit)),
    ):
        t0 = time.perf_counter()
        solution = run()
        seconds = time.perf_counter() - t0
        assert violations(problem, solution) == [], name
        share = len(solution.placements) / len(problem.requests) if problem.requests else 1
        of_placeable = len(solution.placements) / placeable if placeable else 1
        print(
            f"RESULT {len(ids):4d} {name:7s} requests={len(problem.requests)} placeable={placeable} "
            f"placed={len(solution.placements)} share={share:.1%} of_placeable={of_placeable:.1%} "
            f"objective={solution.objective} status={solution.status or '-'} seconds={seconds:.2f}"
        )
        reasons = Counter(u.reason.value for u in solution.unplaced)
        print(f"#   unplaced by reason: {dict(reasons.most_common())}")


def conflicts(repeat: int, database_url: str | None = None, scale: int = 28) -> None:
    from bench.common import setup_django, summary, timed

    setup_django(database_url, scale, fresh=False)

    import random
    from datetime import datetime, time, timedelta

    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bridge.participants.models import Participant
    from bridge.planner import services
    from bridge.planner.weeks import iso_week, monday_of
    from bridge.programs.models import Program
    from bridge.scheduling import conflicts as cc
    from bridge.scheduling.models import GroupSeries, Room, Session

    program = Program.objects.get()
    week = monday_of(timezone.localdate()) + timedelta(days=7)
    from bridge.planner.models import ScheduleRun

    if not ScheduleRun.objects.filter(program=program, week_start=week, committed_at__isnull=False).exists():
        run = services.schedule_run_create(actor=None, program=program, week_start=week, use_greedy=True)
        services.schedule_run_commit(actor=None, run=run)
    first, last = (
        datetime.combine(week, time(0), tzinfo=program.tz),
        datetime.combine(week + timedelta(days=7), time(0), tzinfo=program.tz),
    )
    sessions = Session.objects.filter(program=program, starts_at__gte=first, starts_at__lt=last)
    people = list(
        Participant.objects.filter(program=program, status__in=["active", "step_down"]).values_list(
            "pk", flat=True
        )
    )
    staff = list(sessions.values_list("staff_id", flat=True).distinct())
    rooms = list(Room.objects.filter(program=program).values_list("pk", flat=True))
    print(
        f"# {len(people)} participants in care, {GroupSeries.objects.filter(program=program).count()} "
        f"groups, {sessions.count()} sessions in {iso_week(week)}"
    )
    rng = random.Random(16)

    def proposal(n_people: int = 1) -> list[cc.Slot]:
        start = first + timedelta(days=rng.randrange(7), hours=rng.randrange(8, 21))
        return [
            cc.Slot(
                start,
                start + timedelta(minutes=50),
                "Individual therapy",
                staff_id=rng.choice(staff),
                room_id=rng.choice(rooms),
                participant_ids=tuple(rng.sample(people, n_people)),
                seats=n_people + 1,
            )
        ]

    samples = timed(lambda: cc.booking_conflicts(program, proposal()), repeat)
    print(f"RESULT one booking check ({repeat} proposals): {summary(samples)}")
    with CaptureQueriesContext(connection) as one:
        cc.booking_conflicts(program, proposal(1))
    with CaptureQueriesContext(connection) as ten:
        cc.booking_conflicts(program, proposal(10))
    print(
        f"RESULT queries: one participant {len(one.captured_queries)}, "
        f"ten participants {len(ten.captured_queries)}"
    )
    found = []
    week_samples = timed(lambda: found.append(cc.week_conflicts(program, week)), 10)
    with CaptureQueriesContext(connection) as listed:
        cc.week_conflicts(program, week)
    print(
        f"RESULT week's conflict list (10 runs, {len(found[-1])} conflicts): {summary(week_samples)}; "
        f"{len(listed.captured_queries)} queries"
    )
    # What a staff member's week view checks: only the sessions it shows.
    busiest = (
        sessions.values("staff_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("staff_id", flat=True)[0]
    )
    shown = list(sessions.filter(staff_id=busiest))
    staff_samples = timed(lambda: cc.session_conflicts(program, shown), 20)
    with CaptureQueriesContext(connection) as staff_q:
        cc.session_conflicts(program, shown)
    print(
        f"RESULT one staff member's week ({len(shown)} sessions, 20 runs): {summary(staff_samples)}; "
        f"{len(staff_q.captured_queries)} queries"
    )


def today(repeat: int, database_url: str | None = None, at: str = "18:12") -> None:
    from bench.common import setup_django, summary, timed

    setup_django(database_url, 50, fresh=False)

    import re
    from datetime import datetime, time, timedelta

    import time_machine
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from bridge.accounts.models import User
    from bridge.participants.models import Participant
    from bridge.planner.weeks import monday_of
    from bridge.programs.models import Program

    setup_test_environment()
    program = Program.objects.get()
    monday = monday_of(timezone.localdate()) + timedelta(days=7)
    moment = datetime.combine(monday, time.fromisoformat(at), tzinfo=program.tz)
    with time_machine.travel(moment, tick=True):
        client = Client()
        client.force_login(User.objects.get(username="frontdesk"))
        client.get("/schedule/today/")  # warm up
        samples = timed(lambda: client.get("/schedule/today/"), repeat)
        with CaptureQueriesContext(connection) as q:
            page = client.get("/schedule/today/").content.decode()
        active = Participant.objects.filter(program=program, status__in=["active", "step_down"]).count()
        print(
            f"RESULT Today board at scale 50 ({active} participants in care, "
            f"{page.count('Check in ')} check-in buttons, {page.count('today-open')} rosters to open, "
            f"Monday {moment:%H:%M}): {summary(samples)}; {len(q.captured_queries)} queries"
        )
        # What a compact board loads beside itself, and one roster opened.
        base = f"/schedule/today/part/?program={program.pk}&part="
        later = re.search(r"(\d+) more sessions? later today", page)
        listed = page.count('class="today-session"')
        print(f"RESULT Today board lists {listed} sessions; later today: {later.group(1) if later else 0}")
        for part in ("measures", "conflicts", "later"):
            part_samples = timed(lambda part=part: client.get(base + part), max(5, repeat // 4))
            print(f"RESULT Today board, {part} loaded beside it: {summary(part_samples)}")
        opened = re.search(r'hx-get="(/schedule/today/sessions/[^"]+/)"', page)
        if opened:
            url = opened.group(1)
            roster_samples = timed(lambda: client.get(url), repeat)
            print(f"RESULT Today board, one session's roster opened: {summary(roster_samples)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="50,150,300,600")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--conflicts", action="store_true", help="the conflict check on a 600-participant week"
    )
    parser.add_argument("--today", action="store_true", help="the Today board at demo --scale 50")
    parser.add_argument("--at", default="18:12", help="with --today: the time on Monday (HH:MM)")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument(
        "--database-url", help="reuse this database (the demo is loaded only if it is not there yet)"
    )
    parser.add_argument("--scale", type=int, default=28, help="--conflicts: demo scale (28: ~600 in care)")
    args = parser.parse_args()
    if args.conflicts:
        conflicts(args.repeat, args.database_url, args.scale)
        return
    if args.today:
        today(min(args.repeat, 100), args.database_url, args.at)
        return
    if args.one:
        one(args.one, args.time_limit)
        return
    for size in (int(s) for s in args.sizes.split(",")):
        subprocess.run(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "bench.schedule",
                "--one",
                str(size),
                "--time-limit",
                str(args.time_limit),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
