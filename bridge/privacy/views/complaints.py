"""The director's privacy complaint log."""

from __future__ import annotations

import uuid
from typing import cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from bridge.accounts.http import StaffRequest
from bridge.core import refusal
from bridge.participants.models import Participant
from bridge.privacy import complaints, notices
from bridge.privacy.access import director_programs
from bridge.privacy.models import Complaint
from bridge.programs.models import Program

DATE = forms.DateInput(attrs={"type": "date"})


class ComplaintForm(forms.Form):
    program = forms.ModelChoiceField(label="Program", queryset=Program.objects.none())
    received_on = forms.DateField(label="Received on", widget=DATE)
    complainant = forms.CharField(label="From", max_length=200)
    received_how = forms.CharField(label="How it came", max_length=100)
    participant = forms.ModelChoiceField(
        label="About participant (if any)", queryset=Participant.objects.none(), required=False
    )
    summary = forms.CharField(label="The complaint", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, program_ids, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["program"]).queryset = Program.objects.filter(
            pk__in=program_ids
        )
        cast(forms.ModelChoiceField, self.fields["participant"]).queryset = Participant.objects.filter(
            program_id__in=program_ids
        ).order_by("last_name", "first_name")
        self.fields["received_on"].initial = timezone.localdate()


class CloseForm(forms.Form):
    action_taken = forms.CharField(label="What was done", widget=forms.Textarea(attrs={"rows": 2}))
    closed_on = forms.DateField(label="Closed on", widget=DATE)


def complaint_list(request: StaffRequest) -> HttpResponse:
    program_ids = director_programs(request)
    form = ComplaintForm(request.POST or None, program_ids=program_ids)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            complaints.complaint_record(actor=request.user, **form.cleaned_data)
            messages.success(request, "Recorded.")
            return redirect("privacy:complaint_list")
    return render(
        request,
        "privacy/complaint_list.html",
        {
            "complaints": Complaint.objects.filter(program_id__in=program_ids).select_related("participant"),
            "form": form,
            "close_form": CloseForm(initial={"closed_on": timezone.localdate()}),
            "non_retaliation": notices.NON_RETALIATION,
        },
        status=400 if form.errors else 200,
    )


def complaint_close(request: StaffRequest, complaint_id: uuid.UUID) -> HttpResponse:
    program_ids = director_programs(request)
    complaint = Complaint.objects.filter(pk=complaint_id, program_id__in=program_ids).first()
    if complaint is None:
        raise Http404("No such complaint.")
    form = CloseForm(request.POST)
    if request.method != "POST" or not form.is_valid():
        messages.error(request, "Say what was done and when.")
        return redirect("privacy:complaint_list")
    with refusal.as_message(request):
        complaints.complaint_close(actor=request.user, complaint=complaint, **form.cleaned_data)
    return redirect("privacy:complaint_list")
