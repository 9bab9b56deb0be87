"""Logging that never writes a private link's token: a 4xx on /m/<token>/ is logged as /m/[token]/."""

from __future__ import annotations

import logging
import re

# The public pages that authenticate by a token in the path (measures, aftercare plan and check-in,
# calendar feeds, the safety plan's link, a document signed on the participant's phone). Django's
# request logger writes the path of every 4xx/5xx answer.
_TOKEN_PATH = re.compile(
    r"/(m|my-plan|check-in|calendar|my-safety-plan|sign)/(?!new-link/|reminders/|revoke/)[^/\s?]+"
)


def redact(text: str) -> str:
    return _TOKEN_PATH.sub(lambda m: f"/{m.group(1)}/[token]", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True
