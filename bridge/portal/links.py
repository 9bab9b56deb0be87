"""Private links lead into the app: when the participant a private link was made for has an open app
account, opening the link takes them to the same thing in their app (after sign-in, if they are not
signed in: the app's pages send them to the sign-in page and back). Without an account the private
link works as it always has. Used by the apps that own private links (measures, privacy,
aftercare, safety)."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.portal.models import ParticipantAccount


def into_app(
    request: HttpRequest,
    *,
    participant,
    url: str,
    object_type: str,
    object_id: uuid.UUID | str,
    view: str,
    label: str = "private link",
    sign_in_first: bool = False,
) -> HttpResponse | None:
    """A redirect to `url` in the app when the participant has an open account (audited as the
    link's use), else None. Staff signed in in this browser keep the private link's own page.

    `sign_in_first` is for an app page anyone may open (the help page, which shows the plans only to
    the signed-in participant): someone not signed in is sent to sign in first, then to `url`."""
    if request.method != "GET" or request.user.is_authenticated:
        return None
    if not ParticipantAccount.objects.filter(participant=participant, closed_at__isnull=True).exists():
        return None
    audit_record(
        action=Action.READ,
        actor=None,
        actor_label=label,
        participant=participant,
        object_type=object_type,
        object_id=str(object_id),
        detail={"view": view, "led_into": "participant app"},
    )
    if sign_in_first and getattr(request, "portal_account", None) is None:
        url = f"{reverse('portal:sign_in')}?{urlencode({'next': url})}"
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- i19n: private-link pages in the participant's language ------------------------------------------


def link_language(request: HttpRequest, participant) -> str:
    """The language of a private-link page: the visitor's own choice on this device (the language
    switcher's cookie), else the language on the participant's record, else English."""
    from django.conf import settings

    known = dict(settings.LANGUAGES)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in known:
        return chosen
    stored = getattr(participant, "language", "") or "en"
    return stored if stored in known else "en"


def render_in_language(
    request: HttpRequest, language: str, template: str, context: dict, status: int = 200
) -> HttpResponse:
    """Render a participant-facing page outside the app in `language` (the app's own pages get theirs
    from bridge/portal/middleware.py), saying so in Content-Language."""
    from django.shortcuts import render
    from django.utils import translation
    from django.utils.cache import patch_vary_headers

    with translation.override(language):
        request.LANGUAGE_CODE = language
        response = render(request, template, context, status=status)
    response["Content-Language"] = language
    patch_vary_headers(response, ("Cookie",))
    return response


def in_visitor_language(view):
    """A public page (the self-check) in the visitor's language: their choice with the switcher (the
    cookie), else their browser's. The whole view runs in it, so its forms are built in it too."""
    from functools import wraps

    from django.utils import translation
    from django.utils.cache import patch_vary_headers

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        language = translation.get_language_from_request(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    return wrapper
