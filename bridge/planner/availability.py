"""The planner's weekly hours, offered to scheduling's booking-conflict check through the registry
(`bridge.core.registry`): scheduling never imports the planner."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from bridge.core.contracts import WeeklyBlock
from bridge.planner.models import ClinicianHours, ParticipantTimeBlock


def participant_busy_hours(participant_ids: Collection[Any], /) -> Iterable[WeeklyBlock]:
    return (
        ParticipantTimeBlock.objects.filter(
            participant_id__in=participant_ids, kind__in=ParticipantTimeBlock.BUSY
        )
        .order_by()
        .values_list("participant_id", "weekday", "start_time", "end_time", "kind")
    )


def staff_working_hours(program: Any, staff_ids: Collection[Any], /) -> Iterable[WeeklyBlock]:
    return (
        (staff_id, weekday, start, end, "work")
        for staff_id, weekday, start, end in ClinicianHours.objects.filter(
            program=program, staff_id__in=staff_ids
        )
        .order_by()
        .values_list("staff_id", "weekday", "start_time", "end_time")
    )
