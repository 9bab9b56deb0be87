"""Request-wide middleware: request id and client address for the audit log, and the time zone."""

from __future__ import annotations

import re
import uuid
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from bridge.core import context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting exactly BRIDGE_PROXY_COUNT proxies in front of us.

    With no proxy configured X-Forwarded-For is ignored: a client could otherwise write
    any address it liked into the audit log.
    """
    proxies = settings.BRIDGE_PROXY_COUNT
    if proxies > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return str(forwarded[-proxies])
    remote: str | None = request.META.get("REMOTE_ADDR")
    return remote or None


def axes_client_ip(request: HttpRequest) -> str | None:
    """django-axes counts failures per address; it must agree with the audit log."""
    return client_ip(request)


class RequestContextMiddleware:
    """Give every request an id (kept from a trusted proxy's X-Request-ID) and record the client address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = (
            incoming if settings.BRIDGE_PROXY_COUNT and _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        )
        channel = "api" if request.path.startswith(("/api/", "/fhir/")) else "web"
        request.request_id = request_id  # type: ignore[attr-defined]
        token = context.activate(context.RequestContext(request_id, client_ip(request), channel))
        try:
            response = self.get_response(request)
        finally:
            context.deactivate(token)
        response["X-Request-ID"] = request_id
        return response


class ProgramTimezoneMiddleware:
    """Show times in the signed-in staff member's program time zone; the database stays in UTC."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tz_name = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            tz_name = request.session.get("bridge_tz")
            if tz_name is None:
                program = user.primary_program()
                tz_name = program.time_zone if program else settings.TIME_ZONE
                request.session["bridge_tz"] = tz_name
        if tz_name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(tz_name))
            except zoneinfo.ZoneInfoNotFoundError:
                timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class NoStoreMiddleware:
    """Pages with participant data must not linger in shared browser or proxy caches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response
