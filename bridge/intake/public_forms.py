"""The public self-check and call-back forms. Questions come from the instrument definitions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from bridge import instruments
from bridge.core.dates import DateField, Span
from bridge.placement.selfcheck import DailyLife, SelfCheckAnswers

YES_NO = [("yes", "Yes"), ("no", "No")]
SECTIONS = (
    (
        "AUDIT-C",
        "auditc",
        "About drinking (the past year)",
        "Drinks here are standard drinks: a can of beer, a glass of wine or a shot.",
    ),
    (
        "DAST-10",
        "dast",
        "About drugs (the past 12 months)",
        "Not counting alcohol or tobacco. Drugs include cannabis, pills not taken as prescribed, and "
        "street drugs.",
    ),
    ("PHQ-2", "phq2", "About your mood (the last 2 weeks)", "Think about the last 2 weeks."),
)
SITUATION = {
    "lives_with_someone_using": "Does anyone you live with drink heavily or use drugs?",
    "feels_safe_at_home": "Do you feel safe at home?",
    "past_severe_withdrawal": (
        "When you cut down or stopped before, did you ever have a seizure, or see or hear things that "
        "were not there?"
    ),
    "severe_withdrawal_now": "Right now, are you very unwell after cutting down or stopping: shaking badly, "
    "confused, or seeing or hearing things?",
    "thoughts_of_ending_life": "In the past month, have you had thoughts of ending your life?",
}


class SelfCheckForm(forms.Form):
    """AUDIT-C, DAST-10 and PHQ-2 (scored exactly as published), plus home, work and safety questions."""

    sex = forms.ChoiceField(
        label="The drinking questions are scored a little differently for women and men. Which fits you?",
        choices=[("female", "Female"), ("male", "Male"), ("unsaid", "I'd rather not say")],
        widget=forms.RadioSelect,
    )
    daily_life = forms.ChoiceField(
        label="Are you keeping up with work, school or looking after your home?",
        choices=[(DailyLife.YES, "Yes"), (DailyLife.MOSTLY, "Mostly"), (DailyLife.NO, "No, it is very hard")],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = []
        for code, prefix, title, help_text in SECTIONS:
            names = []
            for item in instruments.get(code).items:
                name = f"{prefix}_{item.number}"
                self.fields[name] = forms.TypedChoiceField(
                    label=item.ask or item.text,
                    choices=[(o.value, o.label) for o in item.options],
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={"required": "Please choose an answer."},
                )
                names.append(name)
            self.sections.append({"title": title, "help": help_text, "code": code, "names": names})
        for name, question in SITUATION.items():
            self.fields[name] = forms.ChoiceField(
                label=question,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": "Please choose an answer."},
            )
        for field in self.fields.values():
            field.error_messages["required"] = "Please choose an answer."

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
    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    date_of_birth = DateField(
        span=Span.BIRTH,
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        help_text="So the program can find your details when they call.",
    )
    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    best_time = forms.CharField(
        label="Best time to call (optional)",
        max_length=200,
        required=False,
        help_text="For example: weekdays after 5 pm.",
    )
    share_answers = forms.BooleanField(
        label="Share my answers with the program so they can prepare for the call", required=False
    )
    consent = forms.BooleanField(
        label="It is OK for the program to call me at this number",
        error_messages={"required": "We can only call you if you say it is OK."},
    )

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if dob > today or dob.year < 1900:
            raise forms.ValidationError("Please check the date of birth.")
        if (today - dob).days < 365 * 12:
            raise forms.ValidationError("This program works with people 12 and older.")
        return dob

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if sum(ch.isdigit() for ch in phone) < 7:
            raise forms.ValidationError("Please enter a phone number we can call.")
        return phone
