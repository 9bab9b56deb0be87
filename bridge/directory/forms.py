from __future__ import annotations

import uuid
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bridge.core.dates import DateField, ExpiryDateField, Span
from bridge.directory import facets, geo
from bridge.directory.models import ProgramAccreditation, ProgramLicense
from bridge.directory.profile_choices import CHOICES

RADIUS_CHOICES = [
    (5, _("5 miles")),
    (10, _("10 miles")),
    (25, _("25 miles")),
    (50, _("50 miles")),
    (100, _("100 miles")),
]
MAX_COMPARE = 4


def _facet_text(text: str) -> str:
    """A filter's words in the visitor's language (facets.py is plain data; its labels are in the
    catalogue, bridge/locale)."""
    return gettext(text) if text else text


class SearchForm(forms.Form):
    """The public search. Every field is a URL parameter, so a search can be shared as a link."""

    where = forms.CharField(
        label=_("ZIP code or city"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "placeholder": "94607 or Oakland, CA"}),
    )
    radius = forms.TypedChoiceField(
        label=_("Within"),
        choices=RADIUS_CHOICES,
        coerce=int,
        initial=25,
        required=False,
        empty_value=25,  # type: ignore[arg-type]  # django-stubs says str; Django returns any value given
    )
    include_mh = forms.BooleanField(label=_("Include places that treat only mental health"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for facet in facets.FACETS:
            choices = [(o.value, o.label) for o in facet.options]
            if facet.multiple:
                self.fields[facet.name] = forms.MultipleChoiceField(
                    label=facet.label,
                    choices=choices,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=facet.help,
                )
            else:
                self.fields[facet.name] = forms.ChoiceField(
                    label=facet.label, choices=[("", "Any"), *choices], required=False, help_text=facet.help
                )

    def facet_groups(self) -> list[dict]:
        """The filters with what is ticked, for the template to render as plain inputs.

        Rendering ~80 checkboxes through Django's widget templates costs tens of milliseconds a
        page; the search is the directory's busiest page, so its template writes the inputs itself.
        """
        groups = []
        for facet in facets.FACETS:
            chosen = set(self.data.getlist(facet.name)) if hasattr(self.data, "getlist") else set()
            groups.append(
                {
                    "name": facet.name,
                    "label": _facet_text(facet.label),
                    "help": _facet_text(facet.help),
                    "multiple": facet.multiple,
                    "errors": self.errors.get(facet.name, []) if self.is_bound else [],
                    "options": [(o.value, _facet_text(o.label), o.value in chosen) for o in facet.options],
                }
            )
        return groups

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # a form's clean() returns cleaned_data
        where = (cleaned.get("where") or "").strip()
        if not where:
            if self.has_filters():
                self.add_error("where", gettext("Enter a ZIP code or a city, so we can look near you."))
            return cleaned
        try:
            cleaned["place"] = geo.locate(where)
        except geo.PlaceError as exc:
            self.add_error("where", str(exc))
        return cleaned

    def page(self) -> int:
        """The result page asked for; anything that is not a page number means the first."""
        raw = str(self.data.get("page", "1"))
        return int(raw) if raw.isdigit() and 0 < len(raw) < 6 else 1

    def has_filters(self) -> bool:
        return any(self.data.get(f.name) for f in facets.FACETS)

    def selected(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for facet in facets.FACETS:
            value = self.cleaned_data.get(facet.name)
            if value:
                found[facet.name] = list(value) if isinstance(value, list) else [value]
        return found


def compare_ids(values: list[str]) -> list[uuid.UUID]:
    """The listings chosen for comparison (`?id=…&id=…`), in order; raises ValidationError."""
    ids: list[uuid.UUID] = []
    for raw in values:
        try:
            value = uuid.UUID(str(raw))
        except ValueError:
            raise forms.ValidationError(f"“{raw[:40]}” is not a program in the directory.") from None
        if value not in ids:
            ids.append(value)
    if not ids:
        raise forms.ValidationError(
            "Choose at least one program to compare: tick “Compare” in the search results."
        )
    if len(ids) > MAX_COMPARE:
        raise forms.ValidationError(
            f"Compare up to {MAX_COMPARE} programs at a time; you chose {len(ids)}. Untick some."
        )
    return ids


class ProfileForm(forms.Form):
    """What a director publishes about the program beyond what Bridge already knows."""

    published = forms.BooleanField(label="Show this program in the public directory", required=False)
    admitting = forms.BooleanField(label="Taking new participants now", required=False)
    summary = forms.CharField(
        label="A few plain words about the program",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    website = forms.URLField(required=False, max_length=200, assume_scheme="https")
    intake_phone = forms.CharField(label="Phone for new people", required=False, max_length=30)
    approaches = forms.MultipleChoiceField(
        label="Treatment approaches",
        choices=CHOICES["approaches"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Approaches named in your curriculum's session types are added automatically.",
    )
    dual_diagnosis = forms.BooleanField(
        label="We treat mental health and substance use together (dual diagnosis)", required=False
    )
    medications = forms.MultipleChoiceField(
        label="Medications we prescribe or coordinate",
        choices=CHOICES["medications"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accepts_outside_mat = forms.BooleanField(
        label="We welcome people on medication prescribed elsewhere", required=False
    )
    aftercare = forms.MultipleChoiceField(
        label="After the program",
        choices=CHOICES["aftercare"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    payment = forms.MultipleChoiceField(
        label="Payment accepted",
        choices=CHOICES["payment"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label="Services in languages other than English",
        choices=CHOICES["languages"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _future(value: date) -> date:
    if value <= timezone.localdate():
        raise forms.ValidationError("Enter the date it expires; an expired one would not be listed.")
    if value.year > timezone.localdate().year + 10:
        raise forms.ValidationError("Check the year: that is more than ten years away.")
    return value


class AccreditationForm(forms.ModelForm):
    class Meta:
        model = ProgramAccreditation
        fields = ["body", "number", "expires_on"]
        labels = {"body": "Accrediting body", "number": "Accreditation number", "expires_on": "Expires on"}
        widgets = {"expires_on": forms.DateInput(attrs={"type": "date"})}
        field_classes = {"expires_on": ExpiryDateField}

    def clean_expires_on(self) -> date:
        return _future(self.cleaned_data["expires_on"])


class LicenseForm(forms.ModelForm):
    class Meta:
        model = ProgramLicense
        fields = ["authority", "issuer", "state", "number", "expires_on"]
        labels = {"authority": "Kind of authority", "number": "License number", "expires_on": "Expires on"}
        widgets = {"expires_on": forms.DateInput(attrs={"type": "date"})}
        field_classes = {"expires_on": ExpiryDateField}

    def clean_state(self) -> str:
        state = self.cleaned_data["state"].strip().upper()
        if state and state not in geo.STATES:
            raise forms.ValidationError("Use the two-letter state code, for example CA.")
        return state

    def clean_expires_on(self) -> date:
        return _future(self.cleaned_data["expires_on"])


class RenewForm(forms.Form):
    number = forms.CharField(max_length=60)
    expires_on = DateField(
        span=Span.EXPIRY, label="New expiry date", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_expires_on(self) -> date:
        return _future(self.cleaned_data["expires_on"])


class EndForm(forms.Form):
    reason = forms.CharField(
        label="Why does it end?",
        max_length=200,
        help_text="For example: withdrawn, not renewed, entered in error.",
    )
