"""The breach register: the director records an incident, sees who is affected (from the audit log),
assesses it and records the notices, with the deadlines and thresholds."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import User
from bridge.core import refusal
from bridge.privacy import breaches
from bridge.privacy.access import director_programs
from bridge.privacy.models import BreachIncident, BreachNotice
from bridge.programs.models import Program

DATE = forms.DateInput(attrs={"type": "date"})
MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"})


class IncidentForm(forms.Form):
    program = forms.ModelChoiceField(label="Program", queryset=Program.objects.none())
    title = forms.CharField(label="Incident", max_length=200)
    description = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 3}))
    discovered_on = forms.DateField(label="Discovered on", widget=DATE)
    user = forms.ModelChoiceField(
        label="Staff member whose access is in question", queryset=User.objects.none(), required=False
    )
    window_start = forms.DateTimeField(label="From", widget=MOMENT)
    window_end = forms.DateTimeField(label="To", widget=MOMENT)

    def __init__(self, *args, program_ids, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["program"]).queryset = Program.objects.filter(
            pk__in=program_ids
        )
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = (
            User.objects.filter(roles__program_id__in=program_ids).distinct().order_by("last_name")
        )


class AssessForm(forms.Form):
    assessment = forms.ChoiceField(
        label="Outcome",
        choices=[c for c in BreachIncident.Assessment.choices if c[0] != "pending"],
        widget=forms.RadioSelect,
    )
    risk_assessment = forms.CharField(
        label="Risk assessment (the information, who received it, whether it was viewed, mitigation)",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label="Notified", choices=BreachNotice.Kind.choices)
    participant: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Person", queryset=None, required=False
    )
    sent_on = forms.DateField(label="Sent on", widget=DATE)
    method = forms.CharField(label="How", max_length=200)

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["participant"]).queryset = incident.affected.all()


def breach_list(request: StaffRequest) -> HttpResponse:
    program_ids = director_programs(request)
    form = IncidentForm(request.POST or None, program_ids=program_ids)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            incident = breaches.breach_record(actor=request.user, **form.cleaned_data)
            messages.success(
                request, f"Recorded: {incident.affected.count()} people affected per the audit log."
            )
            return redirect("privacy:breach_detail", incident_id=incident.pk)
    return render(
        request,
        "privacy/breach_list.html",
        {"incidents": BreachIncident.objects.filter(program_id__in=program_ids), "form": form},
        status=400 if form.errors else 200,
    )


def breach_detail(request: StaffRequest, incident_id: uuid.UUID) -> HttpResponse:
    program_ids = director_programs(request)
    incident = BreachIncident.objects.filter(pk=incident_id, program_id__in=program_ids).first()
    if incident is None:
        raise Http404("No such incident.")
    assess = AssessForm(request.POST if request.POST.get("action") == "assess" else None)
    notice = NoticeForm(
        request.POST if request.POST.get("action") == "notice" else None,
        incident=incident,
        initial={"sent_on": timezone.localdate()},
    )
    with refusal.on_form(notice if notice.is_bound else assess):
        if assess.is_bound and assess.is_valid():
            breaches.breach_assess(actor=request.user, incident=incident, **assess.cleaned_data)
            return redirect(request.path)
        if notice.is_bound and notice.is_valid():
            breaches.breach_notice_record(actor=request.user, incident=incident, **notice.cleaned_data)
            return redirect(request.path)
    affected = list(incident.affected.all())
    return render(
        request,
        "privacy/breach_detail.html",
        {
            "incident": incident,
            "affected": affected,
            "duties": breaches.obligations(incident, len(affected)),
            "notices": incident.notices.select_related("participant"),
            "assess": assess,
            "notice_form": notice,
        },
        status=400 if (assess.errors or notice.errors) else 200,
    )
