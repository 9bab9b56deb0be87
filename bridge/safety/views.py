"""Safety pages: one signal and its disposition, a participant's signals, the supervisor's list of
dispositions, the safety plan (write, print, private link), and how staff are told."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.notify.models import StaffAlertContact, StaffNotification
from bridge.notify.services import staff_alert_contact_set
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.chart import chart_context
from bridge.participants.models import Participant
from bridge.safety import services
from bridge.safety.forms import AlertContactForm, DispositionForm, SafetyPlanForm
from bridge.safety.models import SafetyPlan, SafetyPlanLink, SafetySignal
from bridge.worklist.models import WorkItem


def _signal(participant: Participant, signal_id: uuid.UUID) -> SafetySignal:
    signal = (
        SafetySignal.objects.filter(pk=signal_id, participant=participant)
        .select_related("closed_by", "raised_by", "screening", "administration")
        .first()
    )
    if signal is None:
        raise Http404("No such safety signal.")
    return signal


def _signal_page(request, participant, signal, form=None, status=200):
    context = chart_context(
        request,
        participant,
        signal=signal,
        form=form or DispositionForm(),
        notifications=list(
            StaffNotification.objects.filter(about_type="safety_signal", about_id=str(signal.pk))
            .select_related("recipient")
            .order_by("created_at")
        ),
        work_items=list(
            WorkItem.objects.filter(kind=services.WORK_KIND, source_id__startswith=f"{signal.pk}/")
            .select_related("assigned_to")
            .order_by("created_at")
        ),
        has_plan=SafetyPlan.objects.filter(participant=participant).exists(),
    )
    return render(request, "safety/signal.html", context, status=status)


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
def signal_detail(
    request: ParticipantRequest, participant: Participant, signal_id: uuid.UUID
) -> HttpResponse:
    """A safety signal with its route and who was told; POST records the disposition (required)."""
    signal = _signal(participant, signal_id)
    if request.method == "GET":
        return _signal_page(request, participant, signal)
    form = DispositionForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            services.safety_signal_close(
                actor=request.user, signal=signal, action_taken=form.cleaned_data["action_taken"]
            )
            messages.success(request, "Disposition recorded: who, when and what was done.")
            return redirect("safety:signals", participant_id=participant.pk)
    return _signal_page(request, participant, signal, form=form, status=400)


@participant_view(Cap.CHART)
def signal_list(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    signals = list(
        SafetySignal.objects.filter(participant=participant)
        .select_related("closed_by")
        .order_by("-raised_at")
    )
    plan = SafetyPlan.objects.filter(participant=participant).first()
    return render(
        request, "safety/signals.html", chart_context(request, participant, signals=signals, plan=plan)
    )


@require_http_methods(["GET"])
def acknowledgements(request: StaffRequest) -> HttpResponse:
    """For supervisors: every safety signal in the programs they direct, open ones first, with the
    disposition of each (who, when, what was done)."""
    programs = request.user.programs_with_role(Role.DIRECTOR)
    if not programs:
        raise PermissionDenied("Program directors review safety dispositions.")
    rows = (
        SafetySignal.objects.filter(program_id__in=programs)
        .select_related("participant", "closed_by")
        .order_by("-status", "-raised_at")
    )
    status = request.GET.get("status", "")
    if status in SafetySignal.Status.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    audit_record(
        action=Action.SEARCH,
        actor=request.user,
        object_type="safety_signal_list",
        detail={"page": page.number, "shown": len(page.object_list), "status": status},
    )
    return render(request, "safety/acknowledgements.html", {"page": page, "status": status})


# --- Safety plan ---------------------------------------------------------------------------------


def _plan_page(request, participant, *, form=None, status=200, new_url=""):
    plan = SafetyPlan.objects.filter(participant=participant).first()
    if form is None:
        initial = {} if plan else {"professionals": services.DEFAULT_PROFESSIONALS}
        form = SafetyPlanForm(instance=plan, initial=initial)
    context = chart_context(
        request,
        participant,
        plan=plan,
        form=form,
        new_url=new_url,
        link=SafetyPlanLink.objects.filter(plan=plan, revoked_at__isnull=True).first() if plan else None,
        versions=list(plan.versions.select_related("saved_by")[:10]) if plan else [],
    )
    return render(request, "safety/plan.html", context, status=status)


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
def plan(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    if request.method == "GET":
        return _plan_page(request, participant)
    current = SafetyPlan.objects.filter(participant=participant).first()
    form = SafetyPlanForm(request.POST, instance=current)
    if form.is_valid():
        with refusal.on_form(form):
            services.safety_plan_save(
                actor=request.user,
                participant=participant,
                **{k: form.cleaned_data[k] for k in SafetyPlan.FIELDS},
            )
            messages.success(request, "Safety plan saved. Print it, or make a private link for their phone.")
            return redirect("safety:plan", participant_id=participant.pk)
    return _plan_page(request, participant, form=form, status=400)


@participant_view(Cap.CHART)
def plan_print(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    found = SafetyPlan.objects.filter(participant=participant).first()
    if found is None:
        raise Http404("No safety plan yet.")
    response = render(request, "safety/plan_print.html", {"plan": found, "participant": participant})
    response["Cache-Control"] = "no-store"
    return response


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_link_create(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    found = SafetyPlan.objects.filter(participant=participant).first()
    if found is None:
        messages.error(request, "Write the safety plan first.")
        return redirect("safety:plan", participant_id=participant.pk)
    _, token = services.safety_plan_link_create(actor=request.user, plan=found)
    # Rendered, not redirected: the link exists only in this response (only its hash is stored).
    url = request.build_absolute_uri(reverse("safety:public_plan", args=[token]))
    return _plan_page(request, participant, new_url=url)


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_link_revoke(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    live = SafetyPlanLink.objects.filter(plan__participant=participant, revoked_at__isnull=True).first()
    if live is not None:
        services.safety_plan_link_revoke(actor=request.user, link=live)
        messages.success(request, "The private link is revoked; it stops working at once.")
    return redirect("safety:plan", participant_id=participant.pk)


# --- How I am told -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def my_alerts(request: StaffRequest) -> HttpResponse:
    current = StaffAlertContact.objects.filter(staff=request.user).first()
    initial = (
        {"mobile_phone": current.mobile_phone, "channel": current.channel}
        if current
        else {"channel": "email"}
    )
    form = AlertContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        staff_alert_contact_set(actor=request.user, **form.cleaned_data)
        messages.success(request, "Saved. Urgent safety items will reach you this way.")
        return redirect("safety:my_alerts")
    recent = StaffNotification.objects.filter(recipient=request.user).order_by("-created_at")[:20]
    return render(
        request,
        "safety/my_alerts.html",
        {"form": form, "recent": recent},
        status=400 if form.errors else 200,
    )
