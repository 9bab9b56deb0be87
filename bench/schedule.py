"""Scheduling solver at 50, 150, 300 and 600 participants, against the greedy baseline.

    .venv/bin/python -m bench.schedule [--sizes 50,150,300,600] [--time-limit 10]

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="50,150,300,600")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
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
