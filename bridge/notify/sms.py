"""Text messages go through a pluggable sender; settings.BRIDGE_SMS_SENDER names the class.

A sender has one method, `send(to, body)`, and raises on failure. The console sender prints
(the demo's default, like Django's console email backend); the memory sender keeps an outbox for
tests. A real gateway is a small class outside this module.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsSender(Protocol):
    def send(self, to: str, body: str) -> None: ...


class ConsoleSmsSender:
    def send(self, to: str, body: str) -> None:
        sys.stdout.write(f"SMS to {to}: {body}\n")
        sys.stdout.flush()


outbox: list[tuple[str, str]] = []


class MemorySmsSender:
    """Keeps messages in `bridge.notify.sms.outbox` (the test sender)."""

    def send(self, to: str, body: str) -> None:
        outbox.append((to, body))


@cache
def _sender_class(path: str) -> type:
    return import_string(path)


def sms_sender() -> SmsSender:
    return _sender_class(settings.BRIDGE_SMS_SENDER)()
