from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from bridge.accounts.models import User
from bridge.core.dates import DateField, Span
from bridge.core.forms import text_limited
from bridge.privacy import bases, rules
from bridge.privacy.models import Consent, EmergencyAccess, Recipient
from bridge.privacy.vocab import (
    CONSENT_PURPOSES,
    DATA_CLASS_DESCRIPTIONS,
    GENERAL_CLASSES,
    LEGAL_ONLY_CONSENTS,
    TPO_PURPOSES,
    Channel,
    ConsentType,
    DataClass,
    LegalBasis,
    Purpose,
    RecipientKind,
)

DATE = forms.DateInput(attrs={"type": "date"})

# Which form field shows each element's error.
ELEMENT_FIELDS = {
    "patient_name": "patient_name",
    "discloser": "discloser",
    "data_classes": "data_classes",
    "recipients": "recipients",
    "intermediary": "intermediary_name",
    "purposes": "purposes",
    "expiry": "expires_on",
    "signature_name": "signature_name",
    "representative_authority": "representative_authority",
    "signed_on": "signed_on",
    "cj_agency": "cj_agency",
    "cj_period": "cj_period",
    "proceeding": "proceeding",
    "consent_type": None,
}


class RecipientChoiceField(forms.ModelChoiceField):
    """A recipient shown with its kind ("County court (Court)")."""

    def label_from_instance(self, obj: Recipient) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class RecipientMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Recipient) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


def _class_choices(classes) -> list[tuple[str, str]]:
    return [(c, f"{DataClass(c).label} — {DATA_CLASS_DESCRIPTIONS[c]}") for c in classes]


