"""The CP-SAT model: place as many requested appointments as possible, then the nicest way.

One boolean per candidate (request, clinician, start, modality), from `problem.candidates`; the
candidates already respect each person's hours and busy times, credentials and rooms being free.
The model adds what couples requests:

  * each request at most once;
  * no clinician and no participant in two places at once. Appointments are intervals, and a set
    of intervals overlaps pairwise exactly when they share a point, which can be taken to be one
    of their starts; so "at most one of the candidates covering each candidate start" is exact;
  * rooms: at each such point, no more in-person appointments needing k seats than rooms with at
    least k seats free then. Rooms are then given to placements exactly by a second, small model
    (an appointment must keep one room for its whole length);
  * each clinician's weekly capacity in minutes.

The objective is `problem.objective`: W_PLACED per appointment dominates; then preferred times,
continuity with last time, in person where either is allowed, and minus the busiest clinician's
load in percent (balance). The greedy solution is the starting hint, so a time limit can only
improve on the baseline; anything a time limit left unplaced but still fits is filled afterwards.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence

from ortools.sat.python import cp_model

from bridge.planner.greedy import Board, best_first, greedy
from bridge.planner.problem import (
    W_BALANCE,
    Candidate,
    Modality,
    Placement,
    Problem,
    Solution,
    Unplaced,
    Window,
    candidates,
    max_load_percent,
    objective,
    overlaps_any,
    why_left_out,
    why_no_candidates,
)


def _at_most_one_per_point(
    model: cp_model.CpModel, spans: Sequence[tuple[int, int, cp_model.IntVar]], limit_at=None
) -> None:
    """For every start among `spans`, the spans covering it sum to at most 1 (or `limit_at(point)`)."""
    if len(spans) < 2 and limit_at is None:
        return
    points = sorted({s for s, _, _ in spans})
    ordered = sorted(spans, key=lambda t: t[0])
    active: list[tuple[int, int, cp_model.IntVar]] = []
    i = 0
    for p in points:
        while i < len(ordered) and ordered[i][0] <= p:
            active.append(ordered[i])
            i += 1
        active = [t for t in active if t[1] > p]
        limit = 1 if limit_at is None else limit_at(p)
        if len(active) > limit:
            if limit == 1:
                model.AddAtMostOne(v for _, _, v in active)
            else:
                model.Add(sum(v for _, _, v in active) <= limit)


def _rooms_free_at(problem: Problem, seats: int, point: int) -> int:
    return sum(
        1
        for r in problem.rooms.values()
        if r.capacity >= seats and not any(w.start <= point < w.end for w in r.busy)
    )


def assign_rooms(
    problem: Problem, placements: Iterable[Placement], *, time_limit: float = 5.0
) -> tuple[list[Placement], list[Placement]]:
    """Give each in-person placement one room for its whole length. Returns (kept, without a room)."""
    placements = list(placements)
    in_person = [p for p in placements if p.modality == Modality.IN_PERSON]
    others = [p for p in placements if p.modality != Modality.IN_PERSON]
    if not in_person:
        return placements, []
    model = cp_model.CpModel()
    choice: dict[tuple[int, str], cp_model.IntVar] = {}
    by_room: dict[str, list[tuple[int, int, cp_model.IntVar]]] = defaultdict(list)
    for i, p in enumerate(in_person):
        r = problem.request(p.request)
        end = p.start + r.minutes
        for room in problem.rooms.values():
            if room.capacity >= r.seats and not overlaps_any(room.busy, p.start, end):
                v = model.NewBoolVar(f"y{i}_{room.id}")
                choice[i, room.id] = v
                by_room[room.id].append((p.start, end, v))
        model.AddAtMostOne(v for (j, _), v in choice.items() if j == i)
    for spans in by_room.values():
        _at_most_one_per_point(model, spans)
    # Hint: what first-fit by start time gives (usually already complete).
    board = Board(problem)
    hinted: dict[int, str] = {}
    for i, p in sorted(enumerate(in_person), key=lambda t: t[1].start):
        r = problem.request(p.request)
        room = board.free_room(r.seats, p.start, p.start + r.minutes)
        if room is not None:
            board.room[room].append(Window(p.start, p.start + r.minutes))
            hinted[i] = room
    for (i, rid), v in choice.items():
        model.AddHint(v, hinted.get(i) == rid)
    # Every appointment a room first; then the smallest room that fits, keeping big rooms free.
    model.Maximize(sum((1000 - problem.rooms[rid].capacity) * v for (_, rid), v in choice.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 2
    status = solver.Solve(model)
    kept: list[Placement] = list(others)
    lost: list[Placement] = []
    for i, p in enumerate(in_person):
        room = None
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            room = next((rid for (j, rid), v in choice.items() if j == i and solver.Value(v)), None)
        if room is None:
            lost.append(p)
        else:
            kept.append(
                Placement(p.request, p.clinician, p.start, p.modality, room, p.preferred, p.continuity)
            )
    return kept, lost


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 1,
) -> Solution:
    started = time.perf_counter()
    options = {r.id: candidates(problem, r) for r in problem.requests}
    baseline = greedy(problem, options)

    model = cp_model.CpModel()
    chosen_vars: list[tuple[Candidate, cp_model.IntVar]] = []
    per_request: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    per_clinician: dict[str, list[tuple[int, int, cp_model.IntVar]]] = defaultdict(list)
    per_person: dict[str, list[tuple[int, int, cp_model.IntVar]]] = defaultdict(list)
    minutes_of: dict[str, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    in_person: list[tuple[int, int, int, cp_model.IntVar]] = []
    hint = {(p.request, p.clinician, p.start, p.modality) for p in baseline.placements}
    for request in problem.requests:
        for c in options[request.id]:
            v = model.NewBoolVar(f"x{len(chosen_vars)}")
            chosen_vars.append((c, v))
            per_request[request.id].append(v)
            per_clinician[c.clinician].append((c.start, c.end, v))
            per_person[request.participant].append((c.start, c.end, v))
            minutes_of[c.clinician].append((request.minutes, v))
            if c.modality == Modality.IN_PERSON:
                in_person.append((request.seats, c.start, c.end, v))
            model.AddHint(v, (c.request, c.clinician, c.start, c.modality) in hint)
    for vs in per_request.values():
        if len(vs) > 1:
            model.AddAtMostOne(vs)
    for spans in per_clinician.values():
        _at_most_one_per_point(model, spans)
    for spans in per_person.values():
        _at_most_one_per_point(model, spans)
    for seats in sorted({s for s, _, _, _ in in_person}):
        spans = [(s, e, v) for need, s, e, v in in_person if need >= seats]
        _at_most_one_per_point(
            model, spans, limit_at=lambda p, seats=seats: _rooms_free_at(problem, seats, p)
        )

    for clinician in problem.clinicians.values():
        terms = minutes_of.get(clinician.id, [])
        if terms:
            model.Add(sum(m * v for m, v in terms) <= clinician.capacity - clinician.booked)

    notes: list[str] = []
    placeable = sum(1 for r in problem.requests if options[r.id])
    draft = baseline.placements
    statuses: list[str] = []

    def run(seconds: float) -> tuple[int, cp_model.CpSolver]:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        # Probing and symmetry detection cost seconds on these large, easy models and rarely pay.
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.symmetry_level = 0
        status = solver.Solve(model)
        statuses.append(solver.StatusName(status))
        return status, solver

    def hint(placements: list[Placement]) -> None:
        taken = {(p.request, p.clinician, p.start, p.modality) for p in placements}
        model.ClearHints()
        for c, v in chosen_vars:
            model.AddHint(v, (c.request, c.clinician, c.start, c.modality) in taken)

    def picked(solver: cp_model.CpSolver) -> list[Placement]:
        return [
            Placement(c.request, c.clinician, c.start, c.modality, None, c.preferred, c.continuity)
            for c, v in chosen_vars
            if solver.Value(v)
        ]

    def remaining() -> float:
        return time_limit - (time.perf_counter() - started)

    # Phase 1: as many appointments as possible. Skipped when the greedy start already placed
    # every request that has anywhere to go (nothing can beat that).
    placed_count = len(draft)
    proven = placed_count == placeable
    if not proven:
        hint(draft)
        model.Maximize(sum(v for _, v in chosen_vars))
        status, solver = run(remaining() * 0.7)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.ObjectiveValue() > placed_count:
            draft = picked(solver)
            placed_count = len(draft)
        proven = status == cp_model.OPTIMAL
        if not proven:
            notes.append(f"the count placed is not proven maximal ({statuses[-1]} at the time limit)")

    # Phase 2: keep that many, and make them as good as possible: preferred times, continuity, in
    # person where either is allowed, and — where a request may go to several clinicians — the
    # busiest clinician's load as low as possible.
    if remaining() > 0.2 and chosen_vars:
        model.Add(sum(v for _, v in chosen_vars) >= placed_count)
        soft = sum(c.bonus * v for c, v in chosen_vars)
        if any(len({c.clinician for c in opts}) > 1 for opts in options.values()):
            max_load = model.NewIntVar(0, 100_000, "max_load_percent")
            for clinician in problem.clinicians.values():
                if clinician.capacity > 0:
                    terms = minutes_of.get(clinician.id, [])
                    model.Add(
                        100 * (clinician.booked + sum(m * v for m, v in terms))
                        <= clinician.capacity * max_load
                    )
            model.Maximize(soft - W_BALANCE * max_load)
            hint(draft)
            model.AddHint(max_load, max_load_percent(problem, draft))
        else:
            model.Maximize(soft)
            hint(draft)
        status, solver = run(min(remaining(), max(1.0, 0.3 * time_limit)))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            better = picked(solver)
            if objective(problem, better) >= objective(problem, draft):
                draft = better
    # OPTIMAL: nothing better exists. MAX_PLACED: no solution places more appointments, the soft
    # goals are the best found in time. FEASIBLE: neither was proven before the time limit.
    status_name = "FEASIBLE"
    if proven:
        status_name = "OPTIMAL" if statuses[-1:] == ["OPTIMAL"] else "MAX_PLACED"

    kept, lost = assign_rooms(problem, draft)
    if lost:
        notes.append(f"{len(lost)} placement(s) had no room for their whole length; placed again below")

    # Fill what is still free (rooms lost above, or a time limit that stopped short).
    board = Board(problem)
    for p in sorted(kept, key=lambda p: p.start):
        by_key = next(
            c
            for c in options[p.request]
            if (c.clinician, c.start, c.modality) == (p.clinician, p.start, p.modality)
        )
        board.place(by_key, room=p.room)
    unplaced: list[Unplaced] = []
    placed_ids = {p.request for p in board.placements}
    for request in sorted(problem.requests, key=lambda r: (len(options[r.id]), r.id)):
        if request.id in placed_ids:
            continue
        if not options[request.id]:
            unplaced.append(why_no_candidates(problem, request))
            continue
        fit = next((c for c in best_first(options[request.id]) if board.fits(c)), None)
        if fit is not None:
            board.place(fit)
        else:
            unplaced.append(why_left_out(problem, request, options[request.id], board.placements))
    placements = board.placements
    return Solution(
        placements=placements,
        unplaced=unplaced,
        solver="cp-sat",
        status=status_name,
        seconds=time.perf_counter() - started,
        objective=objective(problem, placements),
        notes=notes,
    )
