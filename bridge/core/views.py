from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DataError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bridge.core.panels import panels_for


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"panels": panels_for(request)})


@require_GET
def home_panel(request: HttpRequest, key: str) -> HttpResponse:
    """One panel of the Home page that loads after its first paint (a `Panel` with `lazy`).

    The panel's own provider decides again whether this user sees it (the same rules as Home), so a
    panel Home would not show this user is a 404. Without htmx (the placeholder's no-script link) it
    answers a whole page with the panel.
    """
    panel = next((p for p in panels_for(request) if p.lazy == key), None)
    if panel is None:
        raise Http404("No such panel.")
    template = "core/_panel_part.html" if request.headers.get("HX-Request") else "core/panel.html"
    return render(request, template, {"panel": panel, "ctx": panel.resolved()})


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers; also the 'minimal view' the page benchmark compares against.

    `?db=1` also asks the database (one `SELECT 1`): 200 "ok database ok", or 503 "database
    unreachable" with Retry-After, so a load balancer or an operator can tell the two apart.
    """
    if request.GET.get("db") != "1":
        return HttpResponse("ok", content_type="text/plain")
    if database_reachable():
        return HttpResponse("ok\ndatabase ok", content_type="text/plain")
    response = HttpResponse("degraded\ndatabase unreachable", status=503, content_type="text/plain")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


RETRY_AFTER_SECONDS = 60
DB_DOWN_MESSAGE = "Bridge cannot reach its database; try again in a minute."


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except (OperationalError, InterfaceError):
        return False  # Django drops the broken connection at the end of the request and reconnects


def is_database_down(exc: BaseException | None) -> bool:
    """Whether an exception means the database cannot be reached (not a bug in a query)."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    # SQLite says OperationalError for a wrong query too ("no such table"): that is a bug, a 500.
    return not str(exc).startswith(("no such", "near ", "table ", "duplicate column"))


def is_unreadable_date(exc: BaseException | None) -> bool:
    """A stored date Python cannot hold (psycopg: "date too large (after year 10K)"; SQLite's
    converters: "year 10000 is out of range"). The database's CHECKs keep these out, so one can only
    come from a write around them; it is logged and listed by `bridge check-records`."""
    text = str(exc)
    if isinstance(exc, DataError):
        return "year 10K" in text or "before year 1" in text
    return isinstance(exc, OverflowError | ValueError) and ("out of range" in text and "year" in text)


UNREADABLE_MESSAGE = (
    "A record on this page holds a date Bridge cannot show (outside 1900-2099). It has been logged; "
    "an administrator can list and correct such records with `bridge check-records`."
)


def unreadable_record(request: HttpRequest) -> HttpResponse:
    """409: the request is fine, a stored record is not; a 500 would say Bridge is broken."""
    if request.path.startswith("/fhir/"):
        from bridge.fhir.outcome import fhir_response, outcome

        return fhir_response(outcome(UNREADABLE_MESSAGE, code="processing"), 409)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "bad_record", "message": UNREADABLE_MESSAGE, "field": None}}, status=409
        )
    return HttpResponse(
        "<!doctype html><html lang=en><meta charset=utf-8><title>Bridge: a record needs correcting</title>"
        f"<h1>A record needs correcting</h1><p>{UNREADABLE_MESSAGE}</p></html>",
        status=409,
        content_type="text/html; charset=utf-8",
    )


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: HTML for pages, JSON for the API, an OperationOutcome for FHIR. Django
    opens a new connection on the next request, so service resumes by itself."""
    if request.path.startswith("/fhir/"):
        from bridge.fhir.outcome import fhir_response, outcome

        response = fhir_response(outcome(DB_DOWN_MESSAGE, code="transient"), 503)
    elif request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": {"code": "unavailable", "message": DB_DOWN_MESSAGE, "field": None}}, status=503
        )
    else:  # a plain page: the templates' context processors would ask the database again
        response = HttpResponse(
            "<!doctype html><html lang=en><meta charset=utf-8><title>Bridge: try again in a minute</title>"
            f"<h1>Bridge is briefly unavailable</h1><p>{DB_DOWN_MESSAGE}</p></html>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    response = render(request, "404.html", status=404)
    # Marked as the default page, so the participant app can show its own frame and language instead
    # (bridge.portal.middleware) without core knowing the app.
    response.default_not_found = True  # type: ignore[attr-defined]
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, so it is still the current one.
    exc = sys.exc_info()[1]
    if is_database_down(exc):
        return database_unavailable(request)
    if is_unreadable_date(exc):
        return unreadable_record(request)
    if request.path.startswith("/fhir/"):
        from bridge.fhir.outcome import fhir_response, outcome

        return fhir_response(outcome("Internal error; it has been logged.", code="exception"), 500)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "error": {
                    "code": "server_error",
                    "message": "Internal error; it has been logged.",
                    "field": None,
                }
            },
            status=500,
        )
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the template's context may need what just failed
        return HttpResponse("Server error.", status=500, content_type="text/plain")
