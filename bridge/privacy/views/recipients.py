"""The program's recipients: people and organizations that consents name and disclosures go to."""

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
from bridge.core.forms import uuid_or_none
from bridge.privacy import services
from bridge.privacy.access import recipient_for, recipient_programs
from bridge.privacy.forms import RecipientForm
from bridge.privacy.models import Recipient
from bridge.programs.models import Program


@require_http_methods(["GET", "POST"])
def recipient_list(request: StaffRequest) -> HttpResponse:
    programs = recipient_programs(request)
    form = RecipientForm(request.POST if request.method == "POST" else None, initial={"is_active": True})
    program_choices = Program.objects.filter(pk__in=programs).order_by("name")
    if request.method == "POST" and form.is_valid():
        program_id = uuid_or_none(request.POST.get("program"))
        program = (program_choices.filter(pk=program_id).first() if program_id else None) or (
            program_choices.first() if len(programs) == 1 else None
        )
        if program is None:
            form.add_error(None, "Choose the program this recipient belongs to.")
        else:
            data = form.cleaned_data
            with refusal.on_form(form):
                services.recipient_create(
                    actor=request.user,
                    program=program,
                    name=data["name"],
                    kind=data["kind"],
                    address=data["address"],
                )
                messages.success(request, f"{data['name']} was added.")
                return redirect("privacy:recipient_list")
    recipients = Recipient.objects.filter(program_id__in=programs).select_related("program").order_by("name")
    if request.method == "GET":
        audit_record(action=Action.READ, actor=request.user, object_type="recipient_list")
    return render(
        request,
        "privacy/recipient_list.html",
        {"form": form, "recipients": recipients, "programs": program_choices},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def recipient_edit(request: StaffRequest, recipient_id: uuid.UUID) -> HttpResponse:
    recipient = recipient_for(request, recipient_id)
    form = RecipientForm(request.POST if request.method == "POST" else None, instance=recipient)
    if request.method == "POST" and form.is_valid():
        fresh = Recipient.objects.get(pk=recipient.pk)
        with refusal.on_form(form):
            services.recipient_update(actor=request.user, recipient=fresh, **form.cleaned_data)
            messages.success(request, "Saved.")
            return redirect("privacy:recipient_list")
    return render(
        request,
        "privacy/recipient_form.html",
        {"form": form, "recipient": recipient},
        status=400 if form.errors else 200,
    )
