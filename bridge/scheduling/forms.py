"""Forms of the schedule pages. Times on screens are the program's local wall-clock times."""

from __future__ import annotations

from datetime import datetime

from django import forms

from bridge.scheduling.models import Attendance

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
