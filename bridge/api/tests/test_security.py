"""The JSON API fails closed: every operation needs staff sign-in or a token unless it is on the public list.

An operation whose author forgot to say anything about authentication is closed (the API's default
is `staff_auth`). Opening one takes `auth=None` on its decorator *and* an entry here, in review.
"""

from __future__ import annotations

import re

import pytest

from bridge.api.main import api

# (method, path) of the operations anyone may call without signing in, and why.
PUBLIC = {
    # The public directory (the /find/ pages' data).
    ("GET", "/api/v1/directory/search"),
    ("GET", "/api/v1/directory/listings/{listing_id}"),
    # Instrument definitions, scoring and placement: stateless, nothing stored, rate-limited.
    ("GET", "/api/v1/instruments"),
    ("GET", "/api/v1/instruments/{code}"),
    ("POST", "/api/v1/instruments/{code}/score"),
    ("POST", "/api/v1/placement"),
}
STAFF: list[dict[str, list[str]]] = [{"StaffSession": []}, {"StaffToken": []}]


def _operations() -> list[tuple[str, str, dict]]:
    doc = api.get_openapi_schema(path_prefix="/api/v1")
    return [
        (method.upper(), path, operation)
        for path, operations in doc["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_operation_declares_staff_security_or_is_on_the_public_list():
    operations = _operations()
    assert len(operations) > len(PUBLIC)
    unexpected = {
        (method, path): operation.get("security")
        for method, path, operation in operations
        if (method, path) not in PUBLIC and operation.get("security") != STAFF
    }
    assert unexpected == {}, "operations open to anyone (say auth=None and list them here if meant)"
    # The list stays short and true: each entry is an operation that is really open.
    open_ones = {(method, path) for method, path, operation in operations if not operation.get("security")}
    assert open_ones == PUBLIC


def test_the_api_default_is_staff_sign_in_or_a_token():
    from bridge.api.auth import staff_session, staff_token

    assert api.auth == [staff_session, staff_token]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    sorted((m, p) for m, p, _ in _operations() if (m, p) not in PUBLIC),
)
def test_an_anonymous_call_to_a_closed_operation_is_refused(client, method, path):
    url = re.sub(r"\{[^}]+\}", "6d7f1f9e-0000-4000-8000-000000000000", path)
    response = client.get(url) if method == "GET" else client.post(url, {}, content_type="application/json")
    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == "unauthorized"
