"""Test-wide plugins: the personas and the demo (each built once per worker), the browser, the triggers."""

import signal

import pytest
from django.db import connection

pytest_plugins = [
    "bridge.testing.snapshots",
    "bridge.testing.personas",
    "bridge.testing.demo",
    "bridge.testing.browser",
    "bridge.testing.database",
]


def pytest_sessionfinish(session, exitstatus):
    # Exit code 5 fails `make test` and .ci/run like any failure; say why, so it is never mistaken
    # for a quiet pass.
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                "No tests were collected (exit code 5): a wrong path, -k or -m, or a file that no longer "
                "collects. This is a failure.",
                red=True,
                bold=True,
            )


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


@pytest.fixture(autouse=True)
def _signal_handlers_restored():
    # `db_worker` (run by tests of the background worker) installs its own SIGINT/SIGTERM handlers
    # and leaves them; in a pytest-xdist worker they would then swallow the signals that stop it.
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    saved = {sig: signal.getsignal(sig) for sig in signals}
    yield
    for sig, handler in saved.items():
        if handler is not None and signal.getsignal(sig) is not handler:
            signal.signal(sig, handler)


def pytest_configure(config: pytest.Config) -> None:
    """Browser tests: the live test server answers one request at a time.

    Django's live server shares the test database connection with every request thread (an in-memory
    SQLite database cannot be opened twice). A page that starts several requests at once — the chart's
    sections loading after first paint, an autosave while a button is pressed — would interleave their
    transactions on that one connection. A real server gives each request its own connection, so the
    product is not at fault; the test server is made serial instead (Django closes each connection
    after its response when the server is not threaded, so the browser's other requests simply wait).
    """
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.connections_override = connections_override

    LiveServerThread.server_class = SerialWSGIServer
