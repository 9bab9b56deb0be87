"""The aftercare check-in's questions in plain words, translated: answered in the app
(bridge/portal/checkin_views.py) and through the check-in's private link
(bridge/aftercare/public_views.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from bridge.aftercare.models import CheckIn

YES_NO = [("no", gettext_lazy("No")), ("yes", gettext_lazy("Yes"))]
# The PHQ-2 answers; in Spanish the published labels (bridge/instruments/spanish.py) through the .po.
PHQ2 = [
    (0, gettext_lazy("Not at all")),
    (1, gettext_lazy("Several days")),
    (2, gettext_lazy("More than half the days")),
    (3, gettext_lazy("Nearly every day")),
]
HOUSING = [
    (CheckIn.Housing.STABLE, gettext_lazy("Stable housing")),
    (CheckIn.Housing.SOBER_LIVING, gettext_lazy("Sober living")),
    (CheckIn.Housing.UNSTABLE, gettext_lazy("Unstable or at risk")),
    (CheckIn.Housing.HOMELESS, gettext_lazy("Without housing")),
]
WORK = [
    (CheckIn.Work.WORKING, gettext_lazy("Working")),
    (CheckIn.Work.SCHOOL, gettext_lazy("In school or training")),
    (CheckIn.Work.LOOKING, gettext_lazy("Looking for work")),
    (CheckIn.Work.NOT_WORKING, gettext_lazy("Not working")),
]


class AppCheckInForm(forms.Form):
    """The aftercare check-in's questions (bridge/aftercare/forms.py CheckInForm), for the participant."""

    any_use = forms.TypedChoiceField(
        label=gettext_lazy("Any alcohol or drug use since your last check-in?"),
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    cravings = forms.IntegerField(
        label=gettext_lazy("Cravings in the past week, from 0 (none) to 10 (the strongest)"),
        min_value=0,
        max_value=10,
    )
    meetings_attended = forms.IntegerField(
        label=gettext_lazy("Recovery meetings or groups you went to in the past week"),
        min_value=0,
        max_value=200,
    )
    housing = forms.ChoiceField(
        label=gettext_lazy("Where you live now"), choices=HOUSING, widget=forms.RadioSelect
    )
    work = forms.ChoiceField(label=gettext_lazy("Work"), choices=WORK, widget=forms.RadioSelect)
    phq2_interest = forms.TypedChoiceField(
        label=gettext_lazy("Past 2 weeks: little interest or pleasure in doing things"),
        choices=PHQ2,
        coerce=int,
        widget=forms.RadioSelect,
    )
    phq2_mood = forms.TypedChoiceField(
        label=gettext_lazy("Past 2 weeks: feeling down, depressed or hopeless"),
        choices=PHQ2,
        coerce=int,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=gettext_lazy("Anything else you want your peer support specialist to know (optional)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
