"""One conflict check for every way a session gets on the calendar.

A proposed booking (one or more `Slot`s: a time, and whose time and which room it takes) conflicts
when:
  * hard — refused, naming who and what:
    - `staff`: the person leading it already leads (or sits in) another session then;
    - `room`: the room is already booked then, or has fewer seats than people in it;
    - `participant`: a participant is already in another session then (groups included);
    - `closure`: the program is closed that day (a public holiday or a closure of its own);
  * soft — allowed only with a confirmation and a reason, which is recorded (ConflictAcceptance):
    - `work_hours`: inside a participant's declared work, family, school or other hours;
    - `staff_hours`: outside the hours the staff member works at the program (when recorded).

`booking_conflicts(program, slots)` is the check every path uses (a one-off session, a move, a
series' generated sessions, a roster join, the solver's commit, the JSON API); `require_clear`
raises `BookingConflict` unless the conflicts are only soft ones confirmed with a reason.
`week_conflicts(program, week_start)` applies the same rules to every session of a week (the
Conflicts page, the program's week view, `bridge schedule conflicts`); `session_conflicts(program,
sessions)` to just the sessions a page shows (a staff member's, a room's or a participant's week,
one session, the Today board). Both run a fixed number of queries
however many sessions are involved. Cancelled sessions never conflict.

The package: `kinds` (the kinds, Conflict, BookingConflict, Slot), `load` (what the rules read,
in a fixed number of queries), `rules` (the rules, written once), `booking` (a proposed booking)
and `week` (sessions already on the calendar: a week, a day, or just the sessions a page shows).
"""

from bridge.scheduling.conflicts.booking import accept, booking_conflicts, conflicts_by_slot, require_clear
from bridge.scheduling.conflicts.kinds import (
    CLOSURE,
    HARD,
    KIND_LABELS,
    KINDS,
    LONGEST,
    PARTICIPANT,
    ROOM,
    SOFT,
    STAFF,
    STAFF_HOURS,
    WORK_HOURS,
    BookingConflict,
    Conflict,
    Slot,
)
from bridge.scheduling.conflicts.week import (
    WeekConflict,
    open_conflict_sessions,
    session_conflicts,
    week_conflicts,
)

__all__ = [
    "CLOSURE",
    "HARD",
    "KINDS",
    "KIND_LABELS",
    "LONGEST",
    "PARTICIPANT",
    "ROOM",
    "SOFT",
    "STAFF",
    "STAFF_HOURS",
    "WORK_HOURS",
    "BookingConflict",
    "Conflict",
    "Slot",
    "WeekConflict",
    "accept",
    "booking_conflicts",
    "conflicts_by_slot",
    "open_conflict_sessions",
    "require_clear",
    "session_conflicts",
    "week_conflicts",
]
