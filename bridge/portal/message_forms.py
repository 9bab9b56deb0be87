"""Forms for messages with the care team (participant and staff) and "let my peer know"."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bridge.portal.models import MESSAGE_MAX_CHARS


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_CHARS,
        error_messages={"required": _("Write your message first.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class StaffMessageForm(forms.Form):
    body = forms.CharField(
        label="Your answer",
        max_length=MESSAGE_MAX_CHARS,
        error_messages={"required": "Write your answer first."},
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PeerAlertForm(forms.Form):
    opt_in = forms.BooleanField(
        label=_("Yes, let my peer support specialist know I need help"),
        error_messages={"required": _("Tick the box first, so we know you want this.")},
    )
