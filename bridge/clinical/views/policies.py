"""A director sets the plan-review cadences of their program (default and per payer)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bridge.clinical.access import director_programs
from bridge.clinical.forms import ReviewPolicyForm
from bridge.clinical.models import ReviewPolicy
from bridge.clinical.services.plans import review_policy_create
from bridge.clinical.views.common import apply_errors
from bridge.programs.models import Program


@require_http_methods(["GET", "POST"])
def review_policies(request: HttpRequest) -> HttpResponse:
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
        try:
            review_policy_create(
                actor=request.user, program=program, name=data["name"], is_default=data["is_default"], **unit
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Review cadence added.")
            return redirect("clinical:review_policies")
    policies = ReviewPolicy.objects.filter(program=program)
    return render(
        request,
        "clinical/review_policies.html",
        {"program": program, "policies": policies, "form": form},
        status=400 if form.errors else 200,
    )
