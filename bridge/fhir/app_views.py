"""The director's page for apps participants may authorize (SMART App Launch): list, register, disable.

Apps are never deleted: disabling one stops its grants and tokens at once and keeps the audit trail.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from bridge.accounts.http import StaffRequest
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.fhir import patient, patient_services
from bridge.fhir.forms import PatientAppForm
from bridge.fhir.models import PatientApp
from bridge.fhir.smart_views import authorize_endpoint_url, token_endpoint_url
from bridge.fhir.token_views import _director_programs


def _apps(programs: set):
    # The director's programs' apps, and those the operator offered to every program (read-only here).
    return (
        PatientApp.objects.filter(Q(program_id__in=programs) | Q(program__isnull=True))
        .select_related("application", "program")
        .order_by("revoked_at", "name")
    )


@require_http_methods(["GET", "POST"])
def app_list(request: StaffRequest) -> HttpResponse:
    programs = _director_programs(request)
    form = PatientAppForm(request.POST if request.method == "POST" else None, programs=programs)
    registered = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal.on_form(form):
            registered = patient_services.patient_app_register(
                actor=request.user,
                name=data["name"],
                publisher=data["publisher"],
                contact=data["contact"],
                program=data["program"],
                redirect_uris=data["redirect_uris"],
                scopes=data["scopes"],
            )
    if request.method == "GET":
        audit_record(action=Action.READ, actor=request.user, object_type="patient_app_list")
    rows = [
        {
            "app": app,
            "redirect_uris": app.application.redirect_uris.split(),
            "reads": patient.plain_words(app.scopes),
            "mine": app.program_id in programs,
        }
        for app in _apps(programs)
    ]
    return render(
        request,
        "fhir/patient_app_list.html",
        {
            "form": form if registered is None else PatientAppForm(programs=programs),
            "rows": rows,
            "registered": registered,
            "authorize_url": authorize_endpoint_url(request),
            "token_url": token_endpoint_url(request),
            "fhir_base": request.build_absolute_uri("/fhir").rstrip("/"),
        },
        status=400 if form.errors else (201 if registered else 200),
    )


@require_POST
def app_disable(request: StaffRequest, app_id: uuid.UUID) -> HttpResponse:
    programs = _director_programs(request)
    app = PatientApp.objects.filter(pk=app_id, program_id__in=programs).first()
    if app is None:
        raise Http404("No such app.")
    patient_services.patient_app_disable(actor=request.user, app=app)
    messages.success(request, f"{app.name} was disabled; its participants' grants and tokens no longer work.")
    return redirect("fhir:app_list")
