"""Forms for measurement-based care. The measure itself is intake's InstrumentForm, generated from
the instrument definition that also scores it."""

from __future__ import annotations

from django import forms

from bridge.intake.forms import InstrumentForm
from bridge.measures.schedule import EVERY_CHOICES, SCHEDULABLE

__all__ = ["AcknowledgeForm", "ErrorForm", "InstrumentForm", "LinkForm", "ScheduleForm"]


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="What was done (for example: safety plan reviewed, C-SSRS given)",
        max_length=2000,
        error_messages={"required": "Say what was done (who was reached, what was decided)."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ErrorForm(forms.Form):
    reason = forms.CharField(label="Why was this entered in error?", max_length=2000)


class LinkForm(forms.Form):
    instrument = forms.ChoiceField(choices=[(c, c) for c in SCHEDULABLE], label="Measure")


class ScheduleForm(forms.Form):
    """One interval per schedulable measure; `inherit` keeps the program's setting (participant form)."""

    INHERIT = "inherit"

    def __init__(self, *args, current: dict[str, int], fallback: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_participant = fallback is not None
        for code in SCHEDULABLE:
            choices: list[tuple[str, str]] = [(str(d), label) for d, label in EVERY_CHOICES]
            initial = str(current[code]) if code in current else None
            if fallback is not None:
                inherited = dict(EVERY_CHOICES).get(fallback.get(code, 0), "")
                choices.insert(0, (self.INHERIT, f"Program setting ({inherited.lower()})"))
                initial = initial or self.INHERIT
            self.fields[code] = forms.ChoiceField(label=code, choices=choices, initial=initial or "0")

    def changes(self, current: dict[str, int]) -> dict[str, int]:
        """The measures whose interval changed: code -> days (inherit is left alone once set)."""
        found = {}
        for code in SCHEDULABLE:
            value = self.cleaned_data[code]
            if value == self.INHERIT:
                continue
            days = int(value)
            # A program without a row for a measure does not give it (0); a participant without one
            # follows the program, so an explicit 0 there is a change.
            if current.get(code, None if self.for_participant else 0) != days:
                found[code] = days
        return found