class ConsentForm(forms.Form):
    """Every element of 42 CFR 2.31(a); refuses to validate with one missing and says which."""

    patient_name = forms.CharField(label="Participant's name, as printed", max_length=200, required=False)
    discloser = forms.CharField(label="Who may disclose", max_length=300, required=False)
    data_classes = forms.MultipleChoiceField(
        label="What information may be disclosed", required=False, widget=forms.CheckboxSelectMultiple
    )
    recipients = RecipientMultipleChoiceField(
        label="Who may receive it",
        queryset=Recipient.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_recipient_name = forms.CharField(label="Or add a recipient: name", max_length=200, required=False)
    new_recipient_kind = forms.ChoiceField(
        label="Kind of recipient", choices=[("", "—"), *RecipientKind.choices], required=False
    )
    new_recipient_address = forms.CharField(
        label="Recipient's address, fax or secure email",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    intermediary_name = forms.CharField(
        label="Intermediary (e.g. a health information exchange), if any", max_length=200, required=False
    )
    intermediary_members = forms.CharField(
        label="Members of the intermediary who may receive it",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    intermediary_treating_providers_only = forms.BooleanField(
        label="Only the participant's treating providers among its members", required=False
    )
    purposes = forms.MultipleChoiceField(
        label="Purpose of the disclosure", required=False, widget=forms.CheckboxSelectMultiple
    )
    cj_agency = forms.CharField(
        label="Criminal justice agency that referred the participant", max_length=200, required=False
    )
    cj_period = forms.CharField(
        label="Period the consent stays in effect",
        max_length=300,
        required=False,
        help_text="Reasonable for the expected length of treatment and the kind of case (42 CFR 2.35(b)).",
    )
    proceeding = forms.CharField(
        label="The legal proceeding the records are for (court and case)", max_length=300, required=False
    )
    expires_on = DateField(span=Span.EXPIRY, label="Expires on (date)", required=False, widget=DATE)
    expiry_event = forms.CharField(
        label="Or expires when (event or condition)",
        max_length=300,
        required=False,
        help_text="For example “when I finish the program” or “when probation ends”.",
    )
    signer = forms.ChoiceField(
        label="Signed by",
        choices=Consent.Signer.choices,
        initial=Consent.Signer.PARTICIPANT,
        widget=forms.RadioSelect,
    )
    signature_name = forms.CharField(
        label="Signature (typed full name of the signer)", max_length=200, required=False
    )
    representative_authority = forms.CharField(
        label="Representative's authority",
        max_length=200,
        required=False,
        help_text="For an adult who lacks capacity: for example “court-appointed guardian”, "
        "“health care power of attorney” (42 CFR 2.15).",
    )
    parent_signature_name = forms.CharField(
        label="Parent or guardian who signs too (typed full name)", max_length=200, required=False
    )
    parent_relationship = forms.CharField(
        label="Their relationship to the participant", max_length=100, required=False
    )
    signed_on = DateField(span=Span.RECORD, label="Date signed", required=False, widget=DATE)

    def __init__(self, *args, consent_type: str, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent_type = consent_type
        self.participant = participant
        f = self.fields
        data_classes = cast(forms.MultipleChoiceField, f["data_classes"])
        if consent_type == ConsentType.COUNSELING_NOTES:
            data_classes.choices = _class_choices([DataClass.COUNSELING_NOTES])
            data_classes.initial = [DataClass.COUNSELING_NOTES]
        else:
            data_classes.choices = _class_choices(GENERAL_CLASSES)
        if consent_type == ConsentType.TPO:
            purposes = [p for p in Purpose if p in TPO_PURPOSES]
            for name in ("recipients", "new_recipient_name", "new_recipient_kind", "new_recipient_address"):
                del f[name]
        elif consent_type == ConsentType.RESEARCH:
            purposes = [Purpose.RESEARCH]
            f["purposes"].initial = [Purpose.RESEARCH]
        elif consent_type in LEGAL_ONLY_CONSENTS:
            purposes = [Purpose.LEGAL]
            f["purposes"].initial = [Purpose.LEGAL]
        else:
            purposes = [Purpose(p) for p in CONSENT_PURPOSES if p != Purpose.RESEARCH]
        cast(forms.MultipleChoiceField, f["purposes"]).choices = [(p.value, p.label) for p in purposes]
        if consent_type != ConsentType.CRIMINAL_JUSTICE:
            del f["cj_agency"], f["cj_period"]
        if consent_type != ConsentType.PROCEEDINGS:
            del f["proceeding"]
        if "recipients" in f:
            recipients = cast(forms.ModelMultipleChoiceField, f["recipients"])
            choices = Recipient.objects.filter(program_id=participant.program_id, is_active=True)
            if consent_type == ConsentType.CRIMINAL_JUSTICE:
                choices = choices.filter(kind=RecipientKind.COURT)
            recipients.queryset = choices.order_by("name")
        program = participant.program
        f["patient_name"].initial = participant.legal_name
        f["discloser"].initial = f"{program.name} ({program.organization.name})"
        f["signed_on"].initial = timezone.localdate(timezone=program.tz)

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        new_name = (data.get("new_recipient_name") or "").strip()
        if new_name:
            if not data.get("new_recipient_kind"):
                self.add_error("new_recipient_kind", "Say what kind of recipient this is.")
            if not (data.get("new_recipient_address") or "").strip():
                self.add_error("new_recipient_address", "Give the address the records go to.")
        recipients = list(data.get("recipients") or [])
        draft = rules.ConsentDraft(
            consent_type=self.consent_type,
            patient_name=data.get("patient_name") or "",
            discloser=data.get("discloser") or "",
            data_classes=frozenset(data.get("data_classes") or []),
            tpo_class=self.consent_type == ConsentType.TPO,
            recipient_count=len(recipients) + (1 if new_name else 0),
            intermediary_name=data.get("intermediary_name") or "",
            intermediary_members=data.get("intermediary_members") or "",
            intermediary_treating_providers_only=bool(data.get("intermediary_treating_providers_only")),
            purposes=frozenset(data.get("purposes") or []),
            expires_on=data.get("expires_on"),
            expiry_event=data.get("expiry_event") or "",
            signer=data.get("signer") or Consent.Signer.PARTICIPANT,
            signature_name=data.get("signature_name") or "",
            representative_authority=data.get("representative_authority") or "",
            signed_on=data.get("signed_on"),
            cj_agency=data.get("cj_agency") or "",
            cj_period=data.get("cj_period") or "",
            proceeding=data.get("proceeding") or "",
        )
        problems = rules.missing_elements(
            draft, today=timezone.localdate(timezone=self.participant.program.tz)
        )
        for key, message in problems.items():
            field = ELEMENT_FIELDS.get(key)
            self.add_error(field if field in self.fields else None, message)
        if problems:
            missing = [rules.ELEMENTS[k] for k in problems if k in rules.ELEMENTS]
            self.add_error(
                None,
                "This consent cannot be saved yet. Check: " + "; ".join(missing) + "."
                if missing
                else "This consent cannot be saved yet.",
            )
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        new = None
        if (d.get("new_recipient_name") or "").strip():
            new = (d["new_recipient_name"], d["new_recipient_kind"], d["new_recipient_address"])
        return {
            "consent_type": self.consent_type,
            "patient_name": d["patient_name"],
            "discloser": d["discloser"],
            "data_classes": list(d["data_classes"]),
            "recipients": list(d.get("recipients") or []),
            "new_recipient": new,
            "purposes": list(d["purposes"]),
            "expires_on": d.get("expires_on"),
            "expiry_event": d.get("expiry_event") or "",
            "signer": d["signer"],
            "signature_name": d["signature_name"],
            "representative_authority": d.get("representative_authority") or "",
            "signed_on": d["signed_on"],
            "intermediary_name": d.get("intermediary_name") or "",
            "intermediary_members": d.get("intermediary_members") or "",
            "intermediary_treating_providers_only": bool(d.get("intermediary_treating_providers_only")),
            "cj_agency": d.get("cj_agency") or "",
            "cj_period": d.get("cj_period") or "",
            "proceeding": d.get("proceeding") or "",
            "parent_signature_name": d.get("parent_signature_name") or "",
            "parent_relationship": d.get("parent_relationship") or "",
        }


class RevokeForm(forms.Form):
    received_on = DateField(span=Span.RECORD, label="Written revocation received on", widget=DATE)
    received_how = forms.ChoiceField(label="Received as", choices=Consent.RevocationReceived.choices)
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class EndByEventForm(forms.Form):
    occurred_on = DateField(span=Span.RECORD, label="The expiry event happened on", widget=DATE)
    note = forms.CharField(label="What happened", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


def _basis_field(f: bases.Field) -> forms.Field:
    common: dict[str, Any] = {"label": f.label, "required": False, "help_text": f.help}
    if f.kind == "date":
        return forms.DateField(widget=DATE, **common)
    if f.kind == "datetime":
        return forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
    if f.kind == "bool":
        return forms.BooleanField(**common)
    if f.kind == "choice":
        return forms.ChoiceField(choices=[("", "—"), *f.choices], **common)
    if f.kind == "long":
        return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), **common)
    return forms.CharField(max_length=300, **common)


# Every fact any basis asks for, once (bases share names such as "agreement_on" and "service").
BASIS_FIELDS: dict[str, bases.Field] = {}
for _b in bases.BASES.values():
    for _f in _b.fields:
        BASIS_FIELDS.setdefault(_f.name, _f)


class DisclosureForm(forms.Form):
    legal_basis = forms.ChoiceField(
        label="Legal basis", choices=LegalBasis.choices, initial=LegalBasis.CONSENT, required=False
    )
    recipient = RecipientChoiceField(label="Recipient", queryset=Recipient.objects.none())
    purpose = forms.ChoiceField(
        label="Purpose",
        choices=[("", "—"), *Purpose.choices],
        required=False,
        help_text="A disclosure without consent takes its basis's purpose when left empty.",
    )
    data_classes = forms.MultipleChoiceField(
        label="Information to disclose", choices=DataClass.choices, widget=forms.CheckboxSelectMultiple
    )
    date_from = DateField(label="Records dated from", widget=DATE)
    date_to = DateField(label="to", widget=DATE)
    channel = forms.ChoiceField(label="Sent by", choices=Channel.choices)
    basis_document = forms.FileField(
        label="Copy of the court order or the signed agreement",
        required=False,
        help_text="Kept with the disclosure (PDF or image).",
    )

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        recipient = cast(forms.ModelChoiceField, self.fields["recipient"])
        recipient.queryset = Recipient.objects.filter(
            program_id=participant.program_id, is_active=True
        ).order_by("name")
        for name, f in BASIS_FIELDS.items():
            self.fields[name] = _basis_field(f)
        today = timezone.localdate(timezone=participant.program.tz)
        self.fields["date_to"].initial = today
        self.fields["date_from"].initial = today.replace(day=1)

    def basis_sections(self) -> list[dict]:
        """The facts each basis without consent asks for, as bound fields, for the template."""
        return [
            {"code": b.code, "label": f"{b.label} ({b.citation})", "fields": [self[f.name] for f in b.fields]}
            for b in bases.BASES.values()
            if b.fields
        ]

    def clean(self):
        data = super().clean()
        assert data is not None  # a form's clean() returns cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end of the period is before its start.")
        basis = data["legal_basis"] = data.get("legal_basis") or bases.CONSENT
        if not data.get("purpose"):
            allowed = bases.basis(basis).purposes
            if basis != bases.CONSENT and len(allowed) == 1:
                data["purpose"] = next(iter(allowed))
            else:
                self.add_error("purpose", "Choose the purpose of the disclosure.")
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        basis = d["legal_basis"]
        wanted = {f.name for f in bases.basis(basis).fields}
        return {
            "recipient": d["recipient"],
            "purpose": d["purpose"],
            "data_classes": list(d["data_classes"]),
            "date_from": d["date_from"],
            "date_to": d["date_to"],
            "channel": d["channel"],
            "legal_basis": basis,
            "basis_details": {k: d.get(k) for k in wanted},
            "basis_document": d.get("basis_document"),
        }


class AccountingForm(forms.Form):
    as_of = DateField(
        span=Span.RECORD, label="Date of the participant's request", required=False, widget=DATE
    )

    def clean_as_of(self) -> date | None:
        value = self.cleaned_data.get("as_of")
        if value and value > timezone.localdate():
            raise forms.ValidationError("The request date cannot be in the future.")
        return value


class EmergencyAccessForm(forms.Form):
    reason = forms.CharField(
        label="What is the emergency?",
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your reason is recorded and your program director reviews every emergency access.",
    )


class EmergencyReviewForm(forms.Form):
    review = forms.ChoiceField(label="Was this access appropriate?", choices=EmergencyAccess.Review.choices)
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RecipientForm(forms.ModelForm):
    class Meta:
        model = Recipient
        fields = ["name", "kind", "address", "is_active"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"address": text_limited(500)}
        labels = {"is_active": "Can be chosen for new consents and disclosures"}


class ChartReviewForm(forms.Form):
    participant = forms.UUIDField(label="Participant id")


class UserReviewForm(forms.Form):
    actor = forms.ModelChoiceField(
        label="Staff member", queryset=User.objects.none(), to_field_name="username"
    )

    def __init__(self, *args, program_ids, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["actor"]).queryset = (
            User.objects.filter(roles__program_id__in=program_ids)
            .distinct()
            .order_by("last_name", "first_name")
        )


class ScanForm(forms.Form):
    document = forms.FileField(label="Scan of the signed paper form (PDF or image)")


class SignForm(forms.Form):
    """Signing through a private link (participant-facing: translated, i19n)."""

    date_of_birth = DateField(span=Span.BIRTH, label=gettext_lazy("Your date of birth"), widget=DATE)
    typed_name = forms.CharField(label=gettext_lazy("Type your full name to sign"), max_length=200)
    agreed = forms.BooleanField(
        label=gettext_lazy(
            "I have read this consent and I sign it electronically. My typed name is my signature."
        ),
        required=False,
    )
