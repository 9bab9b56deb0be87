"""Who may call the JSON API: signed-in staff (session and, where required, a passed second factor)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.security import SessionAuth


class StaffSession(SessionAuth):
    """Django session auth (with its CSRF check) that also insists on the second factor when required."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        if user is None:
            return None
        if settings.BRIDGE_REQUIRE_MFA and not user.is_verified():
            return None
        return user


staff_session = StaffSession()
