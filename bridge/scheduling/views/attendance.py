"""The attendance screen: a whole roster on one page, one Save."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bridge.accounts.http import StaffRequest
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.scheduling.access import session_for
from bridge.scheduling.forms import AttendanceRowForm
from bridge.scheduling.models import Attendance
from bridge.scheduling.services.attendance import Mark, attendance_record, row_version


def _prefix(participant_id: uuid.UUID) -> str:
    return f"a{participant_id.hex[:12]}"


def _forms(session, roster, data=None) -> list[AttendanceRowForm]:
    tz = session.program.tz
    start, end = (
        timezone.localtime(session.starts_at, tz).time(),
        timezone.localtime(session.ends_at, tz).time(),
    )
    forms = []
    for row in roster:
        recorded = row.status != Attendance.Status.EXPECTED
        status = str(row.status if recorded else Attendance.Status.PRESENT)
        arrived = timezone.localtime(row.arrived_at, tz).time() if row.arrived_at else start
        departed = timezone.localtime(row.departed_at, tz).time() if row.departed_at else end
        form = AttendanceRowForm(
            data,
            initial={"status": status, "arrived": arrived, "departed": departed},
            session=session,
            name=row.participant.display_name,
            prefix=_prefix(row.participant_id),
        )
        # What this page shows for the row (its version and values), sent back with the save.
        form.seen = "|".join([row_version(row), status, f"{arrived:%H:%M}", f"{departed:%H:%M}"])
        forms.append(form)
    return forms


def _untouched_and_stale(row, form, data) -> bool:
    """True when the user left the row as the page showed it and someone saved it since: keep theirs."""
    seen = data.get(f"{form.prefix}-seen")
    if not seen or seen.count("|") != 3:
        return False
    version, *shown = seen.split("|")
    posted = [data.get(f"{form.prefix}-{name}", "") for name in ("status", "arrived", "departed")]
    return posted == shown and version != row_version(row)


def _seen_version(form, data) -> str | None:
    seen = data.get(f"{form.prefix}-seen")
    return seen.split("|", 1)[0] if seen and seen.count("|") == 3 else None


def _roster(session):
    return list(
        Attendance.objects.filter(session=session)
        .select_related("participant", "recorded_by")
        .annotate(corrections=Count("changes"))
        .order_by("participant__last_name", "participant__first_name")
    )


@require_http_methods(["GET", "POST"])
def attendance(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
    session = session_for(request, session_id)
    roster = _roster(session)
    forms = _forms(session, roster, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if all(f.is_valid() for f in forms):
            # A row left as shown that someone else saved meanwhile is not part of this save; a row
            # changed here that someone else saved meanwhile is refused by the service.
            marks = [
                Mark(
                    participant_id=row.participant_id,
                    status=f.cleaned_data["status"],
                    arrived_at=f.cleaned_data["arrived_at"],
                    departed_at=f.cleaned_data["departed_at"],
                    seen=_seen_version(f, request.POST),
                )
                for row, f in zip(roster, forms, strict=True)
                if not _untouched_and_stale(row, f, request.POST)
            ]
            with refusal.on_form(forms[0], at_top=True):
                changed = attendance_record(
                    actor=request.user,
                    session=session,
                    marks=marks,
                    early_reason=request.POST.get("early_reason", ""),
                )
                messages.success(request, f"Attendance saved ({len(changed)} changed).")
                return redirect("scheduling:attendance", session.pk)
        status = 400
    else:
        for row in roster:
            audit_record(
                action=Action.READ,
                actor=request.user,
                participant=row.participant,
                object_type="attendance",
                object_id=str(row.pk),
                detail={"view": "scheduling:attendance", "session": str(session.pk)},
            )
    errors = [e for f in forms for e in f.non_field_errors()]
    context = {
        "session": session,
        "rows": list(zip(roster, forms, strict=True)),
        "errors": errors,
        "has_errors": status == 400,
        "tz": session.program.tz,
        "not_started": timezone.now() < session.starts_at,
        "early_reason": request.POST.get("early_reason", ""),
    }
    return render(request, "scheduling/attendance.html", context, status=status)
