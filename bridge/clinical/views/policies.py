"""A director sets the plan-review cadences of their program (default and per payer)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bridge.accounts.http import StaffRequest
from bridge.clinical.access import director_programs
from bridge.clinical.forms import ReviewPolicyForm
from bridge.clinical.models import ReviewPolicy
from bridge.clinical.services.plans import review_policy_create
from bridge.core import refusal
from bridge.programs.models import Program


@require_http_methods(["GET", "POST"])
def review_policies(request: StaffRequest) -> HttpResponse:
    programs = list(Program.objects.filter(pk__in=director_programs(request.user)))
    if not programs:
        raise PermissionDenied("Program directors set review cadences.")
    program = programs[0]
    form = ReviewPolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = (
            {"interval_months": data["every"]}
            if data["unit"] == "months"
            else {"interval_days": data["every"]}
        )
        with refusal.on_form(form):
            review_policy_create(
                actor=request.user, program=program, name=data["name"], is_default=data["is_default"], **unit
            )
            messages.success(request, "Review cadence added.")
            return redirect("clinical:review_policies")
    policies = ReviewPolicy.objects.filter(program=program)
    return render(
        request,
        "clinical/review_policies.html",
        {"program": program, "policies": policies, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def pdmp_setting(request: StaffRequest) -> HttpResponse:
    """A director sets the program's PDMP rule by its state (default: California CURES, 24 hours)."""
    from bridge.clinical import medication
    from bridge.clinical.forms import PdmpSettingForm
    from bridge.clinical.models import PdmpSetting
    from bridge.clinical.services.meds import pdmp_setting_update

    programs = list(Program.objects.filter(pk__in=director_programs(request.user)))
    if not programs:
        raise PermissionDenied("Program directors set the PDMP rule.")
    program = programs[0]
    current = PdmpSetting.objects.filter(program=program).first()
    initial = (
        {
            "state": current.state,
            "system_name": current.system_name,
            "window_hours": current.window_hours,
            "recheck_days": current.recheck_days,
        }
        if current
        else {
            "state": program.state or "CA",
            "system_name": "CURES",
            "window_hours": medication.PDMP_WINDOW_HOURS,
            "recheck_days": medication.PDMP_RECHECK_DAYS,
        }
    )
    form = PdmpSettingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        pdmp_setting_update(actor=request.user, program=program, **form.cleaned_data)
        messages.success(request, "PDMP rule saved. New controlled-substance orders follow it.")
        return redirect("clinical:pdmp_setting")
    return render(
        request,
        "clinical/pdmp_setting.html",
        {"program": program, "form": form, "current": current},
        status=400 if form.errors else 200,
    )
