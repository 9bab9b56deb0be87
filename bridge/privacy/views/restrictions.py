"""A participant's restriction requests: record one, the director decides or ends it (42 CFR 2.26)."""

from __future__ import annotations

import uuid
from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from bridge.accounts.models import Role
from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant
from bridge.privacy import restrictions
from bridge.privacy.models import Recipient, Restriction
from bridge.privacy.vocab import DataClass, Purpose, RecipientKind

DATE = forms.DateInput(attrs={"type": "date"})


class RestrictionForm(forms.Form):
    requested_on = forms.DateField(label="Requested on", widget=DATE)
    request_text = forms.CharField(
        label="What the participant asked for", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    recipient = forms.ModelChoiceField(
        label="Not to this recipient", queryset=Recipient.objects.none(), required=False
    )
    recipient_kind = forms.ChoiceField(
        label="Or not to any recipient of this kind",
        choices=[("", "—"), *RecipientKind.choices],
        required=False,
    )
    purposes = forms.MultipleChoiceField(
        label="For these purposes (none ticked: any purpose)",
        choices=Purpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    data_classes = forms.MultipleChoiceField(
        label="This information (none ticked: all)",
        choices=DataClass.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    self_paid = forms.BooleanField(
        label="About care the participant paid for out of pocket, in full", required=False
    )

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["recipient"]).queryset = Recipient.objects.filter(
            program_id=participant.program_id
        ).order_by("name")
        self.fields["requested_on"].initial = timezone.localdate(timezone=participant.program.tz)


class DecideForm(forms.Form):
    agree = forms.TypedChoiceField(
        label="Decision",
        choices=[("yes", "Agree"), ("no", "Do not agree")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note (why not, if not agreed)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _is_director(request: ParticipantRequest, participant: Participant) -> bool:
    return participant.program_id in request.user.programs_with_role(Role.DIRECTOR)


def _restriction(participant: Participant, restriction_id: uuid.UUID) -> Restriction:
    found = Restriction.objects.filter(participant=participant, pk=restriction_id).first()
    if found is None:
        raise Http404("No such restriction.")
    return found


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
def restriction_list(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form = RestrictionForm(request.POST if request.method == "POST" else None, participant=participant)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            restriction = restrictions.restriction_request(
                actor=request.user, participant=participant, **form.cleaned_data
            )
            messages.success(request, f"Recorded: {restriction.get_status_display()}.")
            return redirect("privacy:restriction_list", participant_id=participant.pk)
    return render(
        request,
        "privacy/restriction_list.html",
        {
            "participant": participant,
            "restrictions": Restriction.objects.filter(participant=participant).select_related(
                "recipient", "decided_by"
            ),
            "form": form,
            "can_record": Cap.DOCUMENT in request.participant_caps,
            "is_director": _is_director(request, participant),
            "decide_form": DecideForm(),
        },
        status=400 if form.errors else 200,
    )


@participant_view(post=Cap.CHART, get=False)
def restriction_decide(
    request: ParticipantRequest, participant: Participant, restriction_id: uuid.UUID
) -> HttpResponse:
    restriction = _restriction(participant, restriction_id)
    if not _is_director(request, participant):
        raise PermissionDenied("The program director decides restriction requests.")
    form = DecideForm(request.POST)
    if form.is_valid():
        with refusal.as_message(request):
            restrictions.restriction_decide(
                actor=request.user,
                restriction=restriction,
                agree=form.cleaned_data["agree"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, f"Decided: {restriction.get_status_display()}.")
    else:
        messages.error(request, "Choose a decision.")
    return redirect("privacy:restriction_list", participant_id=participant.pk)


@participant_view(post=Cap.CHART, get=False)
def restriction_end(
    request: ParticipantRequest, participant: Participant, restriction_id: uuid.UUID
) -> HttpResponse:
    restriction = _restriction(participant, restriction_id)
    if not _is_director(request, participant):
        raise PermissionDenied("The program director ends restrictions.")
    with refusal.as_message(request):
        restrictions.restriction_end(
            actor=request.user, restriction=restriction, note=request.POST.get("note", "")
        )
    return redirect("privacy:restriction_list", participant_id=participant.pk)
