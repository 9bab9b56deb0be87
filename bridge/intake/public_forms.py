"""The public self-check and call-back forms. Questions come from the instrument definitions.

Participant-facing, so translated (i19n): our own questions and labels through gettext; the
instruments' items in the published Spanish version where there is one (PHQ-2), else in English
(AUDIT-C, DAST-10; the page says so)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from bridge import instruments
from bridge.core.dates import DateField, Span
from bridge.instruments.spanish import spanish_version
from bridge.placement.selfcheck import DailyLife, SelfCheckAnswers

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
SECTIONS = (
    (
        "AUDIT-C",
        "auditc",
        _("About drinking (the past year)"),
        _("Drinks here are standard drinks: a can of beer, a glass of wine or a shot."),
    ),
    (
        "DAST-10",
        "dast",
        _("About drugs (the past 12 months)"),
        _(
            "Not counting alcohol or tobacco. Drugs include cannabis, pills not taken as prescribed, and "
            "street drugs."
        ),
    ),
    ("PHQ-2", "phq2", _("About your mood (the last 2 weeks)"), _("Think about the last 2 weeks.")),
)
SITUATION = {
    "lives_with_someone_using": _("Does anyone you live with drink heavily or use drugs?"),
    "feels_safe_at_home": _("Do you feel safe at home?"),
    "past_severe_withdrawal": _(
        "When you cut down or stopped before, did you ever have a seizure, or see or hear things that "
        "were not there?"
    ),
    "severe_withdrawal_now": _(
        "Right now, are you very unwell after cutting down or stopping: shaking badly, "
        "confused, or seeing or hearing things?"
    ),
    "thoughts_of_ending_life": _("In the past month, have you had thoughts of ending your life?"),
}


class SelfCheckForm(forms.Form):
    """AUDIT-C, DAST-10 and PHQ-2 (scored exactly as published), plus home, work and safety questions."""

    sex = forms.ChoiceField(
        label=_("The drinking questions are scored a little differently for women and men. Which fits you?"),
        choices=[("female", _("Female")), ("male", _("Male")), ("unsaid", _("I'd rather not say"))],
        widget=forms.RadioSelect,
    )
    daily_life = forms.ChoiceField(
        label=_("Are you keeping up with work, school or looking after your home?"),
        choices=[
            (DailyLife.YES, _("Yes")),
            (DailyLife.MOSTLY, _("Mostly")),
            (DailyLife.NO, _("No, it is very hard")),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections: list[dict[str, Any]] = []
        spanish_wanted = translation.get_language() == "es"
        for code, prefix, title, help_text in SECTIONS:
            names = []
            spanish = spanish_version(code) if spanish_wanted else None
            for item in instruments.get(code).items:
                name = f"{prefix}_{item.number}"
                label, choices = item.ask or item.text, [(o.value, o.label) for o in item.options]
                if spanish is not None:
                    label = spanish.items[item.key]
                    choices = [(o.value, spanish.options[o.value]) for o in item.options]
                self.fields[name] = forms.TypedChoiceField(
                    label=label,
                    choices=choices,
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Please choose an answer.")},
                )
                names.append(name)
            self.sections.append(
                {
                    "title": title,
                    "help": help_text,
                    "code": code,
                    "names": names,
                    "language": "es" if spanish is not None else "en",
                    "english_only": spanish_wanted and spanish is None,
                }
            )
        for name, question in SITUATION.items():
            self.fields[name] = forms.ChoiceField(
                label=question,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": _("Please choose an answer.")},
            )
        for field in self.fields.values():
            field.error_messages["required"] = _("Please choose an answer.")

    def section_fields(self):
        for section in self.sections:
            yield {**section, "fields": [self[name] for name in section["names"]]}

    def situation_fields(self):
        return [self["daily_life"], *[self[name] for name in SITUATION]]

    def answers(self) -> SelfCheckAnswers:
        data: dict[str, Any] = self.cleaned_data

        def values(prefix: str, code: str) -> list[int]:
            return [data[f"{prefix}_{item.number}"] for item in instruments.get(code).items]

        return SelfCheckAnswers(
            auditc=values("auditc", "AUDIT-C"),
            dast=values("dast", "DAST-10"),
            phq2=values("phq2", "PHQ-2"),
            sex=None if data["sex"] == "unsaid" else data["sex"],
            lives_with_someone_using=data["lives_with_someone_using"] == "yes",
            feels_safe_at_home=data["feels_safe_at_home"] == "yes",
            daily_life=DailyLife(data["daily_life"]),
            past_severe_withdrawal=data["past_severe_withdrawal"] == "yes",
            severe_withdrawal_now=data["severe_withdrawal_now"] == "yes",
            thoughts_of_ending_life=data["thoughts_of_ending_life"] == "yes",
        )


class CallbackForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    date_of_birth = DateField(
        span=Span.BIRTH,
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        help_text=_("So the program can find your details when they call."),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    best_time = forms.CharField(
        label=_("Best time to call (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example: weekdays after 5 pm."),
    )
    share_answers = forms.BooleanField(
        label=_("Share my answers with the program so they can prepare for the call"), required=False
    )
    consent = forms.BooleanField(
        label=_("It is OK for the program to call me at this number"),
        error_messages={"required": _("We can only call you if you say it is OK.")},
    )

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if dob > today or dob.year < 1900:
            raise forms.ValidationError(_("Please check the date of birth."))
        if (today - dob).days < 365 * 12:
            raise forms.ValidationError(_("This program works with people 12 and older."))
        return dob

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if sum(ch.isdigit() for ch in phone) < 7:
            raise forms.ValidationError(_("Please enter a phone number we can call."))
        return phone
