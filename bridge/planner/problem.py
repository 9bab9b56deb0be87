"""The weekly scheduling problem as plain data, with no Django: what to place, who and what is free.

Times are minutes from Monday 00:00 *local* time of the program's week (0 … 7*1440). Working in
wall-clock minutes keeps a week that contains a daylight-saving change simple: the adapter turns
minutes back into aware datetimes in the program's zone.

This module also holds what both solvers share: the candidate placements of a request, the reasons
a request cannot be placed, the objective, and `violations()`, an independent check of a solution
against every rule (used by the tests and by the service before anything is written).
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

DAY = 24 * 60
WEEK = 7 * DAY

# Objective weights. Placing a request is worth far more than every soft goal together, so a
# solution never trades an appointment for a nicer time.
W_PLACED = 1000
W_PREFERRED = 20  # inside one of the participant's preferred windows
W_CONTINUITY = 30  # same weekday, time and clinician as the last one of its kind
W_IN_PERSON = 5  # in person when either is allowed
W_BALANCE = 1  # per percentage point of the busiest clinician's load


class Modality(enum.StrEnum):
    IN_PERSON = "in_person"
    TELEHEALTH = "telehealth"


class Reason(enum.StrEnum):
    """Why a request was not placed; the words shown to the director are in REASON_TEXT."""

    NO_CLINICIAN = "no_clinician"
    NO_QUALIFIED_CLINICIAN = "no_qualified_clinician"
    NO_CLINICIAN_HOURS = "no_clinician_hours"
    OVER_CAPACITY = "over_capacity"
    NO_SHARED_TIME = "no_shared_time"
    NO_ROOM = "no_room"
    TIMES_TAKEN = "times_taken"


REASON_TEXT: dict[Reason, str] = {
    Reason.NO_CLINICIAN: "No clinician of the needed kind is on the care team",
    Reason.NO_QUALIFIED_CLINICIAN: "No available clinician holds a current credential for this",
    Reason.NO_CLINICIAN_HOURS: "The clinician has no working hours entered",
    Reason.OVER_CAPACITY: "The clinician is at their weekly capacity",
    Reason.NO_SHARED_TIME: "No overlap between the participant's free time and the clinician's hours",
    Reason.NO_ROOM: "No room is free when both are (and it must be in person)",
    Reason.TIMES_TAKEN: "Every shared free time went to other appointments",
}


@dataclass(frozen=True, order=True)
class Window:
    """A half-open span [start, end) in minutes from Monday 00:00."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"window ends before it starts: {self.start}..{self.end}")

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


def overlaps_any(windows: Iterable[Window], start: int, end: int) -> bool:
    return any(w.overlaps(start, end) for w in windows)


def inside_any(windows: Iterable[Window], start: int, end: int) -> bool:
    return any(w.contains(start, end) for w in windows)


@dataclass(frozen=True)
class Clinician:
    id: str
    name: str
    hours: tuple[Window, ...]  # when they work this week
    busy: tuple[Window, ...] = ()  # sessions they already lead this week
    capacity: int = 20 * 60  # minutes of appointments a week
    booked: int = 0  # minutes of appointments they already have this week
    qualifications: frozenset[str] = frozenset()  # e.g. {"clinician", "licensed"}; see qualify.py


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    capacity: int  # seats
    busy: tuple[Window, ...] = ()


@dataclass(frozen=True)
class Person:
    """A participant: when they cannot come (work, family, groups, other sessions) and prefer to."""

    id: str
    busy: tuple[Window, ...] = ()
    preferred: tuple[Window, ...] = ()


@dataclass(frozen=True)
class Request:
    """One appointment to place this week for one participant."""

    id: str
    participant: str
    kind: str  # "individual", "medication", "family", ...
    minutes: int
    clinicians: tuple[str, ...]  # who may lead it (before the credential check)
    qualification: str = "none"  # what the leader must hold
    modalities: tuple[Modality, ...] = (Modality.IN_PERSON, Modality.TELEHEALTH)
    seats: int = 2  # room size needed in person
    previous: tuple[str, int] | None = None  # (clinician, start) of the last one, moved to this week


