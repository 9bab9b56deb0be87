"""A simple greedy placement: the benchmark's baseline and the CP-SAT solver's starting hint.

Requests are taken in order (the fewest possible times first); each gets its best-scoring
candidate that is still free. `Board` keeps who and what is taken; the CP-SAT solver reuses it to
give rooms to its placements and to fill any gap a time limit left.
"""

from __future__ import annotations

import time
from collections import defaultdict

from bridge.planner.problem import (
    Candidate,
    Modality,
    Placement,
    Problem,
    Solution,
    Unplaced,
    Window,
    candidates,
    objective,
    overlaps_any,
    why_left_out,
    why_no_candidates,
)


class Board:
    """What is taken so far: clinicians', participants' and rooms' placed spans, and clinician load."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.clinician: dict[str, list[Window]] = defaultdict(list)
        self.person: dict[str, list[Window]] = defaultdict(list)
        self.room: dict[str, list[Window]] = defaultdict(list)
        self.load = {c.id: c.booked for c in problem.clinicians.values()}
        self.placements: list[Placement] = []

    def free_room(self, seats: int, start: int, end: int) -> str | None:
        """The smallest room that fits and is free, so big rooms stay for family sessions."""
        fitting = sorted(
            (r for r in self.problem.rooms.values() if r.capacity >= seats),
            key=lambda r: (r.capacity, r.name, r.id),
        )
        for room in fitting:
            if not overlaps_any(room.busy, start, end) and not overlaps_any(self.room[room.id], start, end):
                return room.id
        return None

    def fits(self, c: Candidate) -> bool:
        request = self.problem.request(c.request)
        clinician = self.problem.clinicians[c.clinician]
        if self.load[c.clinician] + request.minutes > clinician.capacity:
            return False
        if overlaps_any(self.clinician[c.clinician], c.start, c.end):
            return False
        if overlaps_any(self.person[request.participant], c.start, c.end):
            return False
        return c.modality != Modality.IN_PERSON or self.free_room(request.seats, c.start, c.end) is not None

    def place(self, c: Candidate, room: str | None = None) -> Placement:
        request = self.problem.request(c.request)
        if c.modality == Modality.IN_PERSON and room is None:
            room = self.free_room(request.seats, c.start, c.end)
            assert room is not None, "place() called without checking fits()"
        span = Window(c.start, c.end)
        self.clinician[c.clinician].append(span)
        self.person[request.participant].append(span)
        if room is not None:
            self.room[room].append(span)
        self.load[c.clinician] += request.minutes
        placement = Placement(c.request, c.clinician, c.start, c.modality, room, c.preferred, c.continuity)
        self.placements.append(placement)
        return placement

    def remove(self, placement: Placement) -> None:
        request = self.problem.request(placement.request)
        span = Window(placement.start, placement.start + request.minutes)
        self.clinician[placement.clinician].remove(span)
        self.person[request.participant].remove(span)
        if placement.room is not None:
            self.room[placement.room].remove(span)
        self.load[placement.clinician] -= request.minutes
        self.placements.remove(placement)


def improve(board: Board, options: dict[str, list[Candidate]]) -> None:
    """One pass of moves: each placement to a free time that scores better on the soft goals."""
    for placement in sorted(board.placements, key=lambda p: (p.start, p.request)):
        current = next(
            c
            for c in options[placement.request]
            if (c.clinician, c.start, c.modality)
            == (placement.clinician, placement.start, placement.modality)
        )
        better = [c for c in best_first(options[placement.request]) if c.bonus > current.bonus]
        if not better:
            continue
        board.remove(placement)
        move = next((c for c in better if board.fits(c)), None)
        if move is None:
            board.place(current, room=placement.room)
        else:
            board.place(move)


def best_first(options: list[Candidate]) -> list[Candidate]:
    return sorted(options, key=lambda c: (-c.bonus, c.start, c.clinician, c.modality))


def greedy(problem: Problem, options: dict[str, list[Candidate]] | None = None) -> Solution:
    started = time.perf_counter()
    if options is None:
        options = {r.id: candidates(problem, r) for r in problem.requests}
    board = Board(problem)
    unplaced: list[Unplaced] = []
    order = sorted(problem.requests, key=lambda r: (len(options[r.id]), r.id))
    for request in order:
        if not options[request.id]:
            unplaced.append(why_no_candidates(problem, request))
            continue
        chosen = next((c for c in best_first(options[request.id]) if board.fits(c)), None)
        if chosen is None:
            unplaced.append(why_left_out(problem, request, options[request.id], board.placements))
        else:
            board.place(chosen)
    return Solution(
        placements=board.placements,
        unplaced=unplaced,
        solver="greedy",
        status="FEASIBLE",
        seconds=time.perf_counter() - started,
        objective=objective(problem, board.placements),
    )
