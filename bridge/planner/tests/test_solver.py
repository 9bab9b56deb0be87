"""The solver on plain data (no database): every constraint checked on random instances."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.accounts.qualify import qualifications
from bridge.planner.greedy import greedy
from bridge.planner.problem import (
    DAY,
    Clinician,
    Modality,
    Person,
    Problem,
    Reason,
    Request,
    Room,
    Solution,
    Window,
    candidates,
    objective,
    violations,
)
from bridge.planner.solver import solve

LICENSED = frozenset({"none", "clinician", "licensed"})
PRESCRIBER = frozenset({"none", "clinician", "licensed", "prescriber", "nurse"})


def day(d: int, start_h: float, end_h: float) -> Window:
    return Window(d * DAY + int(start_h * 60), d * DAY + int(end_h * 60))


def random_problem(seed: int, participants: int, clinicians: int, rooms: int) -> Problem:
    """A random week: work blocks, groups, preferred times, clinician hours, credentials, rooms."""
    rng = random.Random(seed)
    staff = {}
    for k in range(clinicians):
        hours = tuple(
            day(d, start, start + rng.choice([4, 6, 8]))
            for d in range(7)
            if rng.random() < 0.6
            for start in [rng.choice([8, 10, 12, 13.5])]
        )
        busy = tuple(day(d, 18, 19.5) for d in range(7) if rng.random() < 0.2)
        quals = rng.choice([LICENSED, PRESCRIBER, frozenset({"none", "clinician"}), frozenset({"none"})])
        staff[f"c{k}"] = Clinician(
            f"c{k}",
            f"C{k}",
            hours,
            busy,
            capacity=rng.choice([60, 180, 600]),
            booked=rng.choice([0, 0, 30]),
            qualifications=quals,
        )
    room_map = {
        f"r{k}": Room(
            f"r{k}",
            f"R{k}",
            rng.choice([2, 2, 4, 8]),
            tuple(day(d, 9, 12) for d in range(7) if rng.random() < 0.3),
        )
        for k in range(rooms)
    }
    people, requests = {}, []
    for i in range(participants):
        taken: list[Window] = []
        if rng.random() < 0.6:
            taken += [day(d, 8.5, 17.5) for d in range(5)]
        if rng.random() < 0.5:
            taken += [day(d, 18, 21) for d in (0, 1, 3)]
        preferred = (day(rng.randrange(7), 16, 19),) if rng.random() < 0.5 else ()
        people[f"p{i}"] = Person(f"p{i}", tuple(taken), preferred)
        for n in range(rng.choice([1, 1, 2, 3])):
            kind, minutes, qual, seats = rng.choice(
                [
                    ("individual", 50, "clinician", 2),
                    ("medication", 30, "prescriber", 2),
                    ("family", 50, "licensed", 4),
                ]
            )
            able = tuple(rng.sample(sorted(staff), k=min(len(staff), rng.choice([1, 1, 2]))))
            modalities = rng.choice(
                [(Modality.IN_PERSON, Modality.TELEHEALTH), (Modality.IN_PERSON,), (Modality.TELEHEALTH,)]
            )
            previous = (able[0], rng.randrange(7) * DAY + 17 * 60) if rng.random() < 0.3 else None
            requests.append(
                Request(f"p{i}-{n}", f"p{i}", kind, minutes, able, qual, modalities, seats, previous)
            )
    return Problem(people, staff, room_map, tuple(requests), step=rng.choice([15, 30]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    participants=st.integers(1, 14),
    clinicians=st.integers(1, 4),
    rooms=st.integers(0, 3),
)
def test_solver_output_obeys_every_constraint_on_random_weeks(seed, participants, clinicians, rooms):
    problem = random_problem(seed, participants, clinicians, rooms)
    for solution in (solve(problem, time_limit=3), greedy(problem)):
        assert violations(problem, solution) == [], solution.solver
        # Each request is placed or explained: nothing dropped silently.
        accounted = {p.request for p in solution.placements} | {u.request for u in solution.unplaced}
        assert accounted == {r.id for r in problem.requests}
        assert solution.objective == objective(problem, solution.placements)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), participants=st.integers(1, 12))
def test_solver_never_places_fewer_than_the_greedy_baseline(seed, participants):
    problem = random_problem(seed, participants, 3, 2)
    assert len(solve(problem, time_limit=3).placements) >= len(greedy(problem).placements)


def planted_problem(seed: int, participants: int) -> Problem:
    """A week with a known complete placement hidden in it: every request has exactly room for it,
    plus decoy times shared with others. A correct solver places everything."""
    rng = random.Random(seed)
    clinicians = {f"c{k}": f"c{k}" for k in range(3)}
    hours: dict[str, list[Window]] = {c: [] for c in clinicians}
    people, requests = {}, []
    used: dict[str, set[int]] = {c: set() for c in clinicians}
    for i in range(participants):
        c = f"c{rng.randrange(3)}"
        slot = next(s for s in rng.sample(range(5 * 10), 50) if s not in used[c])  # 5 days x 10 hours
        used[c].add(slot)
        start = (slot // 10) * DAY + (9 + slot % 10) * 60
        free = [Window(start, start + 60)]
        # A decoy: another hour that some other participant may need too.
        decoy = (rng.randrange(5)) * DAY + (9 + rng.randrange(10)) * 60
        free.append(Window(decoy, decoy + 60))
        busy = [Window(d * DAY, d * DAY + DAY) for d in range(7)]
        busy = _subtract(busy, free)
        people[f"p{i}"] = Person(f"p{i}", tuple(busy))
        hours[c] += [Window(start, start + 60), Window(decoy, decoy + 60)]
        requests.append(
            Request(f"p{i}", f"p{i}", "individual", 50, (c,), "clinician", (Modality.TELEHEALTH,))
        )
    staff = {
        c: Clinician(c, c, tuple(_merge(hours[c])), capacity=60 * 60, qualifications=LICENSED)
        for c in clinicians
    }
    return Problem(people, staff, {}, tuple(requests), day_start=0, day_end=DAY, step=60)


def _merge(windows: list[Window]) -> list[Window]:
    merged: list[Window] = []
    for w in sorted(windows):
        if merged and w.start <= merged[-1].end:
            merged[-1] = Window(merged[-1].start, max(merged[-1].end, w.end))
        else:
            merged.append(w)
    return merged


def _subtract(busy: list[Window], free: list[Window]) -> list[Window]:
    result = []
    for b in busy:
        pieces = [(b.start, b.end)]
        for f in free:
            pieces = [
                part
                for s, e in pieces
                for part in ((s, min(e, f.start)), (max(s, f.end), e))
                if part[1] > part[0]
            ]
        result += [Window(s, e) for s, e in pieces]
    return result


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), participants=st.integers(2, 30))
def test_a_week_that_can_be_fully_placed_is_fully_placed(seed, participants):
    problem = planted_problem(seed, participants)
    solution = solve(problem, time_limit=5)
    assert violations(problem, solution) == []
    assert solution.unplaced == []
    assert solution.status in ("OPTIMAL", "MAX_PLACED")


# --- Reasons -----------------------------------------------------------------------------------------------


def one_request(**changes) -> Problem:
    clinician = Clinician("c", "Dr C", (day(2, 17, 20),), capacity=600, qualifications=LICENSED)
    person = Person("p", (day(2, 8, 17),))
    request = Request(
        "r", "p", "individual", 50, ("c",), "clinician", (Modality.IN_PERSON, Modality.TELEHEALTH)
    )
    base = Problem(
        participants={"p": person},
        clinicians={"c": clinician},
        rooms={"room": Room("room", "Room", 2)},
        requests=(request,),
    )
    return dataclasses.replace(base, **changes)


def reason_of(problem: Problem) -> Reason:
    solution = solve(problem, time_limit=2)
    assert violations(problem, solution) == []
    assert not solution.placements
    return solution.unplaced[0].reason


def test_the_simple_case_is_placed_in_the_shared_evening():
    problem = one_request()
    solution = solve(problem, time_limit=2)
    assert [(p.clinician, p.start // DAY, p.modality, p.room) for p in solution.placements] == [
        ("c", 2, Modality.IN_PERSON, "room")
    ]
    assert 17 * 60 <= solution.placements[0].start % DAY <= 19 * 60


def test_unplaced_because_no_primary_clinician_on_the_team():
    request = Request("r", "p", "individual", 50, (), "clinician")
    assert reason_of(one_request(requests=(request,))) == Reason.NO_CLINICIAN


def test_unplaced_because_the_credential_is_missing_or_expired():
    lapsed = Clinician("c", "Dr C", (day(2, 17, 20),), qualifications=frozenset({"none"}))
    problem = one_request(clinicians={"c": lapsed})
    assert reason_of(problem) == Reason.NO_QUALIFIED_CLINICIAN
    assert "Dr C" in solve(problem).unplaced[0].detail


def test_unplaced_because_the_clinician_has_no_hours():
    idle = Clinician("c", "Dr C", (), qualifications=LICENSED)
    assert reason_of(one_request(clinicians={"c": idle})) == Reason.NO_CLINICIAN_HOURS


def test_unplaced_because_the_clinician_is_over_capacity():
    full = Clinician("c", "Dr C", (day(2, 17, 20),), capacity=600, booked=580, qualifications=LICENSED)
    assert reason_of(one_request(clinicians={"c": full})) == Reason.OVER_CAPACITY


def test_unplaced_because_participant_and_clinician_never_overlap():
    working_evenings = Person("p", (day(2, 16, 22),))
    assert reason_of(one_request(participants={"p": working_evenings})) == Reason.NO_SHARED_TIME


def test_unplaced_because_no_room_and_it_must_be_in_person():
    request = Request("r", "p", "family", 50, ("c",), "licensed", (Modality.IN_PERSON,), seats=4)
    small = {"room": Room("room", "Room", 2)}
    assert reason_of(one_request(requests=(request,), rooms=small)) == Reason.NO_ROOM
    busy = {"room": Room("room", "Room", 6, (day(2, 16, 21),))}
    assert reason_of(one_request(requests=(request,), rooms=busy)) == Reason.NO_ROOM


def test_unplaced_when_the_only_shared_time_went_to_someone_else():
    # One clinician hour, two participants who are both free only then.
    clinician = Clinician("c", "Dr C", (day(2, 18, 19),), capacity=600, qualifications=LICENSED)
    people = {p: Person(p, (day(2, 8, 18), day(2, 19, 22))) for p in ("a", "b")}
    requests = tuple(Request(p, p, "individual", 50, ("c",), "clinician") for p in ("a", "b"))
    problem = Problem(people, {"c": clinician}, {}, requests)
    solution = solve(problem, time_limit=2)
    assert len(solution.placements) == 1
    assert [u.reason for u in solution.unplaced] == [Reason.TIMES_TAKEN]


def test_capacity_shared_by_two_requests_leaves_one_over_capacity():
    clinician = Clinician("c", "Dr C", (day(2, 12, 20),), capacity=60, qualifications=LICENSED)
    people = {p: Person(p) for p in ("a", "b")}
    requests = tuple(
        Request(p, p, "individual", 50, ("c",), "clinician", (Modality.TELEHEALTH,)) for p in "ab"
    )
    solution = solve(Problem(people, {"c": clinician}, {}, requests), time_limit=2)
    assert len(solution.placements) == 1
    assert solution.unplaced[0].reason == Reason.OVER_CAPACITY


# --- Soft goals and the baseline ---------------------------------------------------------------------------


def test_preferred_time_and_continuity_are_chosen_when_free():
    clinician = Clinician("c", "Dr C", (day(1, 9, 21),), capacity=600, qualifications=LICENSED)
    person = Person("p", (), preferred=(day(1, 15, 16),))
    request = Request("r", "p", "individual", 50, ("c",), "clinician", (Modality.TELEHEALTH,))
    solution = solve(Problem({"p": person}, {"c": clinician}, {}, (request,)), time_limit=2)
    assert solution.placements[0].start == 1 * DAY + 15 * 60 and solution.placements[0].preferred
    last_time = Request(
        "r", "p", "individual", 50, ("c",), "clinician", (Modality.TELEHEALTH,), previous=("c", DAY + 19 * 60)
    )
    solution = solve(Problem({"p": Person("p")}, {"c": clinician}, {}, (last_time,)), time_limit=2)
    assert solution.placements[0].start == DAY + 19 * 60 and solution.placements[0].continuity


def test_cp_sat_places_what_greedy_misses():
    # Ann may come 17:00 or 18:00 and prefers 18:00; Bo and Cy can only do 18:00 or 19:00. Greedy
    # gives Ann her preferred 18:00 and then has one hour for two people; CP-SAT moves Ann to 17:00.
    clinician = Clinician("c", "Dr C", (day(2, 17, 20),), capacity=600, qualifications=LICENSED)
    people = {
        "a": Person("a", (day(2, 0, 17), day(2, 19, 24)), preferred=(day(2, 18, 19),)),
        "b": Person("b", (day(2, 0, 18), day(2, 20, 24))),
        "c": Person("c", (day(2, 0, 18), day(2, 20, 24))),
    }
    requests = tuple(
        Request(p, p, "individual", 50, ("c",), "clinician", (Modality.TELEHEALTH,)) for p in "abc"
    )
    problem = Problem(people, {"c": clinician}, {}, requests, step=60)
    baseline = greedy(problem)
    assert len(baseline.placements) == 2 and baseline.unplaced[0].reason == Reason.TIMES_TAKEN
    best = solve(problem, time_limit=2)
    assert len(best.placements) == 3 and best.status == "OPTIMAL"
    assert best.objective > baseline.objective


def test_balance_spreads_flexible_requests_across_clinicians():
    staff = {c: Clinician(c, c, (day(0, 9, 17),), capacity=300, qualifications=LICENSED) for c in ("x", "y")}
    people = {f"p{i}": Person(f"p{i}") for i in range(4)}
    requests = tuple(
        Request(f"p{i}", f"p{i}", "family", 50, ("x", "y"), "licensed", (Modality.TELEHEALTH,))
        for i in range(4)
    )
    solution = solve(Problem(people, staff, {}, requests), time_limit=3)
    per = {c: sum(p.clinician == c for p in solution.placements) for c in staff}
    assert per == {"x": 2, "y": 2}


def test_rooms_are_given_for_the_whole_appointment():
    # Two rooms, each free for only part of the evening: appointments must not straddle them.
    rooms = {"a": Room("a", "A", 2, (day(2, 18, 22),)), "b": Room("b", "B", 2, (day(2, 8, 18),))}
    clinicians = {
        c: Clinician(c, c, (day(2, 16, 20),), capacity=600, qualifications=LICENSED) for c in ("x", "y")
    }
    people = {p: Person(p) for p in ("p", "q")}
    requests = (
        Request("p", "p", "individual", 50, ("x",), "clinician", (Modality.IN_PERSON,)),
        Request("q", "q", "individual", 50, ("y",), "clinician", (Modality.IN_PERSON,)),
    )
    problem = Problem(people, clinicians, rooms, requests)
    solution = solve(problem, time_limit=2)
    assert violations(problem, solution) == []
    assert len(solution.placements) == 2


def test_violations_catch_a_broken_solution():
    problem = one_request()
    good = solve(problem, time_limit=2)
    p = good.placements[0]
    from dataclasses import replace

    double = Solution([p, replace(p, request="r")], [], "x")
    assert any("placed twice" in v for v in violations(problem, double))
    dropped = Solution([], [], "x")
    assert any("dropped silently" in v for v in violations(problem, dropped))
    at_work = Solution([replace(p, start=2 * DAY + 10 * 60)], [], "x")
    assert any("busy" in v for v in violations(problem, at_work))
    no_room = Solution([replace(p, room=None)], [], "x")
    assert any("without a room" in v for v in violations(problem, no_room))


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["LCSW"], {"clinician", "licensed"}),
        (["CADC"], {"clinician"}),
        (["MD", "DEA"], {"clinician", "licensed", "prescriber", "nurse"}),
        (["RN"], {"nurse"}),
        (["CPRS"], set()),
        ([], set()),
    ],
)
def test_credentials_map_to_what_they_qualify_for(codes, expected):
    assert qualifications(codes) == frozenset(expected | {"none"})


def test_candidates_respect_the_grid_and_the_day():
    problem = one_request()
    for c in candidates(problem, problem.requests[0]):
        assert c.start % problem.step == 0
        assert problem.day_start <= c.start % DAY and c.end % DAY <= problem.day_end
