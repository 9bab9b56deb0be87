from __future__ import annotations

from django import forms

from bridge.accounts import credentials
from bridge.accounts.models import Credential, Role, User
from bridge.core.dates import DateTimeField, ExpiryDateField, RecordDateField, Span


class LoginForm(forms.Form):
    username = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TokenForm(forms.Form):
    token = forms.RegexField(
        label="Six-digit code",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": "Enter the six digits your authenticator app shows."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()


class CredentialForm(forms.ModelForm):
    kind = forms.ChoiceField(label="Type", choices=credentials.CHOICES)

    class Meta:
        model = Credential
        fields = ["kind", "number", "issuing_state", "expires_on", "verified_on"]
        widgets = {
            "expires_on": forms.DateInput(attrs={"type": "date"}),
            "verified_on": forms.DateInput(attrs={"type": "date"}),
        }
        field_classes = {"expires_on": ExpiryDateField, "verified_on": RecordDateField}

    def clean_issuing_state(self) -> str:
        state = self.cleaned_data["issuing_state"].strip().upper()
        if len(state) != 2 or not state.isalpha():
            raise forms.ValidationError("Use the two-letter state code, for example CA.")
        return state


class StaffCreateForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="One person may hold several roles.",
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class DraftForm(forms.Form):
    """One autosave of a form's free text: the page it is on, which form, and each field as
    `field:<name>` (separate fields, so each meets the app's per-field ceiling on its own)."""

    page = forms.CharField(max_length=300)
    form = forms.CharField(max_length=100)
    since = DateTimeField(required=False, span=Span.RECORD)  # when the record was last saved

    def clean_page(self) -> str:
        page = self.cleaned_data["page"]
        if not page.startswith("/") or "?" in page or "#" in page:
            raise forms.ValidationError("Give the path of the page, like /participants/…/notes/…/.")
        return page

    def clean(self) -> dict:
        from bridge.accounts.drafts import MAX_BYTES, MAX_FIELD_CHARS, MAX_FIELDS

        cleaned = super().clean() or {}
        fields = {k.removeprefix("field:"): v for k, v in self.data.items() if k.startswith("field:")}
        if len(fields) > MAX_FIELDS:
            self.add_error(None, f"A draft holds at most {MAX_FIELDS} fields.")
        elif sum(len(k) + len(v) for k, v in fields.items()) > MAX_BYTES:
            self.add_error(None, f"A draft holds at most {MAX_BYTES // 1000} KB of text.")
        else:
            for name, text in fields.items():
                if len(name) > 100 or len(text) > MAX_FIELD_CHARS:
                    self.add_error(None, f"“{name[:100]}” is longer than a draft keeps.")
                    break
        cleaned["fields"] = fields
        return cleaned
