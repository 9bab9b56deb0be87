"""Break-the-glass: ask for emergency access with a reason, end it early, and the directors' review."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.participants.access import (
    Cap,
    ParticipantRequest,
    capabilities,
    emergency_access_allowed,
    may_break_glass,
    participant_view,
)
from bridge.participants.models import Participant
from bridge.privacy import queries, services
from bridge.privacy.access import director_programs
from bridge.privacy.forms import EmergencyAccessForm, EmergencyReviewForm
from bridge.privacy.models import EmergencyAccess


def _deny(request: StaffRequest, participant: Participant | None, participant_id) -> None:
    audit_record(
        action=Action.ACCESS_DENIED,
        actor=request.user,
        participant=participant,
        object_type="emergency_access",
        object_id=str(participant_id),
        outcome=Outcome.DENIED,
        detail={"view": "privacy:emergency_access", "found": participant is not None},
    )


@require_http_methods(["GET", "POST"])
def emergency_access(request: StaffRequest, participant_id: uuid.UUID) -> HttpResponse:
    """Ask for emergency access to a chart outside one's care team.

    This page cannot go through `participant_view`: it exists for people who may not see the
    participant. So it shows nothing about the participant, and looks the same whether or not the
    participant exists, until a clinician states a reason; only then is the rule checked (a
    clinician of the participant's program who cannot already read the chart) and the answer,
    a grant or a "not found", audited.
    """
    user = request.user
    if not may_break_glass(user):
        _deny(request, Participant.objects.filter(pk=participant_id).first(), participant_id)
        raise Http404("No participant here.")
    form = EmergencyAccessForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        participant = Participant.objects.select_related("program").filter(pk=participant_id).first()
        if participant is not None and Cap.CHART in capabilities(user, participant):
            messages.info(request, "You can already open this chart; no emergency access was needed.")
            return redirect("participants:detail", participant_id=participant.pk)
        if participant is None or not emergency_access_allowed(user, participant):
            _deny(request, participant, participant_id)
            raise Http404("No participant here.")
        with refusal.on_form(form):
            grant = services.emergency_access_open(actor=user, participant=participant, **form.cleaned_data)
            until = timezone.localtime(grant.expires_at, participant.program.tz)
            messages.warning(
                request,
                f"Emergency access is open until {until:%H:%M}. "
                "Every page you open is recorded with your reason; your director will review it.",
            )
            return redirect("participants:detail", participant_id=participant.pk)
    return render(
        request,
        "privacy/emergency_access.html",
        {"form": form, "participant_id": participant_id},
        status=400 if form.errors else 200,
    )


# The access-matrix test recognises this page by this mark (it answers for any participant id).
emergency_access.break_glass = True  # type: ignore[attr-defined]


@participant_view(post=Cap.VIEW, get=False)
def emergency_access_end(
    request: ParticipantRequest, participant: Participant, grant_id: uuid.UUID
) -> HttpResponse:
    grant = EmergencyAccess.objects.filter(pk=grant_id, participant=participant, user=request.user).first()
    if grant is None:
        raise Http404("No such emergency access.")
    services.emergency_access_end(actor=request.user, grant=grant)
    messages.success(request, "Emergency access ended.")
    return redirect("core:home")


@require_GET
def emergency_review_list(request: StaffRequest) -> HttpResponse:
    programs = director_programs(request)
    page = Paginator(queries.emergency_accesses(programs), 50).get_page(request.GET.get("page"))
    grants = list(page.object_list)
    reads = queries.reads_per_grant([g.pk for g in grants])
    for g in grants:
        g.reads = reads.get(str(g.pk), 0)
    audit_record(action=Action.READ, actor=request.user, object_type="emergency_access_list")
    return render(request, "privacy/emergency_review_list.html", {"page": page, "grants": grants})


@participant_view(Cap.MANAGE_TEAM, post=Cap.MANAGE_TEAM)
def emergency_review(
    request: ParticipantRequest, participant: Participant, grant_id: uuid.UUID
) -> HttpResponse:
    grant = (
        EmergencyAccess.objects.filter(pk=grant_id, participant=participant)
        .select_related("user", "reviewed_by")
        .first()
    )
    if grant is None:
        raise Http404("No such emergency access.")
    if not request.user.has_role(Role.DIRECTOR, participant.program_id):
        audit_record(
            action=Action.ACCESS_DENIED,
            actor=request.user,
            participant=participant,
            object_type="emergency_access",
            object_id=str(grant.pk),
            outcome=Outcome.DENIED,
            detail={"view": "privacy:emergency_review", "needed": "director"},
        )
        raise PermissionDenied("The program director reviews emergency access.")
    form = EmergencyReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            services.emergency_access_review(actor=request.user, grant=grant, **form.cleaned_data)
            messages.success(request, "Review recorded.")
            return redirect("privacy:emergency_review_list")
    reads = queries.reads_per_grant([grant.pk]).get(str(grant.pk), 0)
    return render(
        request,
        "privacy/emergency_review.html",
        {"participant": participant, "grant": grant, "form": form, "reads": reads},
        status=400 if form.errors else 200,
    )
