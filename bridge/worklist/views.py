from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from bridge.accounts.models import Role
from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant
from bridge.worklist import services
from bridge.worklist.forms import ResolveForm
from bridge.worklist.models import WorkItem


@participant_view(Cap.VIEW, post=Cap.VIEW)
def work_item_resolve(
    request: ParticipantRequest, participant: Participant, item_id: uuid.UUID
) -> HttpResponse:
    """Resolve a work item about `participant`; the person it is assigned to (or a director) does this."""
    item = WorkItem.objects.filter(pk=item_id, participant=participant).first()
    if item is None:
        raise Http404("No such work item.")
    if item.source_type == "safety_signal":
        # A safety item is closed by recording the signal's disposition (who, when, what was done).
        return redirect(
            "safety:signal", participant_id=participant.pk, signal_id=item.source_id.split("/")[0]
        )
    if (
        request.method == "POST"
        and item.assigned_to != request.user
        and not request.user.has_role(Role.DIRECTOR, participant.program_id)
    ):
        raise PermissionDenied("Only the person it is assigned to, or a director, resolves this.")
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            services.work_item_resolve(actor=request.user, item=item, **form.cleaned_data)
            messages.success(request, "Marked as resolved.")
            return redirect("core:home")
    return render(
        request,
        "worklist/resolve.html",
        {"item": item, "form": form, "participant": participant},
        status=400 if form.errors else 200,
    )
