"""Staff turn a participant's app on or off, and see their requests from it; directors set the
program's app settings."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bridge.accounts.http import StaffRequest
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant
from bridge.portal import program_settings, services
from bridge.portal.access import directed_program
from bridge.portal.forms import AppSettingsForm
from bridge.portal.models import ParticipantAccount, ParticipantAppSettings, PortalRequest


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


# --- i19a: the director's settings of the participants' app ------------------------------------------


@require_http_methods(["GET", "POST"])
def app_settings(request: StaffRequest, program_id: uuid.UUID) -> HttpResponse:
    """Office hours (when messages are read; outside them the app answers with 988 and 911),
    whether participants see their measures and which signed notes they read: the program's
    directors only (others get 404)."""
    program = directed_program(request, program_id)
    current = ParticipantAppSettings.for_program(program)
    initial = {
        "office_days": current.office_days,
        "opens_at": current.opens_at,
        "closes_at": current.closes_at,
        "show_measures": current.show_measures,
        "released_note_kinds": current.note_kinds,
    }
    form = AppSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        program_settings.app_settings_update(actor=request.user, program=program, **form.cleaned_data)
        messages.success(request, "Saved. Participants' apps use these settings from now on.")
        return redirect("portal:app_settings", program_id=program.pk)
    if request.method == "GET":
        audit_record(
            action=Action.READ,
            actor=request.user,
            object_type="participant_app_settings",
            object_id="" if current._state.adding else str(current.pk),
            detail={"program": str(program.pk)},
        )
    return render(
        request,
        "portal/staff/app_settings.html",
        {"program": program, "form": form, "saved": not current._state.adding},
        status=400 if form.errors else 200,
    )
