from __future__ import annotations

from typing import cast

from django import forms

from bridge.core.forms import choices_of
from bridge.core.weeks import parse_iso_week
from bridge.planner.models import (
    WEEKDAY_CHOICES,
    AppointmentRule,
    Modality,
    ParticipantRequirement,
    ParticipantTimeBlock,
)

APPOINTMENT_KINDS = ("individual", "family", "medication", "drug_screen")


class TimeInput(forms.TimeInput):
    input_type = "time"


class _SpanForm(forms.Form):
    weekdays = forms.TypedMultipleChoiceField(
        label="Days", choices=WEEKDAY_CHOICES, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    start_time = forms.TimeField(label="From", widget=TimeInput(format="%H:%M"))
    end_time = forms.TimeField(label="To", widget=TimeInput(format="%H:%M"))

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The end must be after the start (on the same day).")
        return data


class TimeBlockForm(_SpanForm):
    kind = forms.ChoiceField(label="What", choices=ParticipantTimeBlock.Kind.choices)
    field_order = ["kind", "weekdays", "start_time", "end_time"]


class ClinicianHoursForm(_SpanForm):
    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.programs = list(programs)
        if len(self.programs) > 1:
            self.fields["program"] = forms.ModelChoiceField(queryset=None, label="Program", empty_label=None)
            from bridge.programs.models import Program

            cast(forms.ModelChoiceField, self.fields["program"]).queryset = Program.objects.filter(
                pk__in=[p.pk for p in self.programs]
            )

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if len(self.programs) == 1:
            data["program"] = self.programs[0]
        return data


class ClinicianScheduleForm(forms.Form):
    weekly_capacity_hours = forms.DecimalField(
        label="Appointment capacity (hours a week)",
        min_value=0,
        max_value=60,
        decimal_places=2,
        help_text="How many hours of individual, family and medication appointments the scheduler may give.",
    )
    telehealth_url = forms.URLField(
        label="Telehealth room link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Shown to participants in their calendar for telehealth appointments.",
    )


class WeekForm(forms.Form):
    week = forms.CharField(label="Week", max_length=10, help_text="ISO week, like 2026-W49")

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.programs = list(programs)
        if len(self.programs) > 1:
            from bridge.programs.models import Program

            self.fields["program"] = forms.ModelChoiceField(
                queryset=Program.objects.filter(pk__in=[p.pk for p in self.programs]), empty_label=None
            )

    def clean_week(self):
        try:
            return parse_iso_week(self.cleaned_data["week"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if len(self.programs) == 1:
            data["program"] = self.programs[0]
        return data


class RequirementForm(forms.Form):
    status = forms.ChoiceField(label="Needed?", choices=ParticipantRequirement.Status.choices)
    every_weeks = forms.IntegerField(label="Every … weeks", min_value=1, max_value=12, required=False)
    minutes = forms.IntegerField(label="Minutes", min_value=10, max_value=240, required=False)
    modality = forms.ChoiceField(
        label="How", choices=[("", "As the program sets it"), *Modality.choices], required=False
    )


class RuleForm(forms.ModelForm):
    class Meta:
        model = AppointmentRule
        fields = [
            "name",
            "minutes",
            "every_weeks",
            "clinician_from",
            "required_credential",
            "modality",
            "seats",
            "applies_by_default",
            "is_active",
        ]


class RuleCreateForm(RuleForm):
    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        from bridge.programs.models import Program

        self.programs = list(programs)
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = [(k, label) for k, label in choices_of(kind) if k in APPOINTMENT_KINDS]
        if len(self.programs) > 1:
            self.fields["program"] = forms.ModelChoiceField(
                queryset=Program.objects.filter(pk__in=[p.pk for p in self.programs]), empty_label=None
            )

    class Meta(RuleForm.Meta):
        fields = ["kind", *RuleForm.Meta.fields]

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if len(self.programs) == 1:
            data["program"] = self.programs[0]
        return data
