from django.conf import settings
from django.http import HttpRequest

from bridge.accounts.models import Role


def bridge(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    roles: set[str] = set()
    if user is not None and user.is_authenticated:
        roles = user.role_names()
    from bridge.core.panels import nav_items

    return {
        "nav_items": nav_items(request) if user is not None and user.is_authenticated else [],
        "BRIDGE_DEMO": settings.BRIDGE_DEMO,
        "BRIDGE_REQUIRE_MFA": settings.BRIDGE_REQUIRE_MFA,
        "user_roles": roles,
        "user_role_labels": [Role(r).label for r in sorted(roles)],
        "is_director": Role.DIRECTOR in roles,
        "is_auditor": Role.AUDITOR in roles,
        "sees_participants": bool(roles - {Role.AUDITOR}),
    }
