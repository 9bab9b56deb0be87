"""Aftercare check-ins in the app (/me/check-ins/<id>/): the same questions as the check-in's private
link, answered by the signed-in alumnus, recorded by the aftercare service (warning signs raise
outreach to their peer and clinician, as from the link). The private link still works."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bridge.aftercare import followup
from bridge.aftercare.models import CheckIn
from bridge.portal.access import PortalPageRequest, portal_page, portal_read
from bridge.portal.checkin_forms import AppCheckInForm
from bridge.portal.services import PortalActor

# A check-in may be answered from a few days before it falls due until its link would stop working.
EARLY_DAYS = 3


def _answerable(participant):
    today = timezone.localdate(timezone=participant.program.tz)
    return CheckIn.objects.filter(
        participant=participant,
        status__in=[CheckIn.Status.PENDING, CheckIn.Status.MISSED],
        due_on__lte=today + timedelta(days=EARLY_DAYS),
        due_on__gte=today - timedelta(days=followup.CHECKIN_LINK_DAYS),
    )


def due_checkin(participant) -> CheckIn | None:
    """Their check-in to answer now, if one is due (one query)."""
    return _answerable(participant).order_by("due_on").first()


def _own_checkin(request: PortalPageRequest, checkin_id: uuid.UUID) -> CheckIn:
    """Their own check-in that can be answered now, else 404 (the same for someone else's)."""
    found = (
        _answerable(request.portal_account.participant)
        .select_related("participant__program")
        .filter(pk=checkin_id)
        .first()
    )
    if found is None:
        raise Http404("No check-in to answer.")
    return found


@portal_page
@require_http_methods(["GET", "POST"])
def checkin(request: PortalPageRequest, checkin_id: uuid.UUID) -> HttpResponse:
    found = _own_checkin(request, checkin_id)
    form = AppCheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The aftercare service takes a staff user or None; the participant is named by the label
        # (as the app's own services do with `PortalActor`) and the check-in is theirs.
        followup.checkin_record(
            actor=None,
            label=PortalActor(request.portal_account).audit_label,
            checkin=found,
            method=CheckIn.Method.LINK,
            **form.cleaned_data,
        )
        messages.success(
            request, _("Thank you. Your peer support specialist sees your answers and may call you.")
        )
        return redirect("portal:home")
    if request.method == "GET":
        portal_read(request, object_type="checkin", object_id=str(found.pk))
    return render(
        request,
        "portal/checkin.html",
        {"form": form, "checkin": found, "program": found.participant.program},
        status=400 if form.errors else 200,
    )
