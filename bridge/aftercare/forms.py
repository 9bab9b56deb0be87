"""Aftercare forms. Lists (people to call, meetings) are one entry a line, fields split by "|";
an error names the line, so a phone keyboard needs no repeating widgets."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.utils import timezone

from bridge.aftercare.models import AftercarePlan, AlumniEnrollment, CheckIn, Discharge, Outreach
from bridge.aftercare.services import GOAL_OUTCOMES, PLAN_TEXT_LIMIT
from bridge.core.dates import DateField, DateTimeField, Span
from bridge.participants.models import LevelOfCare
from bridge.placement import editions

if TYPE_CHECKING:
    from bridge.scheduling.models import GroupSeries, Room

DATE = forms.DateInput(attrs={"type": "date"})


class DischargeForm(forms.Form):
    type = forms.ChoiceField(label="How the episode ended", choices=Discharge.Type.choices)
    discharged_on = DateField(span=Span.RECORD, label="Discharge date", widget=DATE)
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    destination = forms.CharField(label="Where they go next", max_length=200)
    next_level = forms.ChoiceField(
        label="Level of care they go to (for a transfer or step-down)",
        choices=[("", "—"), *LevelOfCare.choices],
        required=False,
    )


class SummaryForm(forms.Form):
    course = forms.CharField(
        label="Course of treatment", max_length=8000, widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    condition = forms.CharField(
        label="Condition at discharge",
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    aftercare = forms.CharField(
        label="Aftercare plan", max_length=8000, widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    recommendations = forms.CharField(
        max_length=8000, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, goals: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_names = []
        for i, goal in enumerate(goals):
            name = f"goal_{i}"
            self.fields[name] = forms.ChoiceField(
                label=f"Goal: {goal['statement']}",
                choices=[("", "Not marked yet"), *list(GOAL_OUTCOMES.items())],
                required=False,
                initial=goal.get("outcome", ""),
            )
            self.goal_names.append(name)

    def goal_outcomes(self) -> list[str]:
        return [self.cleaned_data[n] for n in self.goal_names]


def _lines(value: str, field: str, parts: int, required: int) -> list[list[str]]:
    rows = []
    for n, line in enumerate(value.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > parts or len(cells) < required or not all(cells[:required]):
            raise forms.ValidationError(
                f"Line {n} of {field}: give {required} to {parts} parts separated by “|”."
            )
        rows.append(cells + [""] * (parts - len(cells)))
    return rows


class PlanForm(forms.Form):
    triggers = forms.CharField(
        max_length=PLAN_TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    warning_signs = forms.CharField(
        max_length=PLAN_TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    coping = forms.CharField(
        label="Coping strategies",
        max_length=PLAN_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    contacts = forms.CharField(
        label="People to call",
        help_text="One a line: name | phone | relationship (e.g. “Maria | (510) 555-0134 | sponsor”)",
        max_length=PLAN_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    meetings = forms.CharField(
        help_text="One a line: fellowship (AA, NA, SMART, Refuge, Other) | name | day | time | place",
        max_length=PLAN_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    mat_prescriber = forms.CharField(label="Continuing MAT prescriber", max_length=200, required=False)
    mat_next_appointment = DateTimeField(
        span=Span.PLANNED,
        label="Next MAT appointment",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    housing = forms.CharField(
        label="Sober living or housing support",
        max_length=PLAN_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    crisis_lines = forms.CharField(
        help_text="One a line: name | phone. Left empty, 988, the SAMHSA helpline and 911 are listed.",
        max_length=PLAN_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean_contacts(self) -> list[dict]:
        rows = _lines(self.cleaned_data["contacts"], "people to call", 3, 2)
        return [{"name": n, "phone": p, "relationship": r} for n, p, r in rows]

    def clean_meetings(self) -> list[dict]:
        rows = _lines(self.cleaned_data["meetings"], "meetings", 5, 5)
        known = {v.lower(): v for v in AftercarePlan.Fellowship.values}
        out = []
        for fellowship, name, day, time, place in rows:
            if fellowship.lower() not in known:
                raise forms.ValidationError(
                    f"“{fellowship}”: the fellowship is one of AA, NA, SMART, Refuge, Other."
                )
            out.append(
                {
                    "fellowship": known[fellowship.lower()],
                    "name": name,
                    "day": day,
                    "time": time,
                    "place": place,
                }
            )
        return out

    def clean_crisis_lines(self) -> list[dict]:
        return [
            {"name": n, "phone": p}
            for n, p in _lines(self.cleaned_data["crisis_lines"], "crisis lines", 2, 2)
        ]

    @staticmethod
    def initial_for(plan: AftercarePlan) -> dict:
        return {
            "triggers": plan.triggers,
            "warning_signs": plan.warning_signs,
            "coping": plan.coping,
            "contacts": "\n".join(
                f"{c['name']} | {c['phone']} | {c.get('relationship', '')}" for c in plan.contacts
            ),
            "meetings": "\n".join(
                " | ".join(m.get(k, "") for k in ("fellowship", "name", "day", "time", "place"))
                for m in plan.meetings
            ),
            "mat_prescriber": plan.mat_prescriber,
            "mat_next_appointment": timezone.localtime(plan.mat_next_appointment).strftime("%Y-%m-%dT%H:%M")
            if plan.mat_next_appointment
            else None,
            "housing": plan.housing,
            "crisis_lines": "\n".join(f"{c['name']} | {c['phone']}" for c in plan.crisis_lines),
        }


class TaperForm(forms.Form):
    starts_on = DateField(span=Span.PLANNED, label="First taper week (a Monday)", widget=DATE)
    weekly_hours = forms.CharField(
        label="Weekly floors in hours", help_text="From the first week on, e.g. “6, 3”", max_length=60
    )
    series: forms.ModelChoiceField[GroupSeries] = forms.ModelChoiceField(
        label="Continuing group", queryset=None, required=False
    )
    level_of_care = forms.ChoiceField(label="Level of care from the first taper week", required=False)
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Needed when the level of care goes down.",
    )

    def __init__(self, *args, series_choices, episode=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["series"]).queryset = series_choices
        # The less intensive levels of the episode's edition, most intensive first.
        current = episode.level_of_care if episode is not None else ""
        edition = editions.edition(episode.edition if episode is not None else None)
        lower = [lv for lv in edition.levels if edition.above(current, lv.code)]
        cast(forms.ChoiceField, self.fields["level_of_care"]).choices = [
            (
                "",
                f"Stay at {edition.level_label(current)} while the hours taper" if current else "Stay as now",
            ),
            *[(lv.code, f"Step down to {lv.code} ({lv.name})") for lv in reversed(lower)],
        ]

    def clean_weekly_hours(self) -> list[float]:
        try:
            hours = [
                float(h) for h in self.cleaned_data["weekly_hours"].replace(";", ",").split(",") if h.strip()
            ]
        except ValueError as exc:
            raise forms.ValidationError("Give numbers of hours separated by commas, e.g. “6, 3”.") from exc
        return hours


class StepUpForm(forms.Form):
    """The six dimensions rated now (the placement re-run), then the level decided."""

    level_of_care = forms.ChoiceField(label="Move to level", choices=LevelOfCare.choices)
    effective_on = DateField(span=Span.CARE, widget=DATE)
    reason = forms.CharField(
        help_text="What shows trouble: check-ins, screens, measures",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        from bridge.placement.levels import DIMENSIONS

        super().__init__(*args, **kwargs)
        for d, name in DIMENSIONS.items():
            self.fields[f"d{d}"] = forms.IntegerField(
                label=f"{d}. {name} (0 to 4)",
                min_value=0,
                max_value=4,
                widget=forms.NumberInput(attrs={"size": 2}),
            )
        self.order_fields([f"d{d}" for d in DIMENSIONS])

    def ratings(self) -> dict[int, int]:
        return {d: self.cleaned_data[f"d{d}"] for d in range(1, 7)}


class AlumniForm(forms.Form):
    enrolled_on = DateField(span=Span.CARE, widget=DATE)
    contact_consent = forms.BooleanField(
        label="Agrees to be contacted for check-ins and outreach", required=False
    )
    channel = forms.ChoiceField(label="How to reach them", choices=AlumniEnrollment.Channel.choices)


class OptOutForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False)


YES_NO = [("", "—"), ("no", "No"), ("yes", "Yes")]
PHQ2 = [
    (0, "Not at all (0)"),
    (1, "Several days (1)"),
    (2, "More than half the days (2)"),
    (3, "Nearly every day (3)"),
]


class CheckInForm(forms.Form):
    any_use = forms.TypedChoiceField(
        label="Any alcohol or drug use since the last check-in?",
        choices=YES_NO[1:],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    cravings = forms.IntegerField(
        label="Cravings in the past week, 0 (none) to 10 (strongest)", min_value=0, max_value=10
    )
    meetings_attended = forms.IntegerField(
        label="Recovery meetings or groups attended in the past week", min_value=0, max_value=200
    )
    housing = forms.ChoiceField(choices=CheckIn.Housing.choices)
    work = forms.ChoiceField(label="Work", choices=CheckIn.Work.choices)
    phq2_interest = forms.TypedChoiceField(
        label="Past 2 weeks: little interest or pleasure in doing things", choices=PHQ2, coerce=int
    )
    phq2_mood = forms.TypedChoiceField(
        label="Past 2 weeks: feeling down, depressed or hopeless", choices=PHQ2, coerce=int
    )
    notes = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), required=False)


class OutreachForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outreach.Outcome.choices)
    note = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SettingsForm(forms.Form):
    checkin_days = forms.CharField(
        label="Check-in days after discharge",
        help_text="Comma-separated, e.g. “7, 30, 60, 90, 180, 365”. Applies to discharges from now on.",
        max_length=120,
    )
    grace_days = forms.IntegerField(
        label="Days after a check-in falls due before it counts as missed", min_value=0, max_value=30
    )

    def clean_checkin_days(self) -> list[int]:
        try:
            days = sorted({int(d) for d in self.cleaned_data["checkin_days"].split(",") if d.strip()})
        except ValueError as exc:
            raise forms.ValidationError("Give whole numbers of days separated by commas.") from exc
        if not days or days[0] < 1 or days[-1] > 730 or len(days) > 12:
            raise forms.ValidationError("Give 1 to 12 days between 1 and 730.")
        return days


class AlumniEventForm(forms.Form):
    title = forms.CharField(max_length=160, initial="Alumni night")
    # The service says a past day is not 'still to come'; the field keeps out what no calendar holds.
    day = DateField(widget=DATE)
    start = forms.TimeField(
        label="Starts at", widget=forms.TimeInput(attrs={"type": "time"}), initial="19:00"
    )
    minutes = forms.IntegerField(label="Length in minutes", min_value=15, max_value=480, initial=90)
    room: forms.ModelChoiceField[Room] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No room (off site or online)"
    )
    confirm_reason = forms.CharField(
        label="Reason to book it anyway",
        required=False,
        max_length=300,
        help_text="Only when it falls outside the leader's working hours.",
    )

    def __init__(self, *args, program=None, **kwargs):
        super().__init__(*args, **kwargs)
        from bridge.scheduling.models import Room

        cast(forms.ModelChoiceField, self.fields["room"]).queryset = (
            Room.objects.filter(program=program, is_active=True).order_by("name")
            if program is not None
            else Room.objects.none()
        )
