"""The configuration django-otp-webauthn's browser script reads, pointed at the app's passkey
endpoints (bridge/portal/passkey_views.py) instead of the library's staff-login views."""

from __future__ import annotations

from django import template
from django.middleware import csrf
from django.urls import reverse
from django.utils.html import json_script
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def passkey_config(context) -> SafeString:
    request = context["request"]
    config = {
        "csrfToken": csrf.get_token(request),
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "beginRegistrationUrl": reverse("portal:passkey_register_begin"),
        "completeRegistrationUrl": reverse("portal:passkey_register_complete"),
        "beginAuthenticationUrl": reverse("portal:passkey_sign_in_begin"),
        "completeAuthenticationUrl": reverse("portal:passkey_sign_in_complete"),
    }
    return json_script(config, "otp_webauthn_config")
