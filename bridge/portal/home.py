"""Home-page panels of the participant app's staff side: new messages from participants (for the
care team who may read them) and, for directors, the link to their program's app settings."""

from __future__ import annotations

from bridge.accounts.models import Role
from bridge.core.panels import Panel
from bridge.portal import messaging
from bridge.programs.models import Program


def panels(request) -> list[Panel]:
    user = request.user
    found: list[Panel] = []
    # Only roles that may be on a care team with Cap.FOLLOW_UP ask the database (one query).
    if user.role_names() - {Role.AUDITOR, Role.FRONT_DESK, Role.BILLING}:
        unread = messaging.unread_for_staff(user)
        if unread:
            total = sum(row.count for row in unread)
            found.append(Panel("portal/panels/messages.html", {"rows": unread, "total": total}, order=2))
    directed = user.programs_with_role(Role.DIRECTOR)
    if directed:
        programs = list(Program.objects.filter(pk__in=directed).order_by("name"))
        found.append(Panel("portal/panels/app_settings.html", {"programs": programs}, order=90))
    return found
