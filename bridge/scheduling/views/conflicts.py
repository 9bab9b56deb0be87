"""The week's conflicts (directors and front desk), and how views show a refused booking."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bridge.accounts.http import StaffRequest
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core.weeks import iso_week
from bridge.scheduling import conflicts as cc
from bridge.scheduling.access import require_schedule_program
from bridge.scheduling.conflicts.form_errors import show_conflicts  # noqa: F401  (re-exported)
from bridge.scheduling.views.hours import _week


@require_http_methods(["GET"])
def conflicts_week(request: StaffRequest) -> HttpResponse:
    """Every conflict of the program's sessions in a week, one a line, in time order."""
    program = require_schedule_program(request, "schedule_conflicts")
    form, week = _week(request, program)
    found = cc.week_conflicts(program, week)
    tz = program.tz
    rows = []
    for wc in found:
        s = wc.session
        rows.append(
            {
                "session": s,
                "start": timezone.localtime(s.starts_at, tz),
                "end": timezone.localtime(s.ends_at, tz),
                "conflict": wc.conflict,
                "accepted": wc.accepted,
            }
        )
    audit_record(
        action=Action.SEARCH,
        actor=request.user,
        object_type="schedule_conflicts",
        object_id=str(program.pk),
        detail={"week": iso_week(week), "shown": len(rows)},
    )
    from datetime import timedelta

    context = {
        "program": program,
        "form": form,
        "week": week,
        "week_label": iso_week(week),
        "prev_week": iso_week(week - timedelta(weeks=1)),
        "next_week": iso_week(week + timedelta(weeks=1)),
        "extra_qs": f"&program={program.pk}",
        "rows": rows,
        "open": sum(1 for r in rows if r["accepted"] is None),
    }
    bad = form.is_bound and not form.is_valid()
    return render(request, "scheduling/conflicts.html", context, status=400 if bad else 200)
