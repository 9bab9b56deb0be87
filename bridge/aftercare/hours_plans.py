"""The hours ledger's extension point: taper weeks and weeks on hold are planned floors, not shortfalls.

The ledger (bridge/scheduling/ledger.py) calls `planned_floors(participant_ids, week_start)` and
uses the returned floor instead of the level's for those participants that week.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

from bridge.aftercare.models import TaperPlan
from bridge.participants.models import CareHold
from bridge.scheduling.ledger import PlannedFloor


def planned_floors(participant_ids: list, week_start: date) -> dict[object, PlannedFloor]:
    """{participant_id: PlannedFloor} for those of `participant_ids` in a taper week starting `week_start`."""
    found: dict[object, PlannedFloor] = {}
    tapers = TaperPlan.objects.filter(
        participant_id__in=list(participant_ids), starts_on__lte=week_start
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=week_start))
    for taper in tapers.order_by("starts_on"):
        minutes = taper.floor_for(week_start)
        if minutes is None:
            continue
        week = (week_start - taper.starts_on).days // 7 + 1
        label = f"Step-down week {week} of {len(taper.weekly_minutes)}: {minutes / 60:g} h planned"
        found[taper.participant_id] = PlannedFloor(minutes=minutes, label=label)
    found.update(_weeks_on_hold(participant_ids, week_start))
    return found


def _weeks_on_hold(participant_ids: list, week_start: date) -> dict[object, PlannedFloor]:
    """A week spent wholly on hold (Monday to Sunday) expects no hours: a plan, not a shortfall.
    A week with some days in care keeps the level's floor."""
    sunday = week_start + timedelta(days=6)
    holds = CareHold.objects.filter(
        participant_id__in=list(participant_ids), starts_on__lte=week_start
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=sunday))
    return {
        hold.participant_id: PlannedFloor(
            minutes=0, label=f"On hold ({hold.get_kind_display().lower()}): no hours expected"
        )
        for hold in holds
    }
