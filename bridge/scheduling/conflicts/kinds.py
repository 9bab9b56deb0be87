"""The kinds of conflict, a conflict, a refused booking, and a proposed slot of time."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

PARTICIPANT, STAFF, ROOM, CLOSURE = "participant", "staff", "room", "closure"
WORK_HOURS, STAFF_HOURS = "work_hours", "staff_hours"
HARD = frozenset({PARTICIPANT, STAFF, ROOM, CLOSURE})
SOFT = frozenset({WORK_HOURS, STAFF_HOURS})
KINDS = (PARTICIPANT, STAFF, ROOM, CLOSURE, WORK_HOURS, STAFF_HOURS)
# No session lasts longer (the curriculum allows 8 hours): bounds the search on both sides, so the
# start-time index does the work.
LONGEST = timedelta(hours=24)
KIND_LABELS = {
    PARTICIPANT: "Participant double-booked",
    STAFF: "Staff double-booked",
    ROOM: "Room",
    CLOSURE: "Program closed",
    WORK_HOURS: "Participant's work or family hours",
    STAFF_HOURS: "Outside working hours",
}


@dataclass(frozen=True)
class Conflict:
    """One reason a booking cannot simply go ahead. `with_session` is the other session, if any."""

    kind: str
    message: str
    with_session: uuid.UUID | None = None
    participant_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None  # the session the conflict belongs to, when it exists

    @property
    def hard(self) -> bool:
        return self.kind in HARD

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def as_dict(self) -> dict:
        """The JSON API's shape: {"kind", "with", "message"}."""
        return {
            "kind": self.kind,
            "with": str(self.with_session) if self.with_session else None,
            "message": self.message,
        }


class BookingConflict(Exception):
    """A booking refused for its conflicts (hard ones), or waiting for a confirmation (soft only)."""

    def __init__(self, conflicts: Sequence[Conflict]):
        self.conflicts = list(conflicts)
        super().__init__("; ".join(c.message for c in self.conflicts))

    @property
    def hard(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.hard]

    @property
    def needs_confirmation(self) -> bool:
        """Only soft conflicts: the booking may go ahead with a reason."""
        return bool(self.conflicts) and not self.hard


@dataclass(frozen=True)
class Slot:
    """A span of time a booking takes, and whose time it takes.

    `staff_id` and `room_id` are checked when given; `participant_ids` are the participants whose
    time is checked; `seats` is how many people will sit in the room. `session_id` is the session
    itself when it exists (a session never conflicts with itself). `series_id` lets a member's
    accepted work-hours conflict for the whole series apply.
    """

    starts_at: datetime
    ends_at: datetime
    label: str
    staff_id: uuid.UUID | None = None
    room_id: uuid.UUID | None = None
    participant_ids: tuple = ()
    seats: int = 0
    session_id: uuid.UUID | None = None
    series_id: uuid.UUID | None = None
    seats_only: bool = False  # check only the room's seats, not who else has it booked
