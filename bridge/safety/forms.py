from __future__ import annotations

from django import forms

from bridge.notify.models import StaffAlertContact
from bridge.safety.models import SafetyPlan

TEXT = 4000


class DispositionForm(forms.Form):
    action_taken = forms.CharField(
        label="What was done (who was reached, what was decided)",
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what was done (who was reached, what was decided)."},
    )


class SafetyPlanForm(forms.ModelForm):
    class Meta:
        model = SafetyPlan
        fields = list(SafetyPlan.FIELDS)
        # Each part's limit (SafetyPlan's PLAN_TEXT_LIMIT) comes from the model, as the textarea's maxlength.
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in SafetyPlan.FIELDS}
        help_texts = {
            "warning_signs": "Thoughts, moods or situations that a crisis may be coming. One a line.",
            "coping": "Things to do without contacting anyone: walk, music, prayer, a shower. One a line.",
            "social_distractions": "People and places that take their mind off things (name, phone, place).",
            "people_to_ask": "People they can tell they are in crisis (name and phone).",
            "professionals": "Clinician, after-hours line, 988, nearest emergency department.",
            "safe_environment": "Who holds medicines, firearms kept elsewhere, naloxone at home.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("warning_signs", "professionals"):
            self.fields[name].required = True


class AlertContactForm(forms.Form):
    mobile_phone = forms.CharField(label="Mobile phone for urgent texts", max_length=30, required=False)
    channel = forms.ChoiceField(
        label="Tell me about urgent safety items by", choices=StaffAlertContact.Channel.choices
    )

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if data.get("channel") in ("sms", "both") and not (data.get("mobile_phone") or "").strip():
            self.add_error("mobile_phone", "Give a mobile number for text messages.")
        return data
