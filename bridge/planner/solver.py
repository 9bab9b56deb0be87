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

import functools
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from ortools.sat.python import cp_model

from bridge.planner.greedy import Board, best_first, greedy, improve
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
    model: cp_model.CpModel,
    spans: Sequence[tuple[int, int, cp_model.IntVar]],
    limit_at: Callable[[int], int] | None = None,
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
                model.add_at_most_one(v for _, _, v in active)
            else:
                model.add(sum(v for _, _, v in active) <= limit)


def _rooms_free_at(problem: Problem, seats: int, point: int) -> int:
    return sum(
        1
        for r in problem.rooms.values()
        if r.capacity >= seats and not any(w.start <= point < w.end for w in r.busy)
    )


def assign_rooms(
    problem: Problem, placements: Iterable[Placement], *, time_limit: float = 5.0
) -> tuple[list[Placement], list[Placement]]:
    """Give each in-person placement one room for its whole length. Returns (kept, without a room).

    First-fit by start time (smallest room that fits) almost always succeeds; only when it leaves
    someone without a room does an exact model decide.
    """
    placements = list(placements)
    in_person = [p for p in placements if p.modality == Modality.IN_PERSON]
    others = [p for p in placements if p.modality != Modality.IN_PERSON]
    if not in_person:
        return placements, []
    board = Board(problem)
    hinted: dict[int, str] = {}
    for i, p in sorted(enumerate(in_person), key=lambda t: t[1].start):
        r = problem.request(p.request)
        room = board.free_room(r.seats, p.start, p.start + r.minutes)
        if room is not None:
            board.room[room].append(Window(p.start, p.start + r.minutes))
            hinted[i] = room
    if len(hinted) < len(in_person):
        hinted = _assign_rooms_exactly(problem, in_person, hinted, time_limit)
    kept: list[Placement] = list(others)
    lost: list[Placement] = []
    for i, p in enumerate(in_person):
        room = hinted.get(i)
        if room is None:
            lost.append(p)
        else:
            kept.append(
                Placement(p.request, p.clinician, p.start, p.modality, room, p.preferred, p.continuity)
            )
    return kept, lost