@dataclass(frozen=True)
class Problem:
    participants: dict[str, Person]
    clinicians: dict[str, Clinician]
    rooms: dict[str, Room]
    requests: tuple[Request, ...]
    day_start: int = 7 * 60  # earliest start of an appointment, local
    day_end: int = 22 * 60  # latest end
    step: int = 30  # appointments start on this grid (minutes)

    def request(self, request_id: str) -> Request:
        return self._by_id[request_id]

    @property
    def _by_id(self) -> dict[str, Request]:
        cached = self.__dict__.get("_request_index")
        if cached is None:
            cached = {r.id: r for r in self.requests}
            object.__setattr__(self, "_request_index", cached)
        return cached


@dataclass(frozen=True)
class Candidate:
    """One way to place a request: who, when and how (in person only where a fitting room is free)."""

    request: str
    clinician: str
    start: int
    end: int
    modality: Modality
    bonus: int  # soft-goal points on top of W_PLACED
    preferred: bool
    continuity: bool


@dataclass(frozen=True)
class Placement:
    request: str
    clinician: str
    start: int
    modality: Modality
    room: str | None = None
    preferred: bool = False
    continuity: bool = False


@dataclass(frozen=True)
class Unplaced:
    request: str
    reason: Reason
    detail: str = ""

    @property
    def text(self) -> str:
        return REASON_TEXT[self.reason]


@dataclass
class Solution:
    placements: list[Placement]
    unplaced: list[Unplaced]
    solver: str
    status: str = ""
    seconds: float = 0.0
    objective: int = 0
    notes: list[str] = field(default_factory=list)

    def placement_for(self, request_id: str) -> Placement | None:
        return next((p for p in self.placements if p.request == request_id), None)


# --- Candidates ------------------------------------------------------------------------------------


def qualified(problem: Problem, request: Request) -> list[Clinician]:
    found = [problem.clinicians[c] for c in request.clinicians if c in problem.clinicians]
    if request.qualification == "none":
        return found
    return [c for c in found if request.qualification in c.qualifications]


def rooms_free(problem: Problem, seats: int, start: int, end: int) -> list[Room]:
    return [r for r in problem.rooms.values() if r.capacity >= seats and not overlaps_any(r.busy, start, end)]


def _starts(problem: Problem, minutes: int) -> list[int]:
    found: list[int] = []
    for day in range(7):
        first = day * DAY + problem.day_start
        last = day * DAY + problem.day_end - minutes
        found.extend(range(first, last + 1, problem.step))
    return found


def _free_starts(
    problem: Problem, hours: tuple[Window, ...] | None, busy: tuple[Window, ...], minutes: int
) -> frozenset[int]:
    """Grid starts where [start, start+minutes) lies inside `hours` (None: anywhere) and misses `busy`."""
    return frozenset(
        s
        for s in _starts(problem, minutes)
        if (hours is None or inside_any(hours, s, s + minutes)) and not overlaps_any(busy, s, s + minutes)
    )


