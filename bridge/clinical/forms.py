"""Forms: they parse and validate input; the services decide and write."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django import forms
from django.utils import timezone

from bridge.accounts.models import User
from bridge.clinical import icd10, medication, uds
from bridge.clinical.models import (
    Administration,
    DrugScreen,
    DrugScreenResult,
    Goal,
    Intervention,
    MedicationOrder,
    NaloxoneOffer,
    Note,
    Problem,
    ReviewPolicy,
)
from bridge.core.dates import DateField, DateTimeField, Span

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _no_future(day):
    if day and day > timezone.localdate():
        raise forms.ValidationError("This date cannot be in the future.")
    return day


class StartPlanForm(forms.Form):
    review_policy = forms.ModelChoiceField(
        queryset=ReviewPolicy.objects.none(),
        required=False,
        label="Review cadence",
        empty_label="Program default (every 30 days)",
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["review_policy"]).queryset = ReviewPolicy.objects.filter(
            program=program
        )


class ProblemForm(forms.Form):
    code = forms.CharField(
        label="ICD-10-CM code",
        max_length=10,
        widget=forms.TextInput(attrs={"list": "icd10-codes", "autocomplete": "off"}),
    )
    description = forms.CharField(
        max_length=200, required=False, help_text="Filled in for codes on Bridge's list"
    )

    def clean_code(self):
        code = icd10.normalize(self.cleaned_data["code"])
        if not icd10.is_well_formed(code):
            raise forms.ValidationError("Enter an ICD-10-CM code such as F11.20 or F32.A.")
        return code


class GoalForm(forms.Form):
    problem: forms.ModelChoiceField[Problem] = forms.ModelChoiceField(queryset=None)
    statement = forms.CharField(
        label="Goal, in the participant's words", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["problem"]).queryset = version.problems.all()


class ObjectiveForm(forms.Form):
    goal: forms.ModelChoiceField[Goal] = forms.ModelChoiceField(queryset=None)
    text = forms.CharField(
        label="Measurable objective", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
    target_on = DateField(span=Span.PLANNED, label="Target date", widget=DATE)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["goal"]).queryset = version.goals.all()

    def clean_target_on(self):
        day = self.cleaned_data["target_on"]
        if day < timezone.localdate():
            raise forms.ValidationError("A target date is in the future.")
        return day


class InterventionForm(forms.Form):
    goal: forms.ModelChoiceField[Goal] = forms.ModelChoiceField(queryset=None)
    modality = forms.ChoiceField(label="Approach", choices=Intervention.Modality.choices)
    responsible: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, label="Responsible staff"
    )
    frequency = forms.CharField(max_length=60, widget=forms.TextInput(attrs={"list": "frequencies"}))
    description = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["goal"]).queryset = version.goals.all()
        cast(forms.ModelChoiceField, self.fields["responsible"]).queryset = (
            User.objects.filter(is_active=True, roles__program_id=version.plan.participant.program_id)
            .distinct()
            .order_by("last_name")
        )


class PlanSignForm(forms.Form):
    clinician_signature = forms.CharField(label="Your name (signature)", max_length=150)
    participant_signature = forms.CharField(
        label="Participant's name (their signature)",
        max_length=150,
        required=False,
        help_text="Typed by the participant; leave empty if they sign later.",
    )
    change_summary = forms.CharField(
        label="What changed and why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ParticipantSignForm(forms.Form):
    participant_signature = forms.CharField(label="Participant's name (their signature)", max_length=150)


class PlanReviewForm(forms.Form):
    summary = forms.CharField(
        label="Progress and why the plan continues unchanged",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    signature = forms.CharField(label="Your name (signature)", max_length=150)


class NoteStartForm(forms.Form):
    session = forms.ChoiceField(label="Session")
    kind = forms.ChoiceField(choices=[c for c in Note.Kind.choices if c[0] != Note.Kind.GROUP])
    template = forms.ChoiceField(choices=[c for c in Note.Template.choices if c[0] != Note.Template.GROUP])

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = {str(s.pk): s for s in sessions}
        cast(forms.ChoiceField, self.fields["session"]).choices = [
            (
                str(s.pk),
                f"{timezone.localtime(s.starts_at):%a %b %d %H:%M} — {s.get_kind_display()} with {s.staff}",
            )
            for s in sessions
        ]

    def clean_session(self):
        return self.sessions[self.cleaned_data["session"]]


class NoteForm(forms.Form):
    """The draft's text for its template, and the plan goals it addressed."""

    subjective = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    objective = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    # The form metaclass moves declared fields off the class, so this field never shadows `BaseForm.data`.
    data = forms.CharField(  # type: ignore[assignment]
        required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    assessment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    plan = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    goals = forms.ModelMultipleChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Plan goals addressed",
    )

    def __init__(self, *args, note: Note, goals, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("subjective", "objective", "data", "assessment", "plan"):
            if name not in Note.TEMPLATE_FIELDS[note.template]:
                del self.fields[name]
        cast(forms.ModelChoiceField, self.fields["goals"]).queryset = goals


class AddendumForm(forms.Form):
    reason = forms.CharField(max_length=200, help_text="e.g. late entry, clarification, correction")
    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ErrorForm(forms.Form):
    reason = forms.CharField(label="Why is it wrong?", max_length=300)


class GroupSharedForm(forms.Form):
    # Not required here: a draft may be saved half-written; signing asks for both (group_note_problems).
    topic = forms.CharField(max_length=200, required=False)
    shared_text = forms.CharField(
        required=False,
        label="Shared content (what the whole group did)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
    )
    interventions = forms.MultipleChoiceField(
        choices=Intervention.Modality.choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class GroupEntryForm(forms.Form):
    participation = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text="How they took part",
    )
    response = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text="Their response to the content",
    )
    progress = forms.CharField(
        label="Progress on their goals",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    goals = forms.ModelMultipleChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Their plan goals addressed",
    )

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["goals"]).queryset = goals


