"""Passkey endpoints of the participant app, answered in the JSON the django-otp-webauthn browser
script expects ({"detail", "code"} on an error). The ceremony state lives in the session and is used
once. Adding or removing a passkey needs the participant signed in; staff are refused everywhere."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions

from bridge.portal import documents, passkeys
from bridge.portal.access import PortalPageRequest, portal_page, portal_sign_in
from bridge.portal.passkey_models import ParticipantPasskey

REGISTER_STATE = "portal_passkey_register"
SIGN_IN_STATE = "portal_passkey_sign_in"


def _error(exc: exceptions.OTPWebAuthnApiError) -> JsonResponse:
    return JsonResponse({"detail": str(exc.detail), "code": exc.code}, status=exc.status_code)


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise exceptions.MalformedRequest() from None
    if not isinstance(data, dict):
        raise exceptions.MalformedRequest()
    return data


def _state(request: HttpRequest, key: str) -> dict:
    # Used once: popped and saved before anything else, so a replay finds nothing.
    state = request.session.pop(key, None)
    request.session.save()
    if not isinstance(state, dict):
        raise exceptions.InvalidState()
    return state


def _json_endpoint(*, signed_in: bool):
    def wrap(view):
        @login_not_required
        @never_cache
        @require_POST
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.user.is_authenticated:
                return JsonResponse(
                    {"detail": "Staff cannot use the participants' app.", "code": "staff"}, status=403
                )
            if signed_in and getattr(request, "portal_account", None) is None:
                return JsonResponse({"detail": "Sign in first.", "code": "not_authenticated"}, status=401)
            try:
                return view(request, *args, **kwargs)
            except exceptions.OTPWebAuthnApiError as exc:
                return _error(exc)

        return wrapper

    return wrap


@_json_endpoint(signed_in=True)
def register_begin(request: HttpRequest) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    options, state = passkeys.helper(request).register_begin(account)
    request.session[REGISTER_STATE] = state
    return JsonResponse(options)


@_json_endpoint(signed_in=True)
def register_complete(request: HttpRequest) -> HttpResponse:
    account = request.portal_account  # type: ignore[attr-defined]
    state = _state(request, REGISTER_STATE)
    passkey = passkeys.passkey_add(request=request, account=account, state=state, data=_body(request))
    return JsonResponse({"id": str(passkey.pk)})


@_json_endpoint(signed_in=False)
def sign_in_begin(request: HttpRequest) -> HttpResponse:
    options, state = passkeys.helper(request).authenticate_begin(user=None, require_user_verification=True)
    request.session[SIGN_IN_STATE] = state
    return JsonResponse(options)


@_json_endpoint(signed_in=False)
def sign_in_complete(request: HttpRequest) -> HttpResponse:
    from bridge.portal.views import _safe_next

    state = _state(request, SIGN_IN_STATE)
    account = passkeys.passkey_sign_in(request=request, state=state, data=_body(request))
    portal_sign_in(request, account)
    request.session[documents.SESSION_SIGNED_IN_WITH] = documents.SIGNED_IN_WITH_PASSKEY
    return JsonResponse({"id": str(account.pk), "redirect_url": _safe_next(request, request.GET.get("next"))})


@portal_page
@require_POST
def passkey_remove(request: PortalPageRequest, passkey_id: uuid.UUID) -> HttpResponse:
    passkey = ParticipantPasskey.objects.filter(pk=passkey_id, account=request.portal_account).first()
    if passkey is None:
        raise Http404("No such passkey.")
    passkeys.passkey_remove(account=request.portal_account, passkey=passkey)
    messages.success(request, _("The passkey is removed. Sign in with a code next time."))
    return redirect("portal:account")


# The library's browser script says what happens in the participant's language (its own catalogue).
passkey_catalog = login_not_required(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]))