def _assign_rooms_exactly(
    problem: Problem, in_person: list[Placement], hinted: dict[int, str], time_limit: float
) -> dict[int, str]:
    model = cp_model.CpModel()
    choice: dict[tuple[int, str], cp_model.IntVar] = {}
    by_room: dict[str, list[tuple[int, int, cp_model.IntVar]]] = defaultdict(list)
    for i, p in enumerate(in_person):
        r = problem.request(p.request)
        end = p.start + r.minutes
        mine = []
        for room in problem.rooms.values():
            if room.capacity >= r.seats and not overlaps_any(room.busy, p.start, end):
                v = model.new_bool_var(f"y{i}_{room.id}")
                choice[i, room.id] = v
                by_room[room.id].append((p.start, end, v))
                mine.append(v)
                model.add_hint(v, hinted.get(i) == room.id)
        model.add_at_most_one(mine)
    for spans in by_room.values():
        _at_most_one_per_point(model, spans)
    # Every appointment a room first; then the smallest room that fits, keeping big rooms free.
    model.maximize(sum((1000 - problem.rooms[rid].capacity) * v for (_, rid), v in choice.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hinted
    return {i: rid for (i, rid), v in choice.items() if solver.value(v)}


class _Model:
    """The CP-SAT model over a set of candidates, with the helpers both phases use."""

    def __init__(
        self, problem: Problem, options: dict[str, list[Candidate]], workers: int, seed: int
    ) -> None:
        self.problem, self.workers, self.seed = problem, workers, seed
        self.model = cp_model.CpModel()
        self.vars: list[tuple[Candidate, cp_model.IntVar]] = []
        self.minutes_of: dict[str, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        per_request: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        per_clinician: dict[str, list[tuple[int, int, cp_model.IntVar]]] = defaultdict(list)
        per_person: dict[str, list[tuple[int, int, cp_model.IntVar]]] = defaultdict(list)
        in_person: list[tuple[int, int, int, cp_model.IntVar]] = []
        for request in problem.requests:
            for c in options.get(request.id, ()):
                v = self.model.new_bool_var(f"x{len(self.vars)}")
                self.vars.append((c, v))
                per_request[request.id].append(v)
                per_clinician[c.clinician].append((c.start, c.end, v))
                per_person[request.participant].append((c.start, c.end, v))
                self.minutes_of[c.clinician].append((request.minutes, v))
                if c.modality == Modality.IN_PERSON:
                    in_person.append((request.seats, c.start, c.end, v))
        for vs in per_request.values():
            if len(vs) > 1:
                self.model.add_at_most_one(vs)
        for spans in per_clinician.values():
            _at_most_one_per_point(self.model, spans)
        for spans in per_person.values():
            _at_most_one_per_point(self.model, spans)
        for seats in sorted({s for s, _, _, _ in in_person}):
            spans = [(s, e, v) for need, s, e, v in in_person if need >= seats]
            free_at = functools.partial(_rooms_free_at, problem, seats)
            _at_most_one_per_point(self.model, spans, limit_at=free_at)
        for clinician in problem.clinicians.values():
            terms = self.minutes_of.get(clinician.id, [])
            if terms:
                self.model.add(sum(m * v for m, v in terms) <= clinician.capacity - clinician.booked)

    def hint(self, placements: list[Placement]) -> None:
        taken = {(p.request, p.clinician, p.start, p.modality) for p in placements}
        self.model.clear_hints()
        for c, v in self.vars:
            self.model.add_hint(v, (c.request, c.clinician, c.start, c.modality) in taken)

    def run(self, seconds: float) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = self.seed
        # Probing and symmetry detection cost seconds on these large, easy models and rarely pay.
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.symmetry_level = 0
        return solver.solve(self.model), solver

    def picked(self, solver: cp_model.CpSolver) -> list[Placement]:
        return [
            Placement(c.request, c.clinician, c.start, c.modality, None, c.preferred, c.continuity)
            for c, v in self.vars
            if solver.value(v)
        ]


def _count_options(problem: Problem, options: dict[str, list[Candidate]]) -> dict[str, list[Candidate]]:
    """For counting what can be placed, telehealth dominates in person (it needs no room): where a
    request allows it, its in-person candidates add nothing and are left out of phase 1."""
    reduced = {}
    for request in problem.requests:
        opts = options[request.id]
        if Modality.TELEHEALTH in request.modalities:
            opts = [c for c in opts if c.modality == Modality.TELEHEALTH]
        reduced[request.id] = opts
    return reduced


def _as_telehealth(problem: Problem, p: Placement) -> Placement:
    if p.modality == Modality.TELEHEALTH or Modality.TELEHEALTH not in problem.request(p.request).modalities:
        return p
    return Placement(p.request, p.clinician, p.start, Modality.TELEHEALTH, None, p.preferred, p.continuity)


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
    notes: list[str] = []
    placeable = sum(1 for r in problem.requests if options[r.id])
    draft = baseline.placements
    soft_optimal = False

    def remaining() -> float:
        # Keep a little back for giving rooms and filling gaps after the last solve.
        return time_limit * 0.95 - 0.3 - (time.perf_counter() - started)

    # Phase 1: as many appointments as possible. Skipped when the greedy start already placed
    # every request that has anywhere to go (nothing can beat that).
    placed_count = len(draft)
    proven = placed_count == placeable
    if not proven:
        counting = _Model(problem, _count_options(problem, options), workers, seed)
        counting.hint([_as_telehealth(problem, p) for p in draft])
        counting.model.maximize(sum(v for _, v in counting.vars))
        status, solver = counting.run(remaining() * 0.85)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value > placed_count:
            draft = counting.picked(solver)
            placed_count = len(draft)
        proven = status == cp_model.OPTIMAL
        if not proven:
            notes.append(
                f"the count placed is not proven maximal ({solver.status_name(status)} at the time limit)"
            )
    phase1_seconds = time.perf_counter() - started

    # Phase 2: keep that many, and make them as good as possible: preferred times, continuity, in
    # person where either is allowed, and — where a request may go to several clinicians — the
    # busiest clinician's load as low as possible. Building and presolving the full model takes
    # about as long as everything so far; without that much time left, the local moves below do
    # the work.
    if remaining() > max(1.0, phase1_seconds) and options:
        full = _Model(problem, options, workers, seed)
        if full.vars:
            full.model.add(sum(v for _, v in full.vars) >= placed_count)
            soft = sum(c.bonus * v for c, v in full.vars)
            full.hint(draft)
            if any(len({c.clinician for c in opts}) > 1 for opts in options.values()):
                max_load = full.model.new_int_var(0, 100_000, "max_load_percent")
                for clinician in problem.clinicians.values():
                    if clinician.capacity > 0:
                        terms = full.minutes_of.get(clinician.id, [])
                        full.model.add(
                            100 * (clinician.booked + sum(m * v for m, v in terms))
                            <= clinician.capacity * max_load
                        )
                full.model.maximize(soft - W_BALANCE * max_load)
                full.model.add_hint(max_load, max_load_percent(problem, draft))
            else:
                full.model.maximize(soft)
            status, solver = full.run(remaining())
            soft_optimal = status == cp_model.OPTIMAL
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                better = full.picked(solver)
                if len(better) >= placed_count and objective(problem, better) >= objective(problem, draft):
                    draft = better
    # OPTIMAL: nothing better exists. MAX_PLACED: no solution places more appointments, the soft
    # goals are the best found in time. FEASIBLE: neither was proven before the time limit.
    status_name = "FEASIBLE"
    if proven:
        status_name = "OPTIMAL" if soft_optimal else "MAX_PLACED"

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
    improve(board, options)
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
