"""The one way a view runs a service and shows its refusal.

A service refuses by raising `ValidationError` (its message_dict names the fields at fault). A view
never catches it by hand (`bridge/core/tests/test_error_path.py` scans for that); it wraps the service
call, and what follows the call's success, in one of these context managers:

    if form.is_valid():
        with refusal.on_form(form):
            item = services.thing_create(actor=request.user, **form.cleaned_data)
            messages.success(request, "Saved.")
            return redirect(item)
    return render(request, "app/form.html", {"form": form}, status=400 if form.is_bound else 200)

    with refusal.as_message(request):
        services.thing_close(actor=request.user, thing=thing)
        messages.success(request, "Closed.")
    return redirect(thing)

On a refusal the rest of the block is skipped, the errors are put on the form (`on_form`: each on its
field when the form has it, else at the top) or in one error message (`as_message`), and the view
carries on after the block: a form view re-renders the bound form with status 400, a button view
redirects. `as outcome` gives the `Refusal` for the few views that branch on it (`outcome.refused`,
`outcome.messages`). Other exceptions pass through untouched.

A console command has its own: `as_command_error()` turns the refusal into a `CommandError` naming
each field and its messages (`redirect_uris: Enter an https:// address.; name: …`), which Django
prints and exits with status 1.

Two siblings keep the same shape: `bridge.scheduling.conflicts.form_errors.booking_refusal(form)` also
puts a BookingConflict on the form, and the JSON API's `bridge.api.errors.refused_as_400()` answers 400
naming the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import CommandError
from django.http import HttpRequest

from bridge.core.forms import apply_errors


class Refusal:
    """A context manager that turns a service's ValidationError into form errors or a message."""

    def __init__(
        self,
        *,
        form: forms.BaseForm | None = None,
        request: HttpRequest | None = None,
        aliases: dict[str, str] | None = None,
        field: str | None = None,
        at_top: bool = False,
        unplaced: list[str] | None = None,
        prefix: str = "",
    ) -> None:
        self.form = form
        self.request = request
        self.aliases = aliases
        self.field = field
        self.at_top = at_top
        self.unplaced = unplaced
        self.prefix = prefix
        self.error: ValidationError | None = None
        # True when the service refused (the block was cut short); subclasses that catch more than
        # ValidationError (scheduling's booking conflicts) set it too.
        self.refused = False

    @property
    def messages(self) -> list[str]:
        """The refusal's messages (empty when it was not refused)."""
        return list(self.error.messages) if self.error is not None else []

    def __enter__(self) -> Refusal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if not isinstance(exc, ValidationError):
            return False
        self.error = exc
        self.refused = True
        if self.form is not None:
            if self.unplaced is not None:
                self._place_or_keep(self.form, exc, self.unplaced)
            elif self.at_top:
                self.form.add_error(None, exc.messages)
            elif self.field is not None and not hasattr(exc, "error_dict"):
                self.form.add_error(self.field, exc.messages)
            else:
                apply_errors(self.form, exc, self.aliases)
        if self.request is not None:
            messages.error(self.request, self.prefix + " ".join(exc.messages))
        return True

    def _place_or_keep(self, form: forms.BaseForm, exc: ValidationError, unplaced: list[str]) -> None:
        if not hasattr(exc, "error_dict"):
            unplaced.extend(exc.messages)
            return
        for field, errors in exc.message_dict.items():
            name = (self.aliases or {}).get(field, field)
            if name in form.fields:
                form.add_error(name, errors)
            else:
                unplaced.extend(errors)


def on_form(
    form: forms.BaseForm,
    *,
    aliases: dict[str, str] | None = None,
    field: str | None = None,
    at_top: bool = False,
    unplaced: list[str] | None = None,
) -> Refusal:
    """Put a refusal on `form`: each message on its field (after `aliases`, service field -> form
    field) when the form has it, else at the top; a refusal that names no field goes on `field` when
    given, else at the top; `at_top` puts every message at the top (a form that is one row of many);
    `unplaced` collects the messages of no field of the form into that list instead (for a page that
    shows them above everything, even when the form itself is no longer shown). The view then
    re-renders the form with status 400."""
    return Refusal(form=form, aliases=aliases, field=field, at_top=at_top, unplaced=unplaced)


def as_message(request: HttpRequest, *, prefix: str = "") -> Refusal:
    """Show a refusal as one error message (`prefix` then its messages joined); the view then
    redirects."""
    return Refusal(request=request, prefix=prefix)


def silently() -> Refusal:
    """Swallow a refusal and show nothing: for views that report it another way (they read
    `outcome.refused` / `outcome.messages`), e.g. in a JSON body or an inline partial."""
    return Refusal()


def refusal_text(error: ValidationError) -> str:
    """One line for a refusal: `field: its messages` for each field, "; " between them; messages that
    name no field come without a name."""
    if not hasattr(error, "error_dict"):
        return "; ".join(error.messages)
    return "; ".join(
        " ".join(errors) if field == NON_FIELD_ERRORS else f"{field}: {' '.join(errors)}"
        for field, errors in error.message_dict.items()
    )


@contextmanager
def as_command_error() -> Iterator[None]:
    """For a management command: a refusal in the block becomes a `CommandError` (see
    `refusal_text`), so the console shows it and exits with status 1. Other exceptions pass
    through untouched."""
    try:
        yield
    except ValidationError as exc:
        raise CommandError(refusal_text(exc)) from exc
