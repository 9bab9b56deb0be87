"""Schemathesis fuzzes every JSON API operation from its OpenAPI document: never a 500, and every
response matches what the document declares (status codes, content types, bodies).

The operations are walked by hand (`as_strategy`) rather than with schemathesis' pytest plugin, whose
fixture loader does not work with this pytest version; a handful of examples each keeps it fast.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Err, Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from bridge.wsgi import application

EXAMPLES = 8


@pytest.fixture
def keep_test_connection():
    """Calls go through the real WSGI handler, which closes "old" connections after each request; like
    Django's test client, keep the test's connection (PostgreSQL would lose the test transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_never_errors_and_matches_its_schema(db, keep_test_connection):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    results = list(schema.get_all_operations())
    assert [r.err() for r in results if isinstance(r, Err)] == []
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert len(operations) >= 5

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
        )
        def fuzz(case):
            # Every check but "schema-valid data is accepted": a city the gazetteer does not know, or an
            # instrument code that does not exist, is valid by type and rightly refused with a 400/404.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        fuzz()
