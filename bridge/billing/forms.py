"""Forms of the revenue cycle: coverage, authorizations, reviews, certifications, denials."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django import forms

from bridge.billing.models import (
    MAX_AUTHORIZED_UNITS,
    Authorization,
    Certification,
    Coverage,
    Denial,
    HouseholdIncome,
    PatientPayment,
    Plan,
    SlidingFeeScale,
    UtilizationReview,
)
from bridge.core.dates import (
    BirthDateField,
    CareDateField,
    DateField,
    PlannedDateField,
    RecordDateField,
    Span,
)
from bridge.core.forms import text_limited

DATE = forms.DateInput(attrs={"type": "date"})


class CoverageForm(forms.ModelForm):
    class Meta:
        model = Coverage
        fields = [
            "plan",
            "order",
            "member_id",
            "group_number",
            "relationship",
            "subscriber_first_name",
            "subscriber_last_name",
            "subscriber_date_of_birth",
            "effective_on",
            "ends_on",
        ]
        widgets = {"effective_on": DATE, "ends_on": DATE, "subscriber_date_of_birth": DATE}
        field_classes = {
            "subscriber_date_of_birth": BirthDateField,
            "effective_on": CareDateField,
            "ends_on": CareDateField,
        }

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["plan"]).queryset = Plan.objects.filter(
            payer__program_id=participant.program_id, is_active=True, payer__is_active=True
        ).select_related("payer")

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if data.get("relationship") and data["relationship"] != Coverage.Relationship.SELF:
            for name in ("subscriber_first_name", "subscriber_last_name"):
                if not data.get(name):
                    self.add_error(name, "Name the subscriber when it is not the participant.")
        return data

    def _post_clean(self):
        # The service validates the whole row (with the participant); skip the model's own check here.
        pass


class AuthorizationForm(forms.ModelForm):
    units_approved = forms.IntegerField(min_value=1, max_value=MAX_AUTHORIZED_UNITS)
    service_codes = forms.CharField(
        required=False,
        max_length=500,
        help_text="Codes it covers, separated by commas (empty: every IOP code)",
    )

    class Meta:
        model = Authorization
        fields = [
            "coverage",
            "level_of_care",
            "service_codes",
            "unit",
            "units_approved",
            "starts_on",
            "ends_on",
            "reference_number",
            "status",
            "next_review_on",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE, "next_review_on": DATE}
        field_classes = {
            "starts_on": CareDateField,
            "ends_on": CareDateField,
            "next_review_on": PlannedDateField,
        }

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["coverage"]).queryset = participant.coverages.filter(
            ends_on__isnull=True
        ).select_related("plan__payer")

    def clean_service_codes(self):
        raw = self.cleaned_data.get("service_codes") or ""
        codes = [c.strip().upper() for c in raw.replace(";", ",").split(",") if c.strip()]
        for code in codes:
            if not code.isalnum() or len(code) != 5:
                raise forms.ValidationError(f"{code} is not a 5-character HCPCS/CPT code.")
        return codes

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The authorization ends before it starts.")
        return data

    def _post_clean(self):
        pass


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(choices=UtilizationReview.Outcome.choices[1:])
    approved_units = forms.IntegerField(
        min_value=0, max_value=MAX_AUTHORIZED_UNITS, required=False, initial=0
    )
    note = forms.CharField(max_length=300, required=False)
    next_review_on = DateField(span=Span.PLANNED, required=False, widget=DATE)


class CertificationForm(forms.ModelForm):
    class Meta:
        model = Certification
        fields = [
            "kind",
            "needs_nine_hours",
            "findings",
            "diagnosis",
            "services_plan",
            "signed_on",
            "valid_from",
            "valid_through",
        ]
        widgets = {"signed_on": DATE, "valid_from": DATE, "valid_through": DATE}
        field_classes = {
            "findings": text_limited(8000),
            "signed_on": RecordDateField,
            "valid_from": CareDateField,
            "valid_through": CareDateField,
        }

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if not data.get("needs_nine_hours"):
            self.add_error(
                "needs_nine_hours", "Medicare IOP needs the certified need for at least 9 hours a week."
            )
        start, end = data.get("valid_from"), data.get("valid_through")
        if start and end:
            if end < start:
                self.add_error("valid_through", "It ends before it starts.")
            elif (end - start).days > 62:
                self.add_error("valid_through", "Recertify at least every other month (at most 62 days).")
        return data

    def _post_clean(self):
        pass


class DenialResolveForm(forms.Form):
    next_step = forms.ChoiceField(choices=Denial.NextStep.choices)
    resolution = forms.CharField(max_length=300)


class ClaimCorrectionForm(forms.Form):
    """Correct and resubmit a rejected or denied claim: which kind of claim follows it (only those the
    claim allows), under which coverage, a corrected diagnosis if any, and what was corrected."""

    action = forms.ChoiceField(label="Send", widget=forms.RadioSelect)
    coverage = forms.ModelChoiceField(queryset=Coverage.objects.none(), empty_label=None)
    diagnosis = forms.CharField(
        max_length=10, required=False, help_text="Corrected ICD-10-CM code (empty: keep the claim's)"
    )
    reason = forms.CharField(
        label="What was corrected", max_length=300, help_text="Kept with both claims and in the audit log"
    )

    def __init__(self, *args, claim, **kwargs):
        from bridge.billing.services.corrections import Correction, corrections_for, coverages_for

        super().__init__(*args, **kwargs)
        allowed = corrections_for(claim)
        field = cast(forms.ChoiceField, self.fields["action"])
        field.choices = [(a, Correction(a).label) for a in allowed]
        if allowed:
            field.initial = allowed[0]
        coverage = cast(forms.ModelChoiceField, self.fields["coverage"])
        coverage.queryset = coverages_for(claim)
        coverage.initial = claim.coverage_id


# Self-pay ---------------------------------------------------------------------------------------


class HouseholdIncomeForm(forms.Form):
    household_size = forms.IntegerField(min_value=1, max_value=30, help_text="People in the household")
    annual_income = forms.DecimalField(
        min_value=0, max_digits=10, decimal_places=2, help_text="Yearly household income before taxes, $"
    )
    attested_on = RecordDateField(widget=DATE)
    source = forms.ChoiceField(choices=HouseholdIncome.Source.choices)
    attested_by = forms.CharField(
        max_length=120, help_text="The participant's name, or who saw the documents"
    )


class PaymentForm(forms.Form):
    amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=9, decimal_places=2)
    method = forms.ChoiceField(choices=PatientPayment.Method.choices)
    received_on = RecordDateField(widget=DATE)
    reference = forms.CharField(max_length=40, required=False, help_text="Check or receipt number")
    confirm_fields = ("same_again",)  # shown only once the service has asked
    same_again = forms.BooleanField(
        required=False,
        label="Yes, record a second one",
        help_text="Asked only when one just like it is already recorded",
    )


class ReversalForm(forms.Form):
    reason = forms.CharField(max_length=200)


class EstimateForm(forms.Form):
    requested_on = RecordDateField(
        widget=DATE, help_text="When the services were scheduled or the participant asked for an estimate"
    )
    first_service_on = PlannedDateField(widget=DATE, help_text="Expected first day of services")
    weeks = forms.IntegerField(
        min_value=1, max_value=52, initial=8, help_text="Expected length of stay, in weeks"
    )

    def clean(self):
        data = super().clean()
        assert data is not None
        if (
            data.get("requested_on")
            and data.get("first_service_on")
            and data["first_service_on"] < data["requested_on"]
        ):
            self.add_error(
                "first_service_on", "The first service comes on or after the day it was scheduled."
            )
        return data


class TierForm(forms.Form):
    up_to_percent = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=1000,
        label="Up to % of poverty",
        help_text="Empty: the last tier",
    )
    kind = forms.ChoiceField(choices=SlidingFeeScale.Kind.choices)
    value = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        help_text="Nominal fee ($) or discount (%)",
    )


TierFormSet = forms.formset_factory(TierForm, extra=0, min_num=1, max_num=8, validate_min=True)


class ScaleForm(forms.Form):
    effective_on = PlannedDateField(widget=DATE, help_text="The scale applies to services from this day")
    note = forms.CharField(max_length=300, required=False)
