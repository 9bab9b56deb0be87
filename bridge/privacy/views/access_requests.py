"""The participant's requests for a copy of their records: record, produce, download, deliver."""

from __future__ import annotations

import json
import uuid

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant
from bridge.privacy import access_requests, pdf
from bridge.privacy.models import AccessRequest
from bridge.privacy.views.common import file_response
from bridge.privacy.vocab import GENERAL_CLASSES, Channel, DataClass

DATE = forms.DateInput(attrs={"type": "date"})


class AccessRequestForm(forms.Form):
    requested_on = forms.DateField(label="Requested on", widget=DATE)
    request_text = forms.CharField(
        label="What the participant asked for", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    data_classes = forms.MultipleChoiceField(
        label="Information to copy",
        choices=[(c, DataClass(c).label) for c in GENERAL_CLASSES],
        widget=forms.CheckboxSelectMultiple,
    )
    date_from = forms.DateField(label="Records dated from", widget=DATE)
    date_to = forms.DateField(label="to", widget=DATE)


class DeliverForm(forms.Form):
    delivered_on = forms.DateField(label="Delivered on", widget=DATE)
    how = forms.ChoiceField(label="How", choices=Channel.choices)


def _request(participant: Participant, request_id: uuid.UUID) -> AccessRequest:
    found = AccessRequest.objects.filter(participant=participant, pk=request_id).first()
    if found is None:
        raise Http404("No such request.")
    return found


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
def access_request_list(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    today = timezone.localdate(timezone=participant.program.tz)
    form = AccessRequestForm(
        request.POST or None,
        initial={"requested_on": today, "date_to": today, "date_from": participant.created_at.date()},
    )
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            found = access_requests.access_request_record(
                actor=request.user, participant=participant, **form.cleaned_data
            )
            messages.success(request, f"Recorded. The copy is due by {found.due_on:%B %-d, %Y}.")
            return redirect(
                "privacy:access_request_detail", participant_id=participant.pk, request_id=found.pk
            )
    return render(
        request,
        "privacy/access_request_list.html",
        {
            "participant": participant,
            "requests": AccessRequest.objects.filter(participant=participant).order_by("-requested_on"),
            "form": form,
            "can_record": Cap.DOCUMENT in request.participant_caps,
            "today": today,
        },
        status=400 if form.errors else 200,
    )


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
def access_request_detail(
    request: ParticipantRequest, participant: Participant, request_id: uuid.UUID
) -> HttpResponse:
    found = _request(participant, request_id)
    deliver = DeliverForm(
        request.POST if request.POST.get("action") == "deliver" else None,
        initial={"delivered_on": timezone.localdate(timezone=participant.program.tz)},
    )
    if request.method == "POST":
        with refusal.on_form(deliver):
            if request.POST.get("action") == "produce":
                access_requests.access_request_produce(actor=request.user, request=found)
                messages.success(request, "The copy is ready: download it and give it to the participant.")
                return redirect(request.path)
            if deliver.is_valid():
                access_requests.access_request_deliver(
                    actor=request.user, request=found, **deliver.cleaned_data
                )
                messages.success(request, "Delivery recorded.")
                return redirect(request.path)
    return render(
        request,
        "privacy/access_request_detail.html",
        {
            "participant": participant,
            "req": found,
            "deliver": deliver,
            "can_record": Cap.DOCUMENT in request.participant_caps,
        },
        status=400 if deliver.errors else 200,
    )


@participant_view(Cap.CHART)
def access_request_file(
    request: ParticipantRequest, participant: Participant, request_id: uuid.UUID, fmt: str
) -> HttpResponse:
    found = _request(participant, request_id)
    if found.package is None or fmt not in ("pdf", "json"):
        raise Http404("No copy yet.")
    if fmt == "pdf":
        return file_response(pdf.disclosure_pdf(found.package), "application/pdf", f"records-{found.pk}.pdf")
    body = json.dumps(found.package["bundle"], indent=2, sort_keys=True).encode()
    return file_response(body, "application/fhir+json", f"records-{found.pk}.json")
