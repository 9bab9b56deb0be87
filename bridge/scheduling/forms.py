"""Forms of the schedule pages. Times on screens are the program's local wall-clock times."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from django import forms

from bridge.accounts.models import Role, User
from bridge.core.dates import DateField, Span
from bridge.core.weeks import parse_iso_week
from bridge.participants.models import Participant
from bridge.scheduling.models import (
    Attendance,
    PayerRule,
    Room,
    SeriesMembership,
    ServiceRule,
    Session,
    SessionKind,
    SessionType,
)
from bridge.scheduling.recurrence import local_span

S = Attendance.Status
M = SeriesMembership.Status
MARK_CHOICES = [(s.value, s.label) for s in S if s != S.EXPECTED]
ATTENDED = {s.value for s in Attendance.ATTENDED}


class AttendanceRowForm(forms.Form):
    """One roster row: status, and arrival/departure (defaulting to the session's times)."""

    seen = ""  # the row's version and values as the page shows them (views/attendance.py)
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
        assert data is not None  # a form's clean() returns cleaned_data
        status = data.get("status")
        if status in ATTENDED:
            arrived, departed = self._at(data.get("arrived")), self._at(data.get("departed"))
            if arrived and departed and departed < arrived:
                self.add_error("departed", f"{self.name}: the time they left is before they arrived.")
            if status == "late" and (arrived is None or arrived <= self.session.starts_at):
                self.add_error(
                    "arrived", f"{self.name}: “Late” needs the time they arrived, after the start."
                )
            if status == "left_early" and (departed is None or departed >= self.session.ends_at):
                self.add_error(
                    "departed", f"{self.name}: “Left early” needs the time they left, before the end."
                )
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
        cast(forms.ModelChoiceField, self.fields["rule"]).queryset = PayerRule.objects.filter(
            program=program, is_active=True
        )


class GenerateForm(forms.Form):
    date_from = DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data


class JoinForm(forms.Form):
    participant = forms.ModelChoiceField(label="Participant", queryset=Participant.objects.none())
    on = DateField(
        span=Span.PLANNED,
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Today if empty.",
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["participant"]).queryset = participants


class LeaveForm(forms.Form):
    status = forms.ChoiceField(
        label="Why",
        choices=[(s.value, s.label) for s in (M.ON_HOLD, M.TRANSFERRED, M.DISCHARGED, M.LEFT)],
    )
    reason = forms.CharField(label="Note", max_length=200, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label="Reason for cancelling", max_length=200)


class RescheduleForm(forms.Form):
    day = DateField(span=Span.PLANNED, label="New date", widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label="Starts", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label="Ends", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    reason = forms.CharField(label="Reason for moving it", max_length=180)

    def __init__(self, *args, tz, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if data.get("day") and data.get("start") and data.get("end"):
            data["starts_at"], data["ends_at"] = local_span(data["day"], data["start"], data["end"], self.tz)
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", "The session must end after it starts.")
        return data


class OneOffForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=SessionKind.choices)
    session_type = forms.ModelChoiceField(
        label="Session type", queryset=SessionType.objects.none(), required=False
    )
    title = forms.CharField(label="Title", max_length=160, required=False)
    staff = forms.ModelChoiceField(label="Led by", queryset=User.objects.none())
    participants = forms.ModelMultipleChoiceField(
        label="Participants",
        queryset=Participant.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    day = DateField(span=Span.PLANNED, label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label="Starts", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    minutes = forms.IntegerField(label="Length (minutes)", min_value=5, max_value=480, initial=50)
    modality = forms.ChoiceField(label="How", choices=Session.Modality.choices)
    room = forms.ModelChoiceField(
        label="Room", queryset=Room.objects.none(), required=False, empty_label="No room"
    )

    def __init__(self, *args, program, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        cast(forms.ModelChoiceField, self.fields["session_type"]).queryset = SessionType.objects.filter(
            program=program, is_active=True
        )
        cast(forms.ModelChoiceField, self.fields["staff"]).queryset = (
            User.objects.filter(is_active=True, roles__program=program)
            .exclude(roles__role=Role.AUDITOR)
            .distinct()
            .order_by("last_name", "first_name")
        )
        cast(forms.ModelChoiceField, self.fields["participants"]).queryset = participants
        cast(forms.ModelChoiceField, self.fields["room"]).queryset = Room.objects.filter(
            program=program, is_active=True
        )

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if data.get("day") and data.get("start") and data.get("minutes"):
            starts, _ = local_span(data["day"], data["start"], data["start"], self.program.tz)
            data["starts_at"], data["ends_at"] = starts, starts + timedelta(minutes=data["minutes"])
        if data.get("modality") == Session.Modality.IN_PERSON and not data.get("room"):
            self.add_error("room", "Choose a room for an in-person session (telehealth needs none).")
        return data


def confirm_field() -> forms.CharField:
    """The reason to book in spite of soft conflicts (work hours, working hours): recorded."""
    return forms.CharField(
        label="Reason to book it anyway",
        max_length=300,
        required=False,
        help_text="Only when Bridge warns about someone's work, family or working hours; it is recorded.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


for _form in (OneOffForm, RescheduleForm, JoinForm, GenerateForm):
    _form.base_fields["confirm_reason"] = confirm_field()


class ClosureForm(forms.Form):
    day = DateField(span=Span.PLANNED, label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(
        label="What it is", max_length=120, required=False, help_text="e.g. Staff training day"
    )
    closed = forms.TypedChoiceField(
        label="The program is",
        choices=[("1", "Closed"), ("0", "Open")],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )


class ServiceRuleForm(forms.ModelForm):
    """What counts for one session type and payer (payer empty: the program's default)."""

    class Meta:
        model = ServiceRule
        fields = [
            "session_type",
            "payer",
            "counts_toward_hours",
            "billable_service",
            "in_person",
            "video",
            "audio_only",
        ]

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["session_type"]).queryset = SessionType.objects.filter(
            program=program, is_active=True
        )
        payer = cast(forms.ModelChoiceField, self.fields["payer"])
        payer.queryset = PayerRule.objects.filter(program=program, is_active=True)
        payer.empty_label = "Program default (every payer without its own rule)"

    def validate_unique(self):
        pass  # the service updates the existing row for this session type and payer


class CallNoteForm(forms.Form):
    note = forms.CharField(label="Called: what happened", max_length=300)
