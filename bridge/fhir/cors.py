"""CORS for browser-based patient apps (SMART App Launch): only the registered apps' origins.

A patient app running in a browser calls the token endpoint, the discovery documents and the FHIR API
from its own origin. Those paths answer a CORS preflight and echo `Access-Control-Allow-Origin` for an
origin that is one of an active PatientApp's origins (derived from its redirect URIs when it was
registered: `Application.allowed_origins`), and for nothing else: never `*`, and never
`Access-Control-Allow-Credentials` (these calls carry a bearer token or PKCE, not cookies, so a
cross-site page can never ride on a participant's session). Every other path of the site sends no CORS
headers at all. No CORS library is a dependency and this is the whole of it, limited to these paths.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

# Exact paths and prefixes that browser apps call (discovery, token, FHIR reads).
CORS_PATHS = ("/oauth/token", "/.well-known/smart-configuration")
CORS_PREFIXES = ("/fhir/",)
ALLOWED_HEADERS = "Authorization, Content-Type, Accept, Prefer"
EXPOSED_HEADERS = "Content-Location, Location, ETag, Last-Modified"
PREFLIGHT_SECONDS = 600


def is_cors_path(path: str) -> bool:
    return path in CORS_PATHS or path.startswith(CORS_PREFIXES)


def allowed_origin(origin: str) -> bool:
    """Is `origin` (scheme://host[:port]) the origin of an active registered patient app?"""
    from bridge.fhir.models import PatientApp

    origin = origin.strip().lower()
    if not origin.startswith(("https://", "http://")) or origin.count("/") != 2:
        return False
    rows = PatientApp.objects.filter(
        revoked_at__isnull=True, application__allowed_origins__icontains=origin
    ).values_list("application__allowed_origins", flat=True)
    return any(origin in (o.lower() for o in text.split()) for text in rows)


def _methods(path: str) -> str:
    return "POST, OPTIONS" if path == "/oauth/token" else "GET, OPTIONS"


class SmartCorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = request.headers.get("Origin")
        if not origin or not is_cors_path(request.path):
            return self.get_response(request)
        allowed = allowed_origin(origin)
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = HttpResponse(status=204)
            if allowed:
                response["Access-Control-Allow-Methods"] = _methods(request.path)
                response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response["Access-Control-Max-Age"] = str(PREFLIGHT_SECONDS)
        else:
            response = self.get_response(request)
            if allowed:
                response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        # Only this middleware decides (oauthlib may have added its own for the token endpoint).
        for header in ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"):
            if header in response:
                del response[header]
        if allowed:
            response["Access-Control-Allow-Origin"] = origin
        patch_vary_headers(response, ("Origin",))
        return response
