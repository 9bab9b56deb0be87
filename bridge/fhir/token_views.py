"""The director's API-token page: issue a token (its secret is shown once) and revoke one."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.fhir import services
from bridge.fhir.forms import TokenForm
from bridge.fhir.models import ApiToken


def _director_programs(request: StaffRequest) -> set:
    programs = request.user.programs_with_role(Role.DIRECTOR)
    if not programs:
        audit_record(
            action=Action.ACCESS_DENIED,
            actor=request.user,
            object_type="api_token_list",
            outcome=Outcome.DENIED,
            detail={"view": request.path},
        )
        raise PermissionDenied("API tokens are issued by the program director.")
    return programs


def _tokens(programs: set):
    return (
        # The 5-minute tokens of Backend Services clients are listed with their client, not here.
        ApiToken.objects.filter(Q(program_id__in=programs) | Q(user__roles__program_id__in=programs))
        .filter(backend_client__isnull=True)
        .select_related("user", "recipient", "program")
        .distinct()
        .order_by("-created_at")
    )


@require_http_methods(["GET", "POST"])
def token_list(request: StaffRequest) -> HttpResponse:
    programs = _director_programs(request)
    form = TokenForm(request.POST if request.method == "POST" else None, programs=programs)
    issued = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal.on_form(form):
            issued = services.token_create(
                actor=request.user,
                name=data["name"],
                scopes=data["scopes"],
                user=data["user"],
                recipient=data["recipient"],
                purpose=data["purpose"],
                expires_at=timezone.now() + timedelta(days=data["expires_in_days"]),
            )
    if request.method == "GET":
        audit_record(action=Action.READ, actor=request.user, object_type="api_token_list")
    return render(
        request,
        "fhir/token_list.html",
        {
            "form": form if issued is None else TokenForm(programs=programs),
            "tokens": _tokens(programs),
            "issued": issued,
        },
        status=400 if form.errors else (201 if issued else 200),
    )


@require_POST
def token_revoke(request: StaffRequest, token_id: uuid.UUID) -> HttpResponse:
    programs = _director_programs(request)
    token = _tokens(programs).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, f"{token.name} was revoked; it no longer works.")
    return redirect("fhir:token_list")
