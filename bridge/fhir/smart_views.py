"""SMART Backend Services over HTTP: discovery, the token endpoint, and the director's client page."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from oauth2_provider.views.mixins import OAuthLibMixin

from bridge.accounts.http import StaffRequest
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.fhir import services, smart
from bridge.fhir.forms import BackendClientForm, PolicyForm
from bridge.fhir.models import ApiPolicy, BackendClient
from bridge.fhir.patient import PatientOAuth
from bridge.fhir.token_views import _director_programs


def token_endpoint_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("fhir:smart_token"))


def authorize_endpoint_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("portal:authorize"))


@require_GET
def smart_configuration(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(
        smart.smart_configuration(token_endpoint_url(request), authorize_endpoint_url(request))
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


smart_configuration.login_required = False  # type: ignore[attr-defined]


@method_decorator(csrf_exempt, name="dispatch")
class TokenView(OAuthLibMixin, View):
    """POST /oauth/token (django-oauth-toolkit): client credentials with a signed JWT assertion
    (Backend Services), or an authorization code with its PKCE verifier (an app a participant
    authorized: patient.py)."""

    login_required = False

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # One transaction for the whole issuance (the jti or the code taken, the token row, its audit
        # event; or a refusal's audit event): one commit instead of three. A refusal is an answer,
        # not an exception, so what it recorded (a jti used, a code taken) is committed too.
        with transaction.atomic():
            if request.POST.get("grant_type") == "authorization_code":
                _url, headers, body, status = PatientOAuth().create_token_response(request)
            else:
                _url, headers, body, status = self.create_token_response(request)
        response = HttpResponse(content=body, status=status, content_type="application/json")
        for key, value in headers.items():
            response[key] = value
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = JsonResponse(
            {"error": "invalid_request", "error_description": "POST a token request."},
            status=405,
        )
        response["Allow"] = "POST"
        return response


token_view = TokenView.as_view()
token_view.login_required = False  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
def client_list(request: StaffRequest) -> HttpResponse:
    programs = _director_programs(request)
    form = BackendClientForm(request.POST if request.method == "POST" else None, programs=programs)
    registered = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal.on_form(form):
            registered = services.backend_client_register(
                actor=request.user,
                name=data["name"],
                recipient=data["recipient"],
                purpose=data["purpose"],
                scopes=data["scopes"],
                jwks_url=data["jwks_url"],
                jwks_text=data["jwks"],
            )
    if request.method == "GET":
        audit_record(action=Action.READ, actor=request.user, object_type="smart_client_list")
    policies = {p.program_id: p for p in ApiPolicy.objects.filter(program_id__in=programs)}
    return render(
        request,
        "fhir/client_list.html",
        {
            "form": form if registered is None else BackendClientForm(programs=programs),
            "clients": BackendClient.objects.filter(program_id__in=programs).select_related(
                "application", "recipient", "program"
            ),
            "registered": registered,
            "token_url": token_endpoint_url(request),
            "policy_forms": [
                (
                    program,
                    PolicyForm(
                        initial={
                            "backend_services_required": bool(
                                policies.get(program.pk) and policies[program.pk].backend_services_required
                            )
                        }
                    ),
                )
                for program in _programs(programs)
            ],
        },
        status=400 if form.errors else (201 if registered else 200),
    )


def _programs(ids):
    from bridge.programs.models import Program

    return Program.objects.filter(pk__in=ids).order_by("name")


@require_POST
def client_revoke(request: StaffRequest, client_id: uuid.UUID) -> HttpResponse:
    programs = _director_programs(request)
    client = BackendClient.objects.filter(pk=client_id, program_id__in=programs).first()
    if client is None:
        raise Http404("No such client.")
    services.backend_client_revoke(actor=request.user, client=client)
    messages.success(request, f"{client.name} was revoked; its tokens no longer work.")
    return redirect("fhir:client_list")


@require_POST
def policy_set(request: StaffRequest, program_id: uuid.UUID) -> HttpResponse:
    programs = _director_programs(request)
    program = _programs(programs).filter(pk=program_id).first()
    if program is None:
        raise Http404("No such program.")
    form = PolicyForm(request.POST)
    form.is_valid()
    required = bool(form.cleaned_data.get("backend_services_required"))
    services.api_policy_set(actor=request.user, program=program, backend_services_required=required)
    messages.success(
        request,
        "New system clients must now use SMART Backend Services."
        if required
        else "Directors may again issue static system tokens.",
    )
    return redirect("fhir:client_list")
