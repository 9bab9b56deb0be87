"""Test-wide plugins: personas per role and the browser fixture."""

import pytest
from django.db import connection

pytest_plugins = ["bridge.testing.personas", "bridge.testing.browser"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(autouse=True)
def _postgres_only(request):
    if request.node.get_closest_marker("postgres_only"):
        request.getfixturevalue("db")
        if connection.vendor != "postgresql":
            pytest.skip("PostgreSQL-only; .ci/run runs it against PostgreSQL")
