"""Rate limits for the public endpoints, on Django's cache (django-ninja's sliding window).

Keyed by the client address exactly as the audit log sees it (bridge.core.middleware.client_ip,
which trusts only BRIDGE_PROXY_COUNT proxies) — ninja's own key would trust any X-Forwarded-For.
The rate is read from settings on each request, so it can be changed without a restart in tests.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

from bridge.core.middleware import client_ip


class ClientRateThrottle(SimpleRateThrottle):
    def __init__(self, scope: str, setting: str) -> None:
        self.scope = scope
        self.setting = setting
        self.rate = getattr(settings, setting)

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


def public_api_throttle() -> ClientRateThrottle:
    return ClientRateThrottle("public_api", "BRIDGE_PUBLIC_API_RATE")


def callback_allowed(request: HttpRequest) -> bool:
    """One more call-back request from this address within BRIDGE_CALLBACK_RATE?"""
    return ClientRateThrottle("callback", "BRIDGE_CALLBACK_RATE").allow_request(request)
