from __future__ import annotations

from typing import cast

from django import forms

from bridge.accounts.models import User
from bridge.privacy.models import Recipient
from bridge.privacy.vocab import Purpose
from bridge.programs.models import Program


class TokenForm(forms.Form):
    """Issue a token: for a staff member (user/ scopes) or for a recipient's system (system/ scopes)."""

    name = forms.CharField(max_length=120, help_text="What it is for, e.g. 'County HIE nightly export'.")
    scopes = forms.CharField(
        max_length=500,
        initial="system/*.read",
        help_text="Space-separated, e.g. system/*.read, system/Patient.read, user/*.read (read-only).",
    )
    user = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, help_text="For user/ scopes: who the token acts as."
    )
    recipient = forms.ModelChoiceField(
        queryset=Recipient.objects.none(),
        required=False,
        help_text="For system/ scopes: the client; it receives only what consents release to it.",
    )
    purpose = forms.ChoiceField(
        choices=[("", "—"), *Purpose.choices], required=False, help_text="For system/ scopes."
    )
    expires_in_days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=730,
        initial=365,
        help_text="A token stops working after this many days (at most two years); issue a new one then.",
    )

    def __init__(self, *args, programs: set, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = User.objects.filter(
            roles__program_id__in=programs, is_active=True
        ).distinct()
        cast(forms.ModelChoiceField, self.fields["recipient"]).queryset = Recipient.objects.filter(
            program_id__in=programs, is_active=True
        )


class BackendClientForm(forms.Form):
    """Register a SMART Backend Services client with its public keys."""

    name = forms.CharField(max_length=120, help_text="Which system, e.g. 'Lakeside Clinic EHR'.")
    recipient = forms.ModelChoiceField(
        queryset=Recipient.objects.none(),
        help_text="The organization it belongs to; it receives only what consents release to it.",
    )
    purpose = forms.ChoiceField(choices=[("", "—"), *Purpose.choices])
    scopes = forms.CharField(
        max_length=500,
        initial="system/*.read",
        help_text="The most it may ask for, e.g. system/*.read or system/Patient.rs system/Observation.rs.",
    )
    jwks_url = forms.CharField(
        label="JWKS URL",
        max_length=500,
        required=False,
        help_text="Where the client publishes its public keys (HTTPS). Or paste the JWKS below.",
    )
    jwks = forms.CharField(
        label="JWKS",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text='The public keys as JSON: {"keys": [...]} (RSA for RS384, EC P-384 for ES384).',
    )

    def __init__(self, *args, programs: set, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["recipient"]).queryset = Recipient.objects.filter(
            program_id__in=programs, is_active=True
        )


class PolicyForm(forms.Form):
    backend_services_required = forms.BooleanField(
        required=False,
        label="Require SMART Backend Services for new system clients",
        help_text="Static system tokens already issued keep working until they expire or are revoked.",
    )


class PatientAppForm(forms.Form):
    """Register an app participants may authorize (SMART App Launch, public client with PKCE)."""

    name = forms.CharField(max_length=120, help_text="Shown to the participant on the consent screen.")
    publisher = forms.CharField(max_length=120, required=False, help_text="Who makes the app.")
    contact = forms.CharField(
        max_length=200,
        required=False,
        help_text="Who to reach about the app: an email or a web page.",
    )
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(), help_text="Its participants may let the app read their records."
    )
    redirect_uris = forms.CharField(
        label="Redirect URIs",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "One a line, matched exactly. HTTPS only (http://localhost for an app in development). "
            "The app's browser origins for CORS come from these."
        ),
    )
    scopes = forms.CharField(
        max_length=500,
        initial="launch/patient patient/*.read",
        help_text=(
            "The most it may ask for: launch/patient and patient/ scopes, e.g. patient/*.read or "
            "patient/Observation.rs patient/MedicationRequest.rs. The participant may approve fewer."
        ),
    )

    def __init__(self, *args, programs: set, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["program"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Program.objects.filter(pk__in=programs).order_by("name")
        if len(programs) == 1:
            field.initial = next(iter(programs))

    def clean_redirect_uris(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["redirect_uris"].splitlines() if line.strip()]