def _cached(
    problem: Problem, key: tuple[object, ...], compute: Callable[[], frozenset[int]]
) -> frozenset[int]:
    # Problems are immutable, so what depends only on them is computed once (candidates for a
    # few hundred requests share a handful of clinicians, durations and room sizes).
    cache: dict[tuple[object, ...], frozenset[int]] = problem.__dict__.setdefault("_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def clinician_starts(problem: Problem, clinician: Clinician, minutes: int) -> frozenset[int]:
    return _cached(
        problem,
        ("clinician", clinician.id, minutes),
        lambda: _free_starts(problem, clinician.hours, clinician.busy, minutes),
    )


def room_starts(problem: Problem, seats: int, minutes: int) -> frozenset[int]:
    """Starts at which at least one room with `seats` seats is free for `minutes`."""

    def compute() -> frozenset[int]:
        found: set[int] = set()
        for room in problem.rooms.values():
            if room.capacity >= seats:
                found |= _free_starts(problem, None, room.busy, minutes)
        return frozenset(found)

    return _cached(problem, ("rooms", seats, minutes), compute)


def candidates(problem: Problem, request: Request) -> list[Candidate]:
    """Every (clinician, start, modality) where this request could go if nothing else were placed."""
    person = problem.participants[request.participant]
    minutes = request.minutes
    person_ok = _free_starts(problem, None, person.busy, minutes)
    found: list[Candidate] = []
    for clinician in qualified(problem, request):
        if clinician.booked + minutes > clinician.capacity:
            continue
        for start in sorted(person_ok & clinician_starts(problem, clinician, minutes)):
            end = start + minutes
            preferred = inside_any(person.preferred, start, end)
            continuity = request.previous == (clinician.id, start)
            for modality in request.modalities:
                if modality == Modality.IN_PERSON and start not in room_starts(
                    problem, request.seats, minutes
                ):
                    continue
                bonus = (
                    (W_PREFERRED if preferred else 0)
                    + (W_CONTINUITY if continuity else 0)
                    + (W_IN_PERSON if modality == Modality.IN_PERSON and len(request.modalities) > 1 else 0)
                )
                found.append(
                    Candidate(request.id, clinician.id, start, end, modality, bonus, preferred, continuity)
                )
    return found


def why_no_candidates(problem: Problem, request: Request) -> Unplaced:
    """The first reason, in the order a scheduler would check, that a request has nowhere to go."""
    listed = [problem.clinicians[c] for c in request.clinicians if c in problem.clinicians]
    if not listed:
        return Unplaced(request.id, Reason.NO_CLINICIAN, f"needs a {request.kind} clinician on the team")
    able = qualified(problem, request)
    if not able:
        names = ", ".join(c.name for c in listed)
        return Unplaced(
            request.id,
            Reason.NO_QUALIFIED_CLINICIAN,
            f"{names}: no current {request.qualification} credential",
        )
    working = [c for c in able if c.hours]
    if not working:
        return Unplaced(request.id, Reason.NO_CLINICIAN_HOURS, ", ".join(c.name for c in able))
    room_left = [c for c in working if c.booked + request.minutes <= c.capacity]
    if not room_left:
        return Unplaced(
            request.id,
            Reason.OVER_CAPACITY,
            ", ".join(f"{c.name} {c.booked}/{c.capacity} min" for c in working),
        )
    if candidates(problem, replace(request, modalities=(Modality.TELEHEALTH,))):
        return Unplaced(request.id, Reason.NO_ROOM, f"{request.seats} seats needed")
    return Unplaced(request.id, Reason.NO_SHARED_TIME, ", ".join(c.name for c in room_left))


def why_left_out(
    problem: Problem, request: Request, options: list[Candidate], placed: list[Placement]
) -> Unplaced:
    """Why a request that had candidates did not get one, given what was placed."""
    load = clinician_load(problem, placed)
    busy_clin: dict[str, list[Window]] = {}
    busy_person: dict[str, list[Window]] = {}
    for p in placed:
        r = problem.request(p.request)
        busy_clin.setdefault(p.clinician, []).append(Window(p.start, p.start + r.minutes))
        busy_person.setdefault(r.participant, []).append(Window(p.start, p.start + r.minutes))
    capacity_blocked = all(
        load[c.clinician] + request.minutes > problem.clinicians[c.clinician].capacity for c in options
    )
    if capacity_blocked:
        names = sorted({problem.clinicians[c.clinician].name for c in options})
        return Unplaced(
            request.id, Reason.OVER_CAPACITY, "capacity used by other appointments: " + ", ".join(names)
        )
    clinician_taken = sum(overlaps_any(busy_clin.get(c.clinician, ()), c.start, c.end) for c in options)
    person_taken = sum(
        overlaps_any(busy_person.get(request.participant, ()), c.start, c.end) for c in options
    )
    return Unplaced(
        request.id,
        Reason.TIMES_TAKEN,
        f"{len(options)} possible times; clinician booked at {clinician_taken}, "
        f"participant booked at {person_taken}, the rest had no room left",
    )


# --- Load, objective and the independent check -----------------------------------------------------


def clinician_load(problem: Problem, placements: Iterable[Placement]) -> dict[str, int]:
    """Minutes of appointments per clinician this week, including what was booked before."""
    load = {c.id: c.booked for c in problem.clinicians.values()}
    for p in placements:
        load[p.clinician] = load.get(p.clinician, 0) + problem.request(p.request).minutes
    return load


def max_load_percent(problem: Problem, placements: Iterable[Placement]) -> int:
    load = clinician_load(problem, placements)
    return max(
        (
            (100 * load[c.id] + c.capacity - 1) // c.capacity
            for c in problem.clinicians.values()
            if c.capacity > 0
        ),
        default=0,
    )


def placement_bonus(problem: Problem, placement: Placement) -> int:
    request = problem.request(placement.request)
    person = problem.participants[request.participant]
    end = placement.start + request.minutes
    bonus = 0
    if inside_any(person.preferred, placement.start, end):
        bonus += W_PREFERRED
    if request.previous == (placement.clinician, placement.start):
        bonus += W_CONTINUITY
    if placement.modality == Modality.IN_PERSON and len(request.modalities) > 1:
        bonus += W_IN_PERSON
    return bonus


def objective(problem: Problem, placements: list[Placement]) -> int:
    """The value both solvers are judged by (the CP-SAT model maximizes exactly this)."""
    return sum(W_PLACED + placement_bonus(problem, p) for p in placements) - W_BALANCE * max_load_percent(
        problem, placements
    )


def violations(problem: Problem, solution: Solution) -> list[str]:
    """Every broken rule in `solution`, checked from the raw problem (not from the candidates)."""
    found: list[str] = []
    seen: set[str] = set()
    requests = {r.id: r for r in problem.requests}
    for p in solution.placements:
        r = requests.get(p.request)
        if r is None:
            found.append(f"{p.request}: placed but never requested")
            continue
        if p.request in seen:
            found.append(f"{p.request}: placed twice")
        seen.add(p.request)
        start, end = p.start, p.start + r.minutes
        if p.start % problem.step or start // DAY != (end - 1) // DAY:
            found.append(f"{p.request}: start {start} off the grid or crosses midnight")
        if not (problem.day_start <= start % DAY and (end - 1) % DAY < problem.day_end):
            found.append(f"{p.request}: outside the program's day")
        clinician = problem.clinicians.get(p.clinician)
        person = problem.participants[r.participant]
        if clinician is None or p.clinician not in r.clinicians:
            found.append(f"{p.request}: clinician {p.clinician} may not lead it")
            continue
        if r.qualification != "none" and r.qualification not in clinician.qualifications:
            found.append(f"{p.request}: {clinician.name} lacks {r.qualification}")
        if not inside_any(clinician.hours, start, end):
            found.append(f"{p.request}: outside {clinician.name}'s hours")
        if overlaps_any(clinician.busy, start, end):
            found.append(f"{p.request}: {clinician.name} already has a session then")
        if overlaps_any(person.busy, start, end):
            found.append(f"{p.request}: participant {r.participant} is busy then")
        if p.modality not in r.modalities:
            found.append(f"{p.request}: modality {p.modality} not allowed")
        if p.modality == Modality.IN_PERSON:
            room = problem.rooms.get(p.room or "")
            if room is None:
                found.append(f"{p.request}: in person without a room")
            else:
                if room.capacity < r.seats:
                    found.append(f"{p.request}: room {room.name} too small")
                if overlaps_any(room.busy, start, end):
                    found.append(f"{p.request}: room {room.name} already in use")
        elif p.room is not None:
            found.append(f"{p.request}: telehealth with a room")
    # Nobody double-booked by the new placements: clinicians, participants, rooms.
    for label, key in (
        ("clinician", lambda p, r: p.clinician),
        ("participant", lambda p, r: r.participant),
        ("room", lambda p, r: p.room),
    ):
        spans: dict[str, list[tuple[int, int, str]]] = {}
        for p in solution.placements:
            r = requests.get(p.request)
            k = key(p, r) if r is not None else None
            if r is None or k is None:
                continue
            spans.setdefault(k, []).append((p.start, p.start + r.minutes, p.request))
        for k, items in spans.items():
            items.sort()
            for (_, end_a, a), (start_b, _, b) in itertools.pairwise(items):
                if start_b < end_a:
                    found.append(f"{label} {k} double-booked: {a} and {b}")
    used = {p.clinician for p in solution.placements}
    for cid, minutes in clinician_load(problem, solution.placements).items():
        c = problem.clinicians.get(cid)
        if c is not None and cid in used and minutes > c.capacity:
            found.append(f"clinician {c.name} over capacity: {minutes} > {c.capacity}")
    # Nothing dropped silently: every request is placed or listed with a reason, once.
    listed = [u.request for u in solution.unplaced]
    if len(set(listed)) != len(listed):
        found.append("a request is listed as unplaced twice")
    both = seen & set(listed)
    if both:
        found.append(f"placed and unplaced at once: {sorted(both)}")
    missing = set(requests) - seen - set(listed)
    if missing:
        found.append(f"dropped silently: {sorted(missing)}")
    return found
