"""Staff turn a participant's app on or off, and see their requests from it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant
from bridge.portal import services
from bridge.portal.models import ParticipantAccount, PortalRequest


def _page(request: ParticipantRequest, participant: Participant, status: int = 200) -> HttpResponse:
    account = ParticipantAccount.objects.filter(participant=participant).first()
    requests = PortalRequest.objects.filter(participant=participant).select_related("session", "work_item")[
        :20
    ]
    context = {
        "participant": participant,
        "account": account,
        "requests": requests,
        "contacts": services.contacts(participant),
        "can_edit": Cap.EDIT in request.participant_caps,
    }
    return render(request, "portal/staff/account.html", context, status=status)


@participant_view(Cap.VIEW)
def staff_account(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    return _page(request, participant)


@participant_view(post=Cap.EDIT, get=False)
def staff_account_open(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    with refusal.as_message(request):
        services.portal_account_open(actor=request.user, participant=participant)
        messages.success(request, f"{participant.display_name} can now sign in to their app at /me/.")
        return redirect("portal:staff_account", participant_id=participant.pk)
    return _page(request, participant, status=400)


@participant_view(post=Cap.EDIT, get=False)
def staff_account_close(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    account = ParticipantAccount.objects.filter(participant=participant).first()
    if account is not None:
        services.portal_account_close(actor=request.user, account=account)
        messages.success(request, "The app is turned off; every open session has ended.")
    return redirect("portal:staff_account", participant_id=participant.pk)
