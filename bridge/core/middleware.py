"""Request-wide middleware: request id and client address for the audit log, and the time zone."""

from __future__ import annotations

import re
import uuid
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
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


class MethodNotAllowedPageMiddleware:
    """A form's address opened as a page (a bookmark, a reload, a link pasted from the address bar)
    answers 405: say so in words and link the page the form is on, instead of a blank page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.method in ("GET", "HEAD")
            and not getattr(response, "streaming", False)
            and not response.content
            and "text/html" in request.headers.get("Accept", "")  # a browser opening a page
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated  # staff pages; the app and the machine paths keep theirs
            and not request.path.startswith(("/api/", "/fhir/"))
        ):
            page = render(
                request,
                "405.html",
                {"back": _nearest_page(request.path)},
                status=405,
            )
            page["Allow"] = response.get("Allow", "")
            return page
        return response


def _nearest_page(path: str) -> str:
    """The nearest address above `path` that is a page: …/medications/<id>/dose/ → …/medications/<id>/."""
    parts = path.strip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/" + "/".join(parts) + "/"
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate
    return "/"


# Control characters: NUL breaks PostgreSQL text ("A string literal cannot contain NUL"), and none of
# C0 (but tab, newline, carriage return in form text) or DEL belongs in anything a person types.
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JSON_CONTROL = re.compile(
    rb"\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])|\\u007[fF]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
)


# No one field anyone types is longer (a long note is ~20,000); each form also has its own limits.
FIELD_CEILING = 50_000
# A query parameter is a search word, a date, an id or a short list of them; a front proxy or gunicorn
# refuses a request line much over 4 KB in any case.
QUERY_CEILING = 4096


def _control_character_in(request: HttpRequest) -> str | None:
    """The name of the first part of the request that holds a control character (or a form field
    longer than FIELD_CEILING, or a query parameter longer than QUERY_CEILING), if any."""
    if _CONTROL_IN_LINE.search(request.path):
        return "path"
    for key, values in request.GET.lists():
        if _CONTROL_IN_LINE.search(key) or any(_CONTROL_IN_LINE.search(v) for v in values):
            return key
        if any(len(v) > QUERY_CEILING for v in values):
            return key
    if request.method in ("POST", "PUT", "PATCH"):
        content_type = request.content_type or ""
        if content_type == "application/x-www-form-urlencoded" or content_type.startswith("multipart/"):
            for key, values in request.POST.lists():
                if _CONTROL_IN_LINE.search(key) or any(_CONTROL_IN_TEXT.search(v) for v in values):
                    return key
                if any(len(v) > FIELD_CEILING for v in values):
                    return key
        elif "json" in content_type and _JSON_CONTROL.search(request.body):
            return "body"
    return None


class HostileInputMiddleware:
    """Refuse control characters in the path, any parameter or any form field with a 400, before
    they reach a view or the database (FHIR answers an OperationOutcome, the JSON API its error)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = _control_character_in(request)
        if where is None:
            return self.get_response(request)
        message = f"{where}: control characters (such as NUL) are not allowed, nor text this long."
        if request.path.startswith("/fhir/"):
            from bridge.fhir.outcome import FhirError, error_response

            return error_response(FhirError(400, message, expression=where))
        if request.path.startswith("/api/"):
            from bridge.api.errors import error_body

            return JsonResponse(error_body(message, field=where), status=400)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
