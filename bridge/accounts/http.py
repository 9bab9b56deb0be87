"""Request types for type checking staff views."""

from __future__ import annotations

from django.http import HttpRequest

from bridge.accounts.models import User


class StaffRequest(HttpRequest):
    """For type checking: a request to a staff page. `LoginRequiredMiddleware` lets only a signed-in
    user reach one (views marked `login_not_required` excepted), so `user` is a User."""

    user: User
