"""Messages with the care team: the participant's page (/me/messages/), the staff conversation page
(/participants/<id>/messages/), and "let my peer support specialist know" from the help page.

Views validate, services write (bridge/portal/messaging.py). The participant reaches only their own
conversation (there is no id in their URL to try); staff go through `participant_view` with
Cap.FOLLOW_UP, so someone off the care team gets 404 and the front desk 403.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant
from bridge.portal import messaging
from bridge.portal.access import PortalPageRequest, portal_page, portal_read
from bridge.portal.message_forms import MessageForm, PeerAlertForm, StaffMessageForm


def _participant_page(request: PortalPageRequest, form: MessageForm, status: int = 200) -> HttpResponse:
    participant = request.portal_account.participant
    thread = messaging.thread_for(participant)
    hours = messaging.office_hours(participant.program)
    context = {
        "thread_messages": messaging.messages_in(thread),
        "form": form,
        "program": participant.program,
        "office_hours": messaging.office_hours_text(hours),
        "open_now": hours.is_open(timezone.now()),
    }
    return render(request, "portal/messages.html", context, status=status)


@portal_page
@require_http_methods(["GET", "POST"])
def participant_messages(request: PortalPageRequest) -> HttpResponse:
    account = request.portal_account
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            with refusal.on_form(form, field="body"):
                sent = messaging.message_send_participant(account=account, body=form.cleaned_data["body"])
                if sent.automatic_reply is not None:
                    flash.info(request, _("Sent. The office is closed now: see the answer below."))
                else:
                    flash.success(request, _("Sent. Your care team will answer here."))
                return redirect("portal:messages")
        return _participant_page(request, form, status=400)
    thread = messaging.thread_for(account.participant)
    portal_read(request, object_type="message_thread", object_id=str(thread.pk) if thread else "")
    messaging.messages_read_by_participant(account=account)
    return _participant_page(request, MessageForm())


# --- Staff ---------------------------------------------------------------------------------------------


def _staff_page(
    request: ParticipantRequest, participant: Participant, form: StaffMessageForm, status: int = 200
) -> HttpResponse:
    from bridge.participants.chart import chart_context

    thread = messaging.thread_for(participant)
    found = messaging.messages_in(thread)
    hours = messaging.office_hours(participant.program)
    context = chart_context(
        request,
        participant,
        thread_messages=found,
        form=form,
        awaiting=messaging.awaiting_answer(found),
        office_hours=messaging.office_hours_text(hours),
        has_app=hasattr(participant, "portal_account"),
    )
    return render(request, "portal/staff/messages.html", context, status=status)


@participant_view(Cap.FOLLOW_UP, post=Cap.FOLLOW_UP)
def staff_messages(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    if request.method == "POST":
        form = StaffMessageForm(request.POST)
        if form.is_valid():
            with refusal.on_form(form, field="body"):
                messaging.message_send_staff(
                    actor=request.user, participant=participant, body=form.cleaned_data["body"]
                )
                flash.success(request, "Sent. They see it in their app.")
                return redirect("portal:staff_messages", participant_id=participant.pk)
        return _staff_page(request, participant, form, status=400)
    messaging.messages_read_by_staff(participant=participant)
    return _staff_page(request, participant, StaffMessageForm())


# --- "I need help now": let my peer know ----------------------------------------------------------------


@portal_page
@require_POST
def help_peer(request: PortalPageRequest) -> HttpResponse:
    form = PeerAlertForm(request.POST)
    if not form.is_valid():
        for message in form.errors.get("opt_in", []):
            flash.error(request, str(message))
        return redirect("portal:help")
    with refusal.as_message(request):
        result = messaging.peer_alert(account=request.portal_account)
        if result.already:
            flash.info(
                request, _("We already told your peer support specialist. They will reach out to you.")
            )
        else:
            flash.success(
                request,
                _(
                    "Done. Your peer support specialist knows you need help and will reach out to you. "
                    "If you need help right now, call or text 988."
                ),
            )
    return redirect("portal:help")


@participant_view(Cap.FOLLOW_UP)
def staff_messages_latest(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    """The participant page's messages section, loaded after the page: the last three messages."""
    latest = messaging.messages_in(messaging.thread_for(participant), limit=3)
    context = {"participant": participant, "latest": latest, "awaiting": messaging.awaiting_answer(latest)}
    return render(request, "portal/staff/_latest_messages.html", context)
