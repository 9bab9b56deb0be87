"""Who may call the JSON API: signed-in staff (session and, where required, a passed second factor),
or a machine holding a staff member's API token (`Authorization: Bearer …`, issued under bridge/fhir).

A token acts with exactly its staff member's access, like on the FHIR API. Tokens are read-only
(their scopes are SMART read scopes), so a token may call GET operations only, and needs a wildcard
user scope (`user/*.read`): the JSON API's operations are not FHIR resource types. System tokens
(outside clients under consent) belong to the FHIR API alone. Every use is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record


class StaffSession(SessionAuth):
    """Django session auth (with its CSRF check) that also insists on the second factor when required."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        if user is None:
            return None
        if settings.BRIDGE_REQUIRE_MFA and not user.is_verified():
            return None
        return user


class StaffToken(HttpBearer):
    """A staff member's API token: GET operations only, as that staff member."""

    def authenticate(self, request: HttpRequest, token: str):
        from bridge.core.tokens import token_hash
        from bridge.fhir import scopes
        from bridge.fhir.models import ApiToken
        from bridge.fhir.services import token_touch

        found = ApiToken.objects.select_related("user").filter(token_hash=token_hash(token.strip())).first()
        refusal = None
        if found is None:
            refusal = "unknown token"
        elif not found.is_usable_at(timezone.now()):
            refusal = found.status
        elif found.kind != ApiToken.Kind.USER or found.user is None:
            refusal = "system tokens are for the FHIR API"
        elif not found.user.is_active:
            refusal = "user deactivated"
        elif not scopes.allows(scopes.parse(found.scopes), "*", search=True):
            refusal = "needs user/*.read"
        elif request.method not in ("GET", "HEAD"):
            refusal = "tokens are read-only"
        detail = {"method": request.method, "path": request.path}
        if refusal:
            detail["reason"] = refusal
        audit_record(
            action=Action.TOKEN_USED if refusal is None else Action.ACCESS_DENIED,
            actor=found.user if found is not None and found.user is not None and refusal is None else None,
            actor_label=f"token:{found.prefix}" if found is not None else "anonymous",
            object_type="api_token",
            object_id=str(found.pk) if found is not None else "",
            outcome=Outcome.SUCCESS if refusal is None else Outcome.DENIED,
            detail=detail,
        )
        if refusal is None:
            token_touch(token=found)
            request.user = found.user
            return found.user
        if refusal in ("needs user/*.read", "tokens are read-only", "system tokens are for the FHIR API"):
            raise HttpError(403, f"This token may not do this: {refusal}.")
        return None


staff_session = StaffSession()
staff_token = StaffToken()
# Operations for staff: a signed-in session, or a staff member's API token for reads.
staff_auth = [staff_session, staff_token]
