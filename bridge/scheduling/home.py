"""Home-page panel: today's sessions to take attendance for (one's own; directors and front desk: all)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from bridge.core.panels import Panel
from bridge.scheduling.access import SCHEDULE_ROLES
from bridge.scheduling.models import Attendance, Session


def panels(request) -> list[Panel]:
    user = request.user
    program = user.primary_program()
    if program is None or user.is_auditor_only:
        return []
    tz = program.tz
    today = timezone.localtime(timezone.now(), tz).date()
    start = datetime.combine(today, time(0), tzinfo=tz)
    everyone = user.programs_with_role(*SCHEDULE_ROLES)
    sessions = list(
        Session.objects.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
        .filter(Q(program_id__in=everyone) | Q(staff=user, program_id__in=user.program_ids()))
        .exclude(status=Session.Status.CANCELLED)
        .select_related("room", "staff", "session_type")
        .annotate(
            roster=Count("attendance"),
            to_take=Count("attendance", filter=Q(attendance__status=Attendance.Status.EXPECTED)),
        )
        .order_by("starts_at")[:30]
    )
    if not sessions:
        return []
    return [Panel("scheduling/panels/today.html", {"sessions": sessions, "today": today, "tz": tz}, order=4)]
