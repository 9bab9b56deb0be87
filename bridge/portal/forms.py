"""Forms of the participant's app. Labels and errors are translated (gettext_lazy)."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class SignInForm(forms.Form):
    contact = forms.CharField(
        label=_("Your mobile phone number or email"),
        max_length=254,
        help_text=_("The one your program has for you. We send a sign-in code there."),
        error_messages={"required": _("Type your phone number or email.")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email"}),
    )

    def clean_contact(self) -> str:
        value = self.cleaned_data["contact"].strip()
        if "@" not in value and len(re.sub(r"\D", "", value)) < 10:
            raise forms.ValidationError(_("Type a 10-digit phone number or an email address."))
        return value


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Sign-in code"),
        max_length=12,
        error_messages={"required": _("Type the code we sent you.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class RescheduleForm(forms.Form):
    times_available = forms.CharField(
        label=_("Days and times you can make"),
        max_length=500,
        help_text=_("For example: Tuesday after 3 pm, or any morning next week."),
        error_messages={"required": _("Say which days and times you can make.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label=_("Anything the front desk should know (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExcusedForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you cannot come"),
        max_length=500,
        error_messages={"required": _("Say in a few words why you cannot come.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class RevokeForm(forms.Form):
    """A written revocation: the participant's typed name signs it."""

    typed_name = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        error_messages={"required": _("Type your full name to sign.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    reason = forms.CharField(
        label=_("Anything you want to say (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CopyRequestForm(forms.Form):
    request_text = forms.CharField(
        label=_("What would you like a copy of?"),
        max_length=1000,
        help_text=_("For example: everything since I started, or my attendance and my treatment plan."),
        error_messages={"required": _("Say in a few words what you would like.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReplyForm(forms.Form):
    coming = forms.ChoiceField(choices=[("yes", _("I'm coming")), ("no", _("I can't come"))])


# --- i19a: the director's settings of the participants' app (staff-facing, English) ------------------

WEEKDAY_CHOICES = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


NOTE_KIND_CHOICES = [
    ("individual", "Individual session notes"),
    ("family", "Family session notes"),
    ("case_management", "Case-management notes"),
    ("group", "Group notes (their own part)"),
]


class AppSettingsForm(forms.Form):
    office_days = forms.TypedMultipleChoiceField(
        label="Office days",
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="When the care team reads messages. Outside these hours the app answers with 988 and 911.",
    )
    opens_at = forms.TimeField(label="Office opens at", widget=forms.TimeInput(attrs={"type": "time"}))
    closes_at = forms.TimeField(label="Office closes at", widget=forms.TimeInput(attrs={"type": "time"}))
    show_measures = forms.BooleanField(
        label="Participants see their questionnaire scores over time in their app",
        required=False,
    )
    released_note_kinds = forms.MultipleChoiceField(
        label="Show signed notes to participants",
        choices=NOTE_KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "None by default. Participants read only signed notes of the kinds ticked here, with their "
            "addenda; never drafts, and never SUD counseling notes. Of a group note they read the topic "
            "and their own part only, never the shared text or anything about other members."
        ),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens is not None and closes is not None and closes <= opens:
            self.add_error("closes_at", "The office must close after it opens (on the same day).")
        return data
