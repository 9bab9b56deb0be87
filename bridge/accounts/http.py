"""Request types for type checking staff views."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from bridge.accounts.models import User


class StaffRequest(HttpRequest):
    """For type checking: a request to a staff page. `LoginRequiredMiddleware` lets only a signed-in
    user reach one (views marked `login_not_required` excepted), so `user` is a User."""

    user: User


def mfa_verified(request: StaffRequest) -> bool:
    """Whether this session passed its second factor (django-otp's `OTPMiddleware` gives the request's
    user `is_verified()`; the User model itself does not have it)."""
    is_verified: Callable[[], bool] = request.user.is_verified  # type: ignore[attr-defined]  # set by OTPMiddleware
    return is_verified()
