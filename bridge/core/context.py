"""The request context that audit events are stamped with.

A contextvar rather than a thread-local so it is correct under ASGI as well as WSGI.
Services read it instead of taking a request argument, which keeps their signatures
about the domain; code running outside a request (commands, the worker) gets the defaults.
"""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    client_ip: str | None = None
    channel: str = "system"  # "web", "api", "system"


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "bridge_request_context", default=None
)


def current() -> RequestContext:
    ctx = _current.get()
    if ctx is None:
        # Outside a request every call gets its own id, so two command runs never share one.
        return RequestContext()
    return ctx


def activate(ctx: RequestContext) -> contextvars.Token[RequestContext | None]:
    return _current.set(ctx)


def deactivate(token: contextvars.Token[RequestContext | None]) -> None:
    _current.reset(token)
