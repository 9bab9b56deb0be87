"""The JSON API at /api/v1/, described by OpenAPI at /api/v1/openapi.json with docs at /api/v1/docs.

Each app contributes endpoints by defining `api.py` with `router = ninja.Router(...)` and
`API_PREFIX = "..."`; they are mounted here in INSTALLED_APPS order.

Closed by default: an operation that says nothing about authentication needs a signed-in staff
member or a staff member's API token (`bridge.api.auth.staff_auth`). A public operation must say
`auth=None` on its decorator, and be added to the short public list in
bridge/api/tests/test_security.py, which checks every operation in the OpenAPI document.
"""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest
from django.urls import URLPattern
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.errors import Throttled as NinjaThrottled

from bridge.api.auth import staff_auth
from bridge.api.errors import ApiError, error_body, field_path
from bridge.core.registry import app_modules


class BridgeAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document also declares the answers the framework itself gives.

    Any operation may answer 400 (hostile input is refused before the operation runs). Every
    operation that needs a signed-in session may answer 401 (and 403 when the CSRF check
    fails); declaring them here, once, keeps the document true for every app's router without each
    endpoint repeating them (schemathesis checks it: bridge/api/tests/test_schemathesis.py).
    """

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                # Any request may be refused before it reaches its operation: control characters or
                # text over the ceiling in the path or a parameter (core.middleware.HostileInputMiddleware).
                operation["responses"].setdefault(400, {"description": "Bad request", **error})
                if operation.get("security"):
                    responses = operation["responses"]
                    responses.setdefault(401, {"description": "Not signed in", **error})
                    responses.setdefault(403, {"description": "Not allowed", **error})
        return schema


api = BridgeAPI(
    title="Bridge API",
    version="1",
    description=(
        "Bridge's JSON API (instruments, placement, schedule, attendance, directory). Errors are "
        '`{"error": {"code", "message", "field"}}`: 400 names the field at fault; 401/403/404 as usual. '
        "Clinical data over FHIR lives at /fhir/."
    ),
    urls_namespace="api",
    auth=staff_auth,  # closed by default; public operations say auth=None
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {"loc": [], "msg": "Invalid input"}
    field = field_path(first.get("loc", []))
    message = f"{field}: {first.get('msg', 'invalid')}"
    return api.create_response(request, error_body(message, field=field), status=400)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError):
    return api.create_response(
        request, error_body(exc.message, field=exc.field, code=exc.code), status=exc.status
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc):
    return api.create_response(
        request, error_body("Sign in or send a valid token.", code="unauthorized"), status=401
    )


@api.exception_handler(NinjaThrottled)
def _throttled(request: HttpRequest, exc):
    return api.create_response(
        request, error_body("Too many requests; slow down.", code="throttled"), status=429
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(request, error_body(str(exc), code="error"), status=exc.status_code)


def _mount_routers() -> None:
    for _config, module in app_modules("api"):
        api.add_router(module.API_PREFIX, module.router)


_mount_routers()


def urls():
    """The API's URL patterns; authentication is per endpoint, so the site-wide login redirect is off."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if not isinstance(pattern, URLPattern) or pattern.callback is None:
            continue
        view = pattern.callback
        if pattern.name == "openapi-view":
            # Swagger UI sets inline styles; allow them on the docs page only (scripts stay 'self').
            view = csp_update({"style-src": [UNSAFE_INLINE]})(view)
        pattern.callback = login_not_required(view)
    return patterns, app_name, namespace
