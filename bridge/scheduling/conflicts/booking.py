"""The check of a proposed booking, and recording soft conflicts confirmed with a reason."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bridge.scheduling.conflicts.kinds import KINDS, BookingConflict, Conflict, Slot
from bridge.scheduling.conflicts.load import _load
from bridge.scheduling.conflicts.rules import _slot_conflicts
from bridge.scheduling.models import ConflictAcceptance, SeriesMembership, Session


def booking_conflicts(program, slots: Sequence[Slot], *, ignore: Iterable = ()) -> list[Conflict]:
    """The conflicts of a proposed booking of one or more slots (hard ones first).

    `ignore`: sessions that do not block (the session being moved away from).
    """
    found = [c for per_slot in conflicts_by_slot(program, slots, ignore=ignore) for c in per_slot]
    return sorted(found, key=lambda c: (not c.hard, KINDS.index(c.kind)))


def conflicts_by_slot(program, slots: Sequence[Slot], *, ignore: Iterable = ()) -> list[list[Conflict]]:
    """The conflicts of each slot, in the slots' order (one load for all of them)."""
    if not slots:
        return []
    first = min(s.starts_at for s in slots)
    last = max(s.ends_at for s in slots)
    ctx = _load(
        program,
        first,
        last,
        staff_ids={s.staff_id for s in slots if s.staff_id},
        room_ids={s.room_id for s in slots if s.room_id},
        participant_ids={pid for s in slots for pid in s.participant_ids},
        ignore=set(ignore),
    )
    return [_slot_conflicts(slot, ctx) for slot in slots]


def require_clear(conflicts: Sequence[Conflict], confirm_reason: str = "") -> list[Conflict]:
    """Raise BookingConflict for any hard conflict, or soft ones without a reason.

    Returns the soft conflicts the reason accepts, for the caller to record with `accept`.
    """
    if any(c.hard for c in conflicts):
        raise BookingConflict([c for c in conflicts if c.hard])
    if conflicts and not confirm_reason.strip():
        raise BookingConflict(conflicts)
    return list(conflicts)


def accept(
    *,
    actor,
    conflicts: Sequence[Conflict],
    reason: str,
    session: Session | None = None,
    membership: SeriesMembership | None = None,
) -> list[ConflictAcceptance]:
    """Record soft conflicts confirmed with a reason (inside the booking's transaction)."""
    rows = []
    seen = set()
    for c in conflicts:
        # One row per kind and person: for a membership it covers every session of the series.
        key = (
            (c.kind, c.participant_id) if membership is not None else (c.kind, c.participant_id, c.session_id)
        )
        if c.hard or key in seen:
            continue
        seen.add(key)
        target = session
        if target is None and membership is None and c.session_id:
            target = Session.objects.get(pk=c.session_id)
        row = ConflictAcceptance(
            session=target,
            membership=membership,
            participant_id=c.participant_id,
            kind=c.kind,
            message=c.message[:300],
            reason=reason.strip()[:300],
            accepted_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        row.full_clean()
        rows.append(row)
    ConflictAcceptance.objects.bulk_create(rows)
    return rows
