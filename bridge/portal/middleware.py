"""The participant's session in their own app, and the language and time zone of their pages."""

from __future__ import annotations

import time
import zoneinfo
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import context
from bridge.portal import access
from bridge.portal.models import ParticipantAccount
from bridge.portal.services import PortalActor

_TOUCH_EVERY_SECONDS = 60
APP_PREFIX = "/me/"  # the participant app's pages (bridge/portal/urls.py, included at the root)


def participant_facing(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.app_name == "portal"


class PortalMiddleware:
    """Load the signed-in participant (if any) and end their session when it should end.

    Ends it after BRIDGE_PORTAL_IDLE_MINUTES without a request, when they signed out of all
    devices (the account's epoch moved on), when staff closed the account, and when a staff member
    signs in in the same browser. On the app's pages it then turns on the participant's language
    (their record's choice, else the language cookie or the browser's) and their program's time zone.
    Staff pages are in English only, which is why Django's LocaleMiddleware is not installed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.portal_account = None  # type: ignore[attr-defined]
        if access.SESSION_ACCOUNT in request.session:
            self._load(request)
        request._portal_tokens = []  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            for token in reversed(request._portal_tokens):  # type: ignore[attr-defined]
                context.deactivate(token)
        if (
            getattr(response, "default_not_found", False)
            and request.path.startswith(APP_PREFIX)
            and not request.user.is_authenticated  # staff pages live under /me/ too (calendar, hours)
            and getattr(request.resolver_match, "app_name", "portal") == "portal"
        ):
            response = self._not_found(request)
        if participant_facing(request):
            response.setdefault("Content-Language", translation.get_language())
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            translation.deactivate()
            timezone.deactivate()
        return response

    def _load(self, request: HttpRequest) -> None:
        if request.user.is_authenticated:
            access.portal_forget(request)
            return
        account_id: Any = request.session.get(access.SESSION_ACCOUNT)  # a str, or None (no match)
        account = (
            ParticipantAccount.objects.select_related("participant", "participant__program")
            .filter(pk=account_id, closed_at__isnull=True)
            .first()
        )
        if account is None or account.session_epoch != request.session.get(access.SESSION_EPOCH):
            access.portal_forget(request)
            request.session[access.SESSION_ENDED] = "ended"
            return
        now = time.time()
        last_seen = request.session.get(access.SESSION_SEEN, now)
        if now - last_seen > settings.BRIDGE_PORTAL_IDLE_MINUTES * 60:
            audit_record(
                action=Action.SESSION_EXPIRED,
                actor=PortalActor(account),
                participant=account.participant,
                object_type="portal_session",
                detail={"reason": "idle"},
            )
            access.portal_forget(request)
            request.session[access.SESSION_ENDED] = "idle"
            return
        if now - last_seen >= _TOUCH_EVERY_SECONDS:
            request.session[access.SESSION_SEEN] = now
        request.portal_account = account  # type: ignore[attr-defined]

    def _not_found(self, request: HttpRequest) -> HttpResponse:
        """A page of the app that does not exist (or is not theirs): said in the app's frame and in the
        participant's language, as every other page of the app."""
        account = request.portal_account  # type: ignore[attr-defined]
        with translation.override(self._language(request, account)):
            response = render(request, "portal/404.html", status=404)
            response.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    @staticmethod
    def _language(request: HttpRequest, account: ParticipantAccount | None) -> str:
        return (
            account.participant.language
            if account is not None
            else translation.get_language_from_request(request)
        )

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not participant_facing(request):
            return None
        account = request.portal_account  # type: ignore[attr-defined]
        if account is not None:
            timezone.activate(zoneinfo.ZoneInfo(account.participant.program.time_zone))
        language = self._language(request, account)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        ctx = context.current()
        request._portal_tokens.append(  # type: ignore[attr-defined]
            context.activate(context.RequestContext(ctx.request_id, ctx.client_ip, "portal"))
        )
        return None
