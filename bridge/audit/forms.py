from django import forms

from bridge.audit.actions import Action, Outcome
from bridge.core.dates import DateField


class AuditFilterForm(forms.Form):
    participant = forms.UUIDField(label="Participant id", required=False)
    actor = forms.CharField(label="Staff username", required=False, max_length=150)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action")] + [(a, a) for a in Action]
    )
    outcome = forms.ChoiceField(
        label="Outcome", required=False, choices=[("", "Any outcome")] + [(o, o) for o in Outcome]
    )
    date_from = DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data
