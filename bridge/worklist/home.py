"""Home-page panel: the signed-in person's open work items."""

from __future__ import annotations

from bridge.core.panels import Panel
from bridge.worklist.models import WorkItem


def panels(request) -> list[Panel]:
    items = list(
        WorkItem.objects.filter(assigned_to=request.user, status=WorkItem.Status.OPEN)
        .select_related("participant")
        .order_by("-urgent", "due_on", "created_at")[:50]
    )
    if not items:
        return []
    return [Panel("worklist/panels/mine.html", {"items": items}, order=3)]
