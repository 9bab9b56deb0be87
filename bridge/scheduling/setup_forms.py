"""Program set-up forms (director): tracks, rooms, curriculum, group series, payer rules."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils import timezone

from bridge.accounts.models import Role, User
from bridge.accounts.qualify import qualifications
from bridge.core.dates import CareDateField
from bridge.core.forms import text_limited
from bridge.programs.models import Track
from bridge.scheduling.models import GroupSeries, PayerRule, Room, SessionType

WEEKDAYS = [
    (i, name)
    for i, name in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))
]
FACILITATOR_ROLES = (Role.DIRECTOR, Role.THERAPIST, Role.INTAKE, Role.PRESCRIBER, Role.NURSE, Role.PEER)


class ProgramForm(forms.ModelForm):
    """A set-up form for a program's own row: the program is set by the view, never posted."""

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.instance.program = program

    def clean_name(self):
        # The form leaves `program` out, so Django would not check the per-program unique name.
        name = self.cleaned_data["name"].strip()
        model = self._meta.model
        if model.objects.filter(program=self.program, name=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                f"This program already has a {model._meta.verbose_name} called {name}."
            )
        return name


class TrackForm(ProgramForm):
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple, label="Weekdays"
    )

    class Meta:
        model = Track
        fields = [
            "name",
            "weekdays",
            "start_time",
            "end_time",
            "modality",
            "target_hours_per_week",
            "age_group",
            "is_active",
        ]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {"is_active": "Active (untick to retire the track; nothing is deleted)"}

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The track must end after it starts.")
        return data


class RoomForm(ProgramForm):
    class Meta:
        model = Room
        fields = ["name", "capacity", "is_active"]
        labels = {"is_active": "Active (untick to take the room out of use)"}


class SessionTypeForm(ProgramForm):
    class Meta:
        model = SessionType
        fields = [
            "name",
            "category",
            "kind",
            "default_minutes",
            "required_credential",
            "description",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"description": text_limited(1000)}
        labels = {"default_minutes": "Default length (minutes)", "is_active": "Active (untick to retire it)"}


class GroupSeriesForm(ProgramForm):
    class Meta:
        model = GroupSeries
        fields = [
            "name",
            "track",
            "session_type",
            "facilitator",
            "room",
            "size_cap",
            "rolling_admission",
            "starts_on",
            "ends_on",
            "is_active",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }
        field_classes = {"starts_on": CareDateField, "ends_on": CareDateField}
        labels = {
            "size_cap": "Size cap",
            "rolling_admission": "Rolling (open) admission",
            "is_active": "Active",
        }
        help_texts = {"size_cap": "Group psychotherapy: at most 12; many payers want 8-10."}

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, program=program, **kwargs)
        cast(forms.ModelChoiceField, self.fields["track"]).queryset = Track.objects.filter(
            program=program, is_active=True
        )
        cast(forms.ModelChoiceField, self.fields["session_type"]).queryset = SessionType.objects.filter(
            program=program, is_active=True
        )
        room = cast(forms.ModelChoiceField, self.fields["room"])
        room.queryset = Room.objects.filter(program=program, is_active=True)
        room.empty_label = "No room (telehealth)"
        cast(forms.ModelChoiceField, self.fields["facilitator"]).queryset = (
            User.objects.filter(is_active=True, roles__program=program, roles__role__in=FACILITATOR_ROLES)
            .distinct()
            .order_by("last_name", "first_name")
        )
        if self.instance._state.adding:
            self.initial.setdefault("starts_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        kind, staff = data.get("session_type"), data.get("facilitator")
        if kind and staff:
            today = timezone.localdate()
            codes = [c.kind for c in staff.credentials.all() if c.expires_on is None or c.expires_on >= today]
            if kind.required_credential not in qualifications(codes):
                self.add_error(
                    "facilitator",
                    f"{staff.get_full_name() or staff.username} does not hold a current credential for "
                    f"{kind.name} ({kind.get_required_credential_display()}).",
                )
        room, cap = data.get("room"), data.get("size_cap")
        if room and cap and cap > room.capacity:
            self.add_error("size_cap", f"{room.name} seats {room.capacity}; the cap cannot be larger.")
        return data


class PayerRuleForm(ProgramForm):
    min_hours_per_day = forms.DecimalField(
        label="Minimum hours a day", min_value=0.25, max_value=24, decimal_places=2
    )

    class Meta:
        model = PayerRule
        fields = ["name", "kind", "code", "min_hours_per_day", "min_days", "is_active"]
        labels = {
            "min_days": "On at least this many days a week",
            "code": "Billing code (e.g. H0015)",
            "kind": "Kind of payer (Medicare counts in-person services only)",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False  # "Other" unless said
        if not self.instance._state.adding:
            self.initial["min_hours_per_day"] = self.instance.min_minutes_per_day / 60

    def clean_kind(self):
        return self.cleaned_data.get("kind") or PayerRule.Kind.OTHER

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if data.get("min_hours_per_day") is not None:
            self.instance.min_minutes_per_day = round(data["min_hours_per_day"] * 60)
        return data
