from __future__ import annotations

from datetime import date
from typing import cast

from django import forms
from django.utils import timezone

from bridge.accounts.models import User
from bridge.core.dates import BirthDateField, PlannedDateField, RecordDateField
from bridge.participants.models import DECLINED, RACE_CHOICES, CareHold, CareTeamMember, Participant
from bridge.participants.services import EDITABLE_FIELDS, TEAM_ELIGIBLE_ROLES


class ParticipantForm(forms.ModelForm):
    race = forms.MultipleChoiceField(
        choices=RACE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Any that apply, as the participant says; leave empty if not asked yet.",
    )

    class Meta:
        model = Participant
        fields = list(EDITABLE_FIELDS)
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}
        field_classes = {"date_of_birth": BirthDateField}
        labels = {"emergency_contact_relationship": "Relationship"}

    def __init__(self, *args, fields: tuple[str, ...] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if fields is not None and name not in fields:
                del self.fields[name]

    def clean_race(self) -> list[str]:
        race = self.cleaned_data.get("race") or []
        if DECLINED in race and len(race) > 1:
            raise forms.ValidationError("Either the categories they chose, or that they declined; not both.")
        return race

    def _phone(self, name: str) -> str:
        phone = (self.cleaned_data.get(name) or "").strip()
        if phone and sum(ch.isdigit() for ch in phone) < 7:
            raise forms.ValidationError("Enter a phone number someone can call, like (916) 555-0142.")
        return phone

    def clean_phone(self) -> str:
        return self._phone("phone")

    def clean_emergency_contact_phone(self) -> str:
        return self._phone("emergency_contact_phone")

    def clean_date_of_birth(self) -> date:
        dob = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if dob > today:
            raise forms.ValidationError("Date of birth cannot be in the future.")
        if dob.year < 1900:
            raise forms.ValidationError("Check the year of birth.")
        if (today - dob).days < 365 * 12:
            raise forms.ValidationError("Participants are at least 12 years old.")
        return dob


class ParticipantFilterForm(forms.Form):
    q = forms.CharField(label="Search by name", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Participant.Status.choices]
    )
    clinician = forms.ChoiceField(label="Primary clinician", required=False)

    def __init__(self, *args, clinicians=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["clinician"]).choices = [
            ("", "Anyone"),
            *[(str(u.pk), str(u)) for u in clinicians],
        ]


class CareTeamAddForm(forms.Form):
    staff = forms.ModelChoiceField(queryset=User.objects.none(), label="Staff member")
    # No role is preselected: a primary clinician replaces the current one, so the front desk chooses
    # it on purpose rather than by leaving the first option as it was.
    team_role = forms.ChoiceField(
        choices=[("", "Choose a role"), *CareTeamMember.TeamRole.choices],
        label="Role on the team",
        error_messages={"required": "Choose the role on the team."},
    )

    def __init__(self, *args, participant: Participant, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["staff"]).queryset = (
            User.objects.filter(
                is_active=True, roles__program_id=participant.program_id, roles__role__in=TEAM_ELIGIBLE_ROLES
            )
            .distinct()
            .order_by("last_name", "first_name")
        )


class HoldForm(forms.Form):
    """Pause care: why they are away, since when, and when they are expected back."""

    kind = forms.ChoiceField(label="Why they are away", choices=CareHold.Kind.choices)
    reason = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="A sentence the team can act on, e.g. “Admitted to Highland Hospital for pneumonia”.",
    )
    starts_on = RecordDateField(label="First day away", widget=forms.DateInput(attrs={"type": "date"}))
    expected_return_on = PlannedDateField(
        label="Expected back on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Your best estimate; record the return whenever it happens.",
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        start, back = data.get("starts_on"), data.get("expected_return_on")
        if start and back and back < start:
            self.add_error("expected_return_on", "The expected return is on or after the first day away.")
        return data


class ResumeForm(forms.Form):
    """Back in care after a hold."""

    resumed_on = RecordDateField(label="Back in care on", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text="Anything the team should know on their return (optional).",
    )
