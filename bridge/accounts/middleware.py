"""Session limits and the two-factor requirement for staff."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from bridge.audit.actions import Action
from bridge.audit.services import audit_record

SESSION_STARTED = "bridge_started_at"
SESSION_LAST_SEEN = "bridge_last_seen"
# Writing last-seen on every request would save the session row every time; a minute's
# granularity is enough for a 15-minute limit.
_TOUCH_EVERY_SECONDS = 60


def _duration(seconds: float) -> str:
    """The configured limit in words: "15 minutes", "12 hours", "1 minute", "20 seconds"."""
    seconds = int(seconds)
    for size, unit in ((3600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def idle_seconds() -> int:
    """The idle limit (BRIDGE_IDLE_SECONDS overrides the minutes, for tests)."""
    return getattr(settings, "BRIDGE_IDLE_SECONDS", None) or settings.BRIDGE_IDLE_MINUTES * 60


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


class SessionLimitsMiddleware:
    """Sign staff out after 15 idle minutes or 12 hours since sign-in, whichever comes first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            idle = now - last_seen > idle_seconds()
            too_long = now - started > settings.BRIDGE_SESSION_MAX_HOURS * 3600
            if idle or too_long:
                audit_record(
                    action=Action.SESSION_EXPIRED,
                    actor=user,
                    object_type="session",
                    detail={"reason": "idle" if idle else "absolute"},
                )
                logout(request)
                messages.info(
                    request,
                    f"You were signed out after {_duration(idle_seconds())} without activity."
                    if idle
                    else "You were signed out: a session lasts at most "
                    f"{_duration(settings.BRIDGE_SESSION_MAX_HOURS * 3600)}.",
                )
                # Return to the same page after signing in again (a POST returns to the page it came from).
                back = request.get_full_path() if request.method == "GET" else request.path
                if request.headers.get("HX-Request") and request.headers.get("HX-Current-URL"):
                    back = request.headers["HX-Current-URL"]
                # The page puts back the draft the server kept of what was typed there (idle.js).
                back += ("&" if "?" in back else "?") + "draft=restore"
                return _redirect(request, reverse(settings.LOGIN_URL) + "?" + urlencode({"next": back}))
            if SESSION_STARTED not in request.session:
                request.session[SESSION_STARTED] = now
            if (
                now - last_seen >= min(_TOUCH_EVERY_SECONDS, idle_seconds() / 4)
                or SESSION_LAST_SEEN not in request.session
            ):
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class SignInStepsMiddleware:
    """Finish signing in before anything else: the second factor, then a required password change.

    Until a staff member has passed the second factor only the MFA pages and sign-out work; this
    applies to everyone when BRIDGE_REQUIRE_MFA is on (production), and to anyone who has enrolled
    a device when it is off (the demo). An account created with a temporary password then goes
    to the password page until the password is replaced.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(view_func, "login_required", True) or getattr(view_func, "mfa_exempt", False):
            return None
        if not user.is_verified():
            # Staff's second factor is TOTP. (django_otp.user_has_device would also query
            # django-otp-webauthn's credential table, which holds no staff rows: passkeys are the
            # participants', kept in bridge/portal.)
            from django_otp.plugins.otp_totp.models import TOTPDevice

            if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                return _redirect(request, reverse("accounts:mfa_verify"))
            if settings.BRIDGE_REQUIRE_MFA:
                return _redirect(request, reverse("accounts:mfa_setup"))
        if user.must_change_password and not getattr(view_func, "password_change_view", False):
            return _redirect(request, reverse("accounts:password_change"))
        return None