class DrugScreenForm(forms.Form):
    collected_on = DateField(span=Span.RECORD, label="Collected on", widget=DATE, initial=timezone.localdate)
    specimen = forms.ChoiceField(choices=DrugScreen.Specimen.choices)
    panel = forms.ChoiceField(choices=uds.PANEL_CHOICES)
    observed = forms.BooleanField(required=False, label="Collection was observed")
    comment = forms.CharField(required=False, max_length=300)

    def __init__(self, *args, panel: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.panel_code = panel if panel in uds.PANELS else "12"
        for code in uds.PANELS[self.panel_code][1]:
            # No default result: every substance starts "not tested" and must be entered, so a
            # skipped row can never be saved as a negative nobody read.
            self.fields[f"result_{code}"] = forms.ChoiceField(
                label=uds.SUBSTANCES[code],
                choices=[("", "Not tested"), *DrugScreenResult.Result.choices],
                initial="",
                error_messages={"required": f"Enter the result for {uds.SUBSTANCES[code]}."},
            )
            self.fields[f"confirm_{code}"] = forms.ChoiceField(
                label=f"{uds.SUBSTANCES[code]}: confirmation",
                choices=DrugScreenResult.Confirmation.choices,
                required=False,
            )

    def clean_collected_on(self):
        return _no_future(self.cleaned_data["collected_on"])

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if data.get("panel") and data["panel"] != self.panel_code:
            raise forms.ValidationError("The panel changed; check the substances below and save again.")
        return data

    def substance_rows(self):
        return [
            (uds.SUBSTANCES[c], self[f"result_{c}"], self[f"confirm_{c}"])
            for c in uds.PANELS[self.panel_code][1]
        ]

    def results(self) -> dict[str, tuple[str, str]]:
        return {
            c: (self.cleaned_data[f"result_{c}"], self.cleaned_data.get(f"confirm_{c}", ""))
            for c in uds.PANELS[self.panel_code][1]
        }


class ConfirmForm(forms.Form):
    confirmation = forms.ChoiceField(choices=DrugScreenResult.Confirmation.choices)


UNUSUAL_HELP = "Needed only for a dose outside the usual range (the order says when)."
DOSE_MESSAGES = {
    "invalid": "Enter the dose as a number of milligrams, for example 16 or 0.5.",
    "min_value": "A dose is more than 0 mg.",
    "max_digits": "That is not a dose: check the number of milligrams.",
    "max_whole_digits": "That is not a dose: check the number of milligrams.",
    "max_decimal_places": "Give the dose to two decimal places at most, for example 0.25.",
}


def dose_field(**kwargs) -> forms.DecimalField:
    """Milligrams, refused in plain words when it cannot be a dose (the catalogue's limits come after)."""
    return forms.DecimalField(
        min_value=Decimal("0.01"), max_digits=7, decimal_places=2, error_messages=DOSE_MESSAGES, **kwargs
    )


OVERLAP_MAX = 300


def _overlap_reason(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(label=label, max_length=OVERLAP_MAX, required=False, help_text=help_text)


class OrderForm(forms.Form):
    drug = forms.ChoiceField(label="Medication", choices=medication.DRUG_CHOICES)
    dose = dose_field(help_text="Milligrams per dose")
    route = forms.ChoiceField(choices=medication.ROUTE_CHOICES)
    frequency = forms.ChoiceField(choices=MedicationOrder.Frequency.choices)
    reason = forms.CharField(label="Reason (indication)", max_length=200)
    unusual_dose_reason = forms.CharField(
        label="Reason for a dose outside the usual range",
        max_length=300,
        required=False,
        help_text=UNUSUAL_HELP,
    )
    agonist_overlap_reason = _overlap_reason(
        "Reason for buprenorphine alongside methadone",
        "Needed only when the participant receives methadone from an opioid treatment program.",
    )
    start_on = DateField(span=Span.CARE, widget=DATE, initial=timezone.localdate)
    pdmp_checked_at = DateTimeField(
        span=Span.RECORD,
        label="Prescription-monitoring (PDMP) checked at",
        required=False,
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="Date and time you checked it. Required for controlled substances (buprenorphine); "
        "recorded as checked by you.",
    )


class DoseChangeForm(forms.Form):
    dose = dose_field(label="New dose")
    frequency = forms.ChoiceField(choices=MedicationOrder.Frequency.choices)
    effective_on = DateField(span=Span.CARE, widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label="Why the dose changes", max_length=200)
    unusual_dose_reason = forms.CharField(
        label="Reason for a dose outside the usual range",
        max_length=300,
        required=False,
        help_text=UNUSUAL_HELP,
    )


class StopForm(forms.Form):
    stop_on = DateField(span=Span.CARE, label="Stop date", widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label="Why it stops", max_length=200)


class AdministrationForm(forms.Form):
    given_at = DateTimeField(
        span=Span.RECORD,
        label="Given at",
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    dose = dose_field(help_text="Milligrams")
    lot_number = forms.CharField(label="Lot number", max_length=40)
    site = forms.ChoiceField(label="Injection site", choices=Administration.Site.choices)
    comment = forms.CharField(required=False, max_length=300)
    warning_reason = forms.CharField(
        label="Reason to go ahead despite a warning",
        required=False,
        max_length=300,
        help_text="Needed only when the dose is early or the site is not one the drug is given in.",
    )


class NaloxoneOfferForm(forms.Form):
    offered_on = DateField(span=Span.RECORD, label="Offered on", widget=DATE, initial=timezone.localdate)
    outcome = forms.ChoiceField(label="Answer", choices=NaloxoneOffer.Outcome.choices)
    note = forms.CharField(required=False, max_length=300)


class PdmpSettingForm(forms.Form):
    state = forms.CharField(max_length=2, min_length=2, help_text="Two-letter state code, e.g. CA")
    system_name = forms.CharField(label="PDMP", max_length=60, initial="CURES")
    window_hours = forms.IntegerField(
        label="Check within (hours) before the first controlled-substance prescription",
        min_value=1,
        max_value=24 * 30,
        initial=medication.PDMP_WINDOW_HOURS,
    )
    recheck_days = forms.IntegerField(
        label="Check again at least every (days) while it continues",
        min_value=1,
        max_value=366,
        initial=medication.PDMP_RECHECK_DAYS,
    )


class OtpForm(forms.Form):
    otp_name = forms.CharField(label="Opioid treatment program", max_length=200)
    contact_name = forms.CharField(max_length=150)
    contact_phone = forms.CharField(max_length=30)
    reported_dose = forms.CharField(
        required=False, max_length=60, help_text="As the OTP reports it, e.g. 80 mg daily"
    )
    started_on = DateField(span=Span.CARE, widget=DATE)
    agonist_overlap_reason = _overlap_reason(
        "Reason for methadone alongside buprenorphine",
        "Needed only when the participant has an active buprenorphine order.",
    )

    def clean_started_on(self):
        return _no_future(self.cleaned_data["started_on"])


class OtpNoteForm(forms.Form):
    text = forms.CharField(
        label="Coordination note", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class OtpEndForm(forms.Form):
    ended_on = DateField(span=Span.CARE, widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(max_length=200)


class ReviewPolicyForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="e.g. Medicare, or a payer's name")
    every = forms.IntegerField(min_value=1, max_value=366)
    unit = forms.ChoiceField(choices=[("days", "days"), ("months", "calendar months")])
    is_default = forms.BooleanField(required=False, label="Use for new plans by default")

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if data.get("unit") == "months" and data.get("every", 0) > 12:
            self.add_error("every", "At most 12 months.")
        return data
