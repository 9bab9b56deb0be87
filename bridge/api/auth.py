"""Who may call the JSON API: signed-in staff (session and, where required, a passed second factor),
or a machine holding a staff member's API token (`Authorization: Bearer …`, issued under bridge/fhir).

A token acts with exactly its staff member's access, like on the FHIR API. Tokens are read-only
(their scopes are SMART read scopes), so a token may call GET operations only, and needs a wildcard
user scope (`user/*.read`): the JSON API's operations are not FHIR resource types. System tokens
(outside clients under consent) belong to the FHIR API alone. Every use is audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record

if TYPE_CHECKING:
    from bridge.accounts.models import User
    from bridge.fhir.models import ApiToken


class StaffSession(SessionAuth):
    """Django session auth (with its CSRF check) that also insists on the second factor when required."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        if user is None:
            return None
        if settings.BRIDGE_REQUIRE_MFA and not user.is_verified():
            return None
        return user


def _staff_member(token: ApiToken, method: str | None) -> tuple[User | None, str]:
    """The staff member a usable token acts as on this JSON API operation, or (None, why it may not)."""
    from bridge.fhir import scopes
    from bridge.fhir.models import ApiToken

    if token.kind != ApiToken.Kind.USER or token.user is None:
        return None, "system tokens are for the FHIR API"
    if not scopes.allows(scopes.parse(token.scopes), "*", search=True):
        return None, "needs user/*.read"
    if method not in ("GET", "HEAD"):
        return None, "tokens are read-only"
    return token.user, ""


class StaffToken(HttpBearer):
    """A staff member's API token: GET operations only, as that staff member."""

    def authenticate(self, request: HttpRequest, token: str):
        from bridge.fhir.services import token_find, token_touch

        found, refusal = token_find(token)
        # A valid token that may not do this is a 403; an unusable one a 401, like no token.
        staff: User | None = None
        forbidden = ""
        if found is not None and not refusal:
            staff, forbidden = _staff_member(found, request.method)
        refusal = refusal or forbidden
        detail = {"method": request.method, "path": request.path}
        if refusal:
            detail["reason"] = refusal
        audit_record(
            action=Action.ACCESS_DENIED if refusal else Action.TOKEN_USED,
            actor=staff,
            actor_label=f"token:{found.prefix}" if found is not None else "anonymous",
            object_type="api_token",
            object_id=str(found.pk) if found is not None else "",
            outcome=Outcome.DENIED if refusal else Outcome.SUCCESS,
            detail=detail,
        )
        if found is not None and staff is not None:
            token_touch(token=found)
            request.user = staff
            return staff
        if forbidden:
            raise HttpError(403, f"This token may not do this: {forbidden}.")
        return None


staff_session = StaffSession()
staff_token = StaffToken()
# Operations for staff: a signed-in session, or a staff member's API token for reads.
staff_auth = [staff_session, staff_token]
