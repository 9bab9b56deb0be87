from django.conf import settings
from django.http import HttpRequest

from bridge.core import registry
from bridge.core.panels import Link, nav_items
from bridge.core.roles import Role


def bridge(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    roles: set[str] = set()
    if user is not None and user.is_authenticated:
        roles = user.role_names()

    items = nav_items(request) if user is not None and user.is_authenticated else []
    return {
        "nav_items": _mark_current(items, request.path),
        "page_banners": [banner.template for banner in registry.PAGE_BANNERS],
        "BRIDGE_DEMO": settings.BRIDGE_DEMO,
        "BRIDGE_IDLE_SECONDS": getattr(settings, "BRIDGE_IDLE_SECONDS", None)
        or settings.BRIDGE_IDLE_MINUTES * 60,
        "BRIDGE_REQUIRE_MFA": settings.BRIDGE_REQUIRE_MFA,
        "user_roles": roles,
        "user_role_labels": [Role(r).label for r in sorted(roles)],
        "is_director": Role.DIRECTOR in roles,
        "is_auditor": Role.AUDITOR in roles,
        "sees_participants": bool(roles - {Role.AUDITOR}),
    }


def _mark_current(items: list[Link], path: str) -> list[Link]:
    """The one entry for this page: the longest link that starts the path (/schedule/week/ is Week,
    not also Schedule at /schedule/)."""
    from dataclasses import replace

    matching = [i for i in items if path.startswith(i.url) and (i.url != "/" or path == "/")]
    best = max(matching, key=lambda i: len(i.url), default=None)
    return [replace(i, current=i is best) for i in items]
