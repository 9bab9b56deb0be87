from django import forms

from bridge.notify.models import ReminderChannel


class ReminderPreferenceForm(forms.Form):
    channel = forms.ChoiceField(label="Remind by", choices=ReminderChannel.choices)
    opted_out = forms.BooleanField(label="No reminders at all (the participant opted out)", required=False)
