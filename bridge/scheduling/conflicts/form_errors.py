"""A refused booking on its form (used by every app whose form books a session or an event)."""

from __future__ import annotations

from bridge.scheduling import conflicts as cc


def show_conflicts(form, exc: cc.BookingConflict) -> None:
    """Put a refused booking's conflicts on its form: hard ones refuse, soft ones ask for a reason."""
    for c in exc.conflicts:
        form.add_error(None, f"{c.label}: {c.message}")
    if exc.needs_confirmation:
        form.add_error(
            "confirm_reason",
            "This clashes only with someone's declared hours: give a reason to book it anyway.",
        )
    else:
        form.add_error(None, "Nothing was booked: choose another time, person or room.")
