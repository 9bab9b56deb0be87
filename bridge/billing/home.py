"""Home panel for directors, billing staff and the front desk: authorizations running out or due for
review, and sessions on the calendar that fall outside any authorization."""

from __future__ import annotations

from bridge.billing import queries
from bridge.billing.access import WORKLIST_ROLES
from bridge.core.panels import Panel


def panels(request) -> list[Panel]:
    programs = request.user.programs_with_role(*WORKLIST_ROLES)
    if not programs:
        return []

    def context() -> dict:
        return {
            "usages": queries.authorization_worklist(programs),
            "outside": queries.calendar_outside_authorization(programs),
        }

    # The heaviest panel of Home (issue 21): it loads after the page (core.views.home_panel), so
    # the page itself runs none of its queries. The template shows nothing when nothing is due.
    return [
        Panel(
            "billing/panels/authorizations.html",
            context,
            order=12,
            lazy="authorizations",
            title="authorizations to watch",
        )
    ]
