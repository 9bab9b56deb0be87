"""Forms of the schedule pages. Times on screens are the program's local wall-clock times."""

from __future__ import annotations

from datetime import datetime

from django import forms

from bridge.planner.weeks import parse_iso_week
from bridge.scheduling.models import Attendance, PayerRule

S = Attendance.Status
MARK_CHOICES = [(s.value, s.label) for s in S if s != S.EXPECTED]
ATTENDED = {s.value for s in Attendance.ATTENDED}


class AttendanceRowForm(forms.Form):
    """One roster row: status, and arrival/departure (defaulting to the session's times)."""

    status = forms.ChoiceField(choices=MARK_CHOICES, widget=forms.RadioSelect)
    arrived = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    departed = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def __init__(self, *args, session, name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.session, self.name = session, name
        self.fields["status"].label = f"Attendance for {name}"
        self.fields["arrived"].label = f"{name} arrived"
        self.fields["departed"].label = f"{name} left"

    def _at(self, value) -> datetime | None:
        if value is None:
            return None
        tz = self.session.program.tz
        day = self.session.starts_at.astimezone(tz).date()
        return datetime.combine(day, value, tzinfo=tz)

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status in ATTENDED:
            arrived, departed = self._at(data.get("arrived")), self._at(data.get("departed"))
            if arrived and departed and departed < arrived:
                self.add_error("departed", f"{self.name}: the time they left is before they arrived.")
            data["arrived_at"], data["departed_at"] = arrived, departed
        else:
            data["arrived_at"] = data["departed_at"] = None
        return data


class WeekField(forms.CharField):
    """An ISO week written like 2026-W48 (what <input type="week"> sends); cleans to its Monday."""

    widget = forms.TextInput(attrs={"type": "week", "pattern": r"\d{4}-W\d{2}", "placeholder": "2026-W48"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return parse_iso_week(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class WeekPickerForm(forms.Form):
    week = WeekField(label="Week", required=False)


class StepDownForm(forms.Form):
    first_week = WeekField(label="First week")
    weeks = forms.TypedChoiceField(
        label="For", choices=[(1, "1 week"), (2, "2 weeks")], coerce=int, initial=1, widget=forms.RadioSelect
    )
    floor_hours = forms.DecimalField(
        label="Hours a week allowed", min_value=0, max_value=40, decimal_places=2, max_digits=4
    )
    reason = forms.CharField(label="Reason", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_floor_hours(self):
        value = self.cleaned_data["floor_hours"]
        return round(value * 60)


class EpisodePayerForm(forms.Form):
    rule = forms.ModelChoiceField(
        label="Payer", queryset=PayerRule.objects.none(), required=False, empty_label="No payer day rule"
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = PayerRule.objects.filter(program=program, is_active=True)
