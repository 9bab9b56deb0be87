"""Private links' tokens never reach the log, even when Django logs a bad request on one."""

from __future__ import annotations

import logging

import pytest

from bridge.core.logging import RedactTokens, redact


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/m/abcDEF123_-x/", "/m/[token]/"),
        ("/my-plan/secret-token/", "/my-plan/[token]/"),
        ("/check-in/s3cret/", "/check-in/[token]/"),
        ("/calendar/tok.ics", "/calendar/[token]"),
        ("/my-safety-plan/s4fety-t0ken/", "/my-safety-plan/[token]/"),
        ("/sign/p4per-t0ken/", "/sign/[token]/"),
        ("/participants/0b7c/plan/versions/9f1e/sign/", "/participants/0b7c/plan/versions/9f1e/sign/"),
        ("/groups/9f1e/sign/", "/groups/9f1e/sign/"),
        ("/participants/0b7c/calendar/new-link/", "/participants/0b7c/calendar/new-link/"),
        ("/me/calendar/", "/me/calendar/"),
        ("/schedule/week/", "/schedule/week/"),
    ],
)
def test_token_paths_are_redacted(path, logged):
    assert redact(path) == logged


def test_the_request_loggers_record_is_redacted_by_the_configured_handler():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "%s: %s", ("Bad Request", "/m/abc/"), None
    )
    RedactTokens().filter(record)
    assert record.getMessage() == "Bad Request: /m/[token]/"
    handlers = logging.getLogger().handlers
    assert any(isinstance(f, RedactTokens) for h in handlers for f in h.filters)
