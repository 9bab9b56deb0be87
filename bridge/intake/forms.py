"""Staff forms for intake. Instrument forms are generated from the instrument definitions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone

from bridge import instruments
from bridge.accounts.models import Role, User
from bridge.core.dates import DateField, Span
from bridge.core.forms import choices_of, text_limited
from bridge.instruments.model import Instrument
from bridge.intake.models import (
    IntakeSettings,
    PlacementDecision,
    ScheduleChoice,
    Screening,
    Substance,
    WithdrawalManagement,
)
from bridge.participants.forms import ParticipantForm
from bridge.participants.models import LevelOfCare
from bridge.placement import DIMENSIONS, Recommendation

if TYPE_CHECKING:
    from bridge.scheduling.models import PayerRule

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]
UNKNOWN = "Not asked yet"


class CallerForm(ParticipantForm):
    """Who is calling: enough to call them back and find their record."""

    confirm_fields = ("another_person",)  # shown only once the service has asked
    another_person = forms.BooleanField(
        required=False,
        label="Yes, this caller is someone else",
        help_text="Asked only when someone with that name and date of birth is already on record",
    )

    class Meta(ParticipantForm.Meta):
        fields = ["first_name", "last_name", "preferred_name", "date_of_birth", "pronouns", "phone", "email"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if not data.get("phone") and not data.get("email"):
            self.add_error("phone", "Give a phone number or an email address to reach them.")
        return data


class DetailsForm(forms.ModelForm):
    """Referral source, substances, insurance, preferred schedule and work hours."""

    substances = forms.MultipleChoiceField(
        choices=Substance.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Substances used",
    )
    preferred_schedule = forms.MultipleChoiceField(
        choices=ScheduleChoice.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Preferred schedule",
    )
    work_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple, required=False, label="Work days"
    )

    class Meta:
        model = Screening
        fields = list(Screening.DETAIL_FIELDS)
        widgets = {
            "work_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "work_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"work_start": "Work starts", "work_end": "Work ends", "insurance_plan": "Insurance plan"}
        field_classes = {"notes": text_limited(4000)}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        start, end = data.get("work_start"), data.get("work_end")
        if bool(start) != bool(end):
            self.add_error("work_end" if start else "work_start", "Give both the start and the end of work.")
        elif start and end and end <= start:
            self.add_error("work_end", "Work ends after it starts (for night shifts, note it below).")
        primary = data.get("primary_substance")
        if primary and primary not in (data.get("substances") or []):
            data["substances"] = [*(data.get("substances") or []), primary]
        return data


class TriStateRadio(forms.RadioSelect):
    """Yes / No / Not asked yet for a nullable boolean (RadioSelect alone cannot show a stored True)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("unknown", UNKNOWN), ("true", "Yes"), ("false", "No")])

    def format_value(self, value):
        return [{True: "true", False: "false", "true": "true", "false": "false"}.get(value, "unknown")]


