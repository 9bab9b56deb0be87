"""A refused booking on its form (used by every app whose form books a session or an event)."""

from __future__ import annotations

from types import TracebackType

from django import forms

from bridge.core import refusal
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


class BookingRefusal(refusal.Refusal):
    """`refusal.on_form` for a service that books: a BookingConflict goes on the form too
    (`show_conflicts`), like a ValidationError."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if isinstance(exc, cc.BookingConflict) and self.form is not None:
            show_conflicts(self.form, exc)
            self.refused = True
            return True
        return super().__exit__(exc_type, exc, tb)


def booking_refusal(form: forms.BaseForm) -> BookingRefusal:
    """Run a booking service: its ValidationError or BookingConflict is shown on `form`."""
    return BookingRefusal(form=form)
