"""Aftercare check-ins in the app (/me/check-ins/<id>/): the same questions as the check-in's private
link, answered by the signed-in alumnus, recorded by the aftercare service (warning signs raise
outreach to their peer and clinician, as from the link). The private link still works."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bridge.aftercare import followup
from bridge.aftercare.models import CheckIn
from bridge.portal.access import PortalPageRequest, portal_page, portal_read
from bridge.portal.services import PortalActor

# A check-in may be answered from a few days before it falls due until its link would stop working.
EARLY_DAYS = 3

YES_NO = [("no", gettext_lazy("No")), ("yes", gettext_lazy("Yes"))]
# The PHQ-2 answers; in Spanish the published labels (bridge/instruments/spanish.py) through the .po.
PHQ2 = [
    (0, gettext_lazy("Not at all")),
    (1, gettext_lazy("Several days")),
    (2, gettext_lazy("More than half the days")),
    (3, gettext_lazy("Nearly every day")),
]
HOUSING = [
    (CheckIn.Housing.STABLE, gettext_lazy("Stable housing")),
    (CheckIn.Housing.SOBER_LIVING, gettext_lazy("Sober living")),
    (CheckIn.Housing.UNSTABLE, gettext_lazy("Unstable or at risk")),
    (CheckIn.Housing.HOMELESS, gettext_lazy("Without housing")),
]
WORK = [
    (CheckIn.Work.WORKING, gettext_lazy("Working")),
    (CheckIn.Work.SCHOOL, gettext_lazy("In school or training")),
    (CheckIn.Work.LOOKING, gettext_lazy("Looking for work")),
    (CheckIn.Work.NOT_WORKING, gettext_lazy("Not working")),
]


class AppCheckInForm(forms.Form):
    """The aftercare check-in's questions (bridge/aftercare/forms.py CheckInForm), for the participant."""

    any_use = forms.TypedChoiceField(
        label=gettext_lazy("Any alcohol or drug use since your last check-in?"),
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    cravings = forms.IntegerField(
        label=gettext_lazy("Cravings in the past week, from 0 (none) to 10 (the strongest)"),
        min_value=0,
        max_value=10,
    )
    meetings_attended = forms.IntegerField(
        label=gettext_lazy("Recovery meetings or groups you went to in the past week"),
        min_value=0,
        max_value=200,
    )
    housing = forms.ChoiceField(
        label=gettext_lazy("Where you live now"), choices=HOUSING, widget=forms.RadioSelect
    )
    work = forms.ChoiceField(label=gettext_lazy("Work"), choices=WORK, widget=forms.RadioSelect)
    phq2_interest = forms.TypedChoiceField(
        label=gettext_lazy("Past 2 weeks: little interest or pleasure in doing things"),
        choices=PHQ2,
        coerce=int,
        widget=forms.RadioSelect,
    )
    phq2_mood = forms.TypedChoiceField(
        label=gettext_lazy("Past 2 weeks: feeling down, depressed or hopeless"),
        choices=PHQ2,
        coerce=int,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=gettext_lazy("Anything else you want your peer support specialist to know (optional)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


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