class SituationForm(forms.ModelForm):
    """The intake answers the placement rules read. "Not asked yet" is stored as unknown."""

    QUESTIONS = {
        "withdrawal_history_severe": "Past withdrawal seizures or delirium tremens (DTs)?",
        "medical_condition": "Medical conditions",
        "pregnant": "Pregnant?",
        "daily_functioning": "Daily functioning",
        "readiness": "Readiness to change",
        "recent_return_to_use_after_treatment": "Returned to use soon after earlier treatment?",
        "home_active_substance_use": "Lives with someone who is actively using?",
        "domestic_violence": "Domestic violence at home?",
        "stable_housing": "Stable housing?",
        "supportive_relationships": "Supportive family or friends?",
        "needs_24h_structure": "Needs 24-hour structure to stop using (your judgement)?",
    }

    class Meta:
        model = Screening
        fields = list(Screening.CONTEXT_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.label = self.QUESTIONS[name]
            field.required = False
            if isinstance(field, forms.NullBooleanField):
                field.widget = TriStateRadio()
            else:
                assert isinstance(field, forms.ChoiceField)  # the other context fields have choices
                choices = [c for c in choices_of(field) if c[0] != ""]
                field.widget = forms.RadioSelect(choices=[("", UNKNOWN), *choices])
                field.choices = [("", UNKNOWN), *choices]


class InstrumentForm(forms.Form):
    """One instrument's items as radio groups; `clean` scores with the program's cut-offs.

    Items skipped by the instrument's skip logic may be left blank (they score 0).
    """

    def __init__(self, *args, instrument: Instrument, scoring: instruments.ScoringSettings, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.scoring = scoring
        self.result: instruments.ScoreResult | None = None
        self.responses: Any = None
        if instrument.needs_sex:
            self.fields["sex"] = forms.ChoiceField(
                label="Sex (AUDIT-C uses a different cut-off for women and men)",
                choices=[("female", "Female"), ("male", "Male")],
                widget=forms.RadioSelect,
            )
        if instrument.criteria:
            spec = instrument.criteria
            self.fields[spec.class_field] = forms.ChoiceField(
                label="Substance class", choices=[(c, c.replace("_", " ").capitalize()) for c in spec.classes]
            )
            self.fields[spec.supervision_field] = forms.BooleanField(
                label="Taken only as prescribed, under appropriate medical supervision", required=False
            )
        for item in instrument.items:
            self.fields[item.key] = forms.TypedChoiceField(
                label=f"{item.number}. {item.text}",
                choices=[(o.value, _option_label(o)) for o in item.options],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )

    def item_fields(self):
        return [self[item.key] for item in self.instrument.items]

    def extra_fields(self):
        return [self[name] for name in self.fields if name not in {i.key for i in self.instrument.items}]

    def raw_values(self) -> list[Any]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return [data.get(item.key) for item in self.instrument.items]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        inst = self.instrument
        values = [data.get(item.key) for item in inst.items]
        skipped = inst.skip_rule(values) if inst.skip_rule else set()
        for item, value in zip(inst.items, values, strict=True):
            if value is None and item.key not in skipped:
                self.add_error(item.key, "Answer this item.")
        if self.errors:
            return data
        if inst.criteria:
            spec = inst.criteria
            responses: Any = {
                spec.class_field: data.get(spec.class_field),
                spec.supervision_field: bool(data.get(spec.supervision_field)),
                **{item.key: bool(data.get(item.key)) for item in inst.items},
            }
        else:
            responses = values
        try:
            self.result = inst.score(responses, sex=data.get("sex"), settings=self.scoring)
        except instruments.ResponseError as exc:
            self.add_error(self._field_for(exc.field), exc.message)
            return data
        self.responses = responses
        return data

    def _field_for(self, error_field: str) -> str | None:
        if error_field.startswith("responses[") and error_field.endswith("]"):
            return self.instrument.items[int(error_field[10:-1])].key
        if error_field.startswith("responses."):
            name = error_field.removeprefix("responses.")
            return name if name in self.fields else None
        return error_field if error_field in self.fields else None

    def running_total(self) -> tuple[int, int]:
        """(items answered, points so far) for the live preview while answers are incomplete."""
        answered = points = 0
        for item in self.instrument.items:
            raw = self.data.get(self.add_prefix(item.key), "")
            try:
                value = int(raw)
            except (TypeError, ValueError):
                continue
            if value in item.allowed_values:
                answered += 1
                points += item.points_for(value) if item.scored else 0
        return answered, points


def _option_label(option: instruments.Option) -> str:
    if option.label.startswith(str(option.value)):
        return option.label
    return f"{option.label} ({option.points})" if option.value == option.points else option.label


class DimensionsForm(forms.Form):
    """The clinician's six ratings, each 0-4, with notes."""

    def __init__(self, *args, recommendation: Recommendation, saved: dict[int, Any], **kwargs):
        super().__init__(*args, **kwargs)
        self.recommendation = recommendation
        for d in DIMENSIONS:
            row = saved.get(d)
            self.fields[f"rating_{d}"] = forms.TypedChoiceField(
                label=f"Rating for dimension {d}",
                choices=[(r, str(r)) for r in range(5)],
                coerce=int,
                initial=row.rating if row else recommendation.dimensions[d].suggested,
            )
            self.fields[f"notes_{d}"] = forms.CharField(
                label=f"Notes on dimension {d}",
                required=False,
                max_length=4000,
                initial=row.notes if row else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        for d, name in DIMENSIONS.items():
            yield {
                "dimension": d,
                "name": name,
                "result": self.recommendation.dimensions[d],
                "rating": self[f"rating_{d}"],
                "notes": self[f"notes_{d}"],
            }

    def ratings(self) -> dict[int, int]:
        return {d: self.cleaned_data[f"rating_{d}"] for d in DIMENSIONS}

    def notes(self) -> dict[int, str]:
        return {d: self.cleaned_data[f"notes_{d}"] for d in DIMENSIONS}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=PlacementDecision.Decision.choices, widget=forms.RadioSelect, label="Your decision"
    )
    level = forms.ChoiceField(
        choices=[("", "—"), *LevelOfCare.choices], required=False, label="Level of care"
    )
    withdrawal_management = forms.ChoiceField(
        choices=WithdrawalManagement.choices, required=False, label="Withdrawal management first"
    )
    reason = forms.CharField(
        label="Reason for overriding",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you override the recommendation.",
    )

    def __init__(self, *args, recommendation: Recommendation, **kwargs):
        super().__init__(*args, **kwargs)
        self.recommendation = recommendation
        self.fields["level"].initial = recommendation.level
        self.fields["withdrawal_management"].initial = recommendation.withdrawal_management or ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if data.get("decision") != PlacementDecision.Decision.OVERRIDE:
            return data
        rec = self.recommendation
        if not data.get("level"):
            self.add_error("level", "Choose the level of care you decided on.")
        elif (data["level"], data.get("withdrawal_management", "")) == (
            rec.level,
            rec.withdrawal_management or "",
        ):
            self.add_error(
                "level", "That is the recommendation; choose “accept” instead, or change the level."
            )
        if not data.get("reason", "").strip():
            self.add_error("reason", "Say why you are overriding the recommendation.")
        return data


class AdmitForm(forms.Form):
    primary_clinician = forms.ModelChoiceField(queryset=User.objects.none(), label="Primary clinician")
    admitted_on = DateField(
        span=Span.RECORD, label="Admission date", widget=forms.DateInput(attrs={"type": "date"})
    )
    consent_to_treatment_signed_on = DateField(
        span=Span.RECORD,
        label="Consent to treatment signed on",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, program_id, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["primary_clinician"]).queryset = (
            User.objects.filter(is_active=True, roles__program_id=program_id, roles__role=Role.THERAPIST)
            .distinct()
            .order_by("last_name", "first_name")
        )
        today = timezone.localdate()
        self.fields["admitted_on"].initial = today
        self.fields["consent_to_treatment_signed_on"].initial = today

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        admitted, consent = data.get("admitted_on"), data.get("consent_to_treatment_signed_on")
        today = timezone.localdate()
        if consent and consent > today:
            self.add_error("consent_to_treatment_signed_on", "The consent date cannot be in the future.")
        elif admitted and consent and consent > admitted:
            self.add_error("consent_to_treatment_signed_on", "Consent to treatment comes before admission.")
        if admitted and abs((admitted - today).days) > 60:
            self.add_error("admitted_on", "Admission is within 60 days of today.")
        return data


class ReferralForm(forms.Form):
    to_name = forms.CharField(label="Referred to (program or provider)", max_length=200)
    to_contact = forms.CharField(label="Their phone or address", max_length=200, required=False)
    level = forms.ChoiceField(choices=LevelOfCare.choices, label="Level of care")
    withdrawal_management = forms.ChoiceField(
        choices=WithdrawalManagement.choices, required=False, label="Withdrawal management"
    )
    referred_on = DateField(
        span=Span.RECORD, label="Referred on", widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label="Notes", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_referred_on(self):
        day = self.cleaned_data["referred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The referral date cannot be in the future.")
        return day


class MarkErrorForm(forms.Form):
    reason = forms.CharField(label="Why was this entered in error?", max_length=2000)


class IntakeSettingsForm(forms.ModelForm):
    class Meta:
        model = IntakeSettings
        fields = list(IntakeSettings.SCORING_FIELDS)
        widgets = {
            "ciwa_scheme": forms.RadioSelect,
            "pcl5_cutoff": forms.RadioSelect,
            "phq2_cutoff": forms.RadioSelect,
            "gad2_cutoff": forms.RadioSelect,
            "auditc_scheme": forms.RadioSelect,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if not self.errors:
            try:
                instruments.ScoringSettings(
                    **{k: data[k] for k in IntakeSettings.SCORING_FIELDS if k in data}
                )
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
        return data


class CriteriaEditionForm(forms.Form):
    """A director's choice of placement-criteria edition, from a date, for the program or one payer."""

    edition = forms.ChoiceField(
        label="Criteria edition",
        choices=[("3", "3rd edition (2013)"), ("4", "4th edition (2023)")],
        widget=forms.RadioSelect,
    )
    effective_on = DateField(
        span=Span.PLANNED,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    payer_rule: forms.ModelChoiceField[PayerRule] = forms.ModelChoiceField(
        label="For",
        queryset=None,
        required=False,
        empty_label="The whole program (every payer without its own setting)",
    )

    def __init__(self, *args, program=None, **kwargs):
        super().__init__(*args, **kwargs)
        from bridge.scheduling.models import PayerRule

        cast(forms.ModelChoiceField, self.fields["payer_rule"]).queryset = PayerRule.objects.filter(
            program=program
        ).order_by("name")

    def clean_effective_on(self):
        day = self.cleaned_data["effective_on"]
        if day < timezone.localdate():
            raise forms.ValidationError(
                "Choose today or a later day: decisions already made keep the edition they were made in."
            )
        return day


class HandoffForm(forms.Form):
    """Hand the person to a prescriber (what only a prescriber may do)."""

    prescriber = forms.ModelChoiceField(queryset=User.objects.none(), label="Prescriber")
    why = forms.ChoiceField(label="What for", choices=())
    note = forms.CharField(
        label="Note for the prescriber",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, prescribers=(), reasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["prescriber"]).queryset = User.objects.filter(
            pk__in=[u.pk for u in prescribers]
        ).order_by("last_name", "username")
        cast(forms.ChoiceField, self.fields["why"]).choices = list(reasons)


class WithdrawalCompleteForm(forms.Form):
    completed_on = DateField(
        span=Span.RECORD,
        label="Withdrawal management completed on",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    where = forms.CharField(label="Where (or how) it was done", max_length=200)
    note = forms.CharField(
        label="Note", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_completed_on(self):
        day = self.cleaned_data["completed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The completion date cannot be in the future.")
        return day
