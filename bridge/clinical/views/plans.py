"""The treatment plan: start it, write the draft, sign it, revise it, review it."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from bridge.accounts.drafts import draft_discard
from bridge.clinical import icd10, queries
from bridge.clinical.forms import (
    GoalForm,
    InterventionForm,
    ObjectiveForm,
    ParticipantSignForm,
    PlanReviewForm,
    PlanSignForm,
    ProblemForm,
    StartPlanForm,
)
from bridge.clinical.models import Goal, Intervention, Objective, PlanVersion, Problem, ReviewPolicy
from bridge.clinical.services import plans as services
from bridge.clinical.views.common import admitted_only, chart_context
from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant

ITEM_MODELS: dict[str, type[Problem] | type[Goal] | type[Objective] | type[Intervention]] = {
    "problem": Problem,
    "goal": Goal,
    "objective": Objective,
    "intervention": Intervention,
}
FREQUENCIES = ["Daily", "3 groups a week", "Twice a week", "Weekly", "Every 2 weeks", "Monthly", "As needed"]


def _version(participant: Participant, version_id) -> PlanVersion:
    version = (
        PlanVersion.objects.select_related("plan", "plan__review_policy", "signed_by")
        .filter(pk=version_id, plan__participant=participant)
        .first()
    )
    if version is None:
        raise Http404("No such plan version.")
    return version


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
@admitted_only
def plan_overview(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    plan = queries.plan_for(participant)
    form = StartPlanForm(request.POST or None, program=participant.program)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            plan = services.plan_start(
                actor=request.user, participant=participant, review_policy=form.cleaned_data["review_policy"]
            )
            messages.success(request, "A draft treatment plan was started.")
            return redirect("clinical:plan_version", participant.pk, plan.versions.get().pk)
    context = chart_context(request, participant, plan=plan, start_form=form)
    if plan is not None:
        context.update(
            versions=list(plan.versions.select_related("signed_by").order_by("-number")),
            reviews=list(plan.reviews.select_related("reviewed_by")[:10]),
            tree=queries.version_tree(plan.current_version) if plan.current_version else [],
            policies=ReviewPolicy.objects.filter(program=participant.program),
        )
    return render(request, "clinical/plan.html", context, status=400 if form.errors else 200)


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_policy(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    plan = queries.plan_for(participant)
    if plan is None:
        raise Http404("No plan yet.")
    form = StartPlanForm(request.POST, program=participant.program)
    if not form.is_valid():
        messages.error(request, "Choose one of the program's review cadences.")
        return redirect("clinical:plan", participant.pk)
    services.plan_set_review_policy(actor=request.user, plan=plan, policy=form.cleaned_data["review_policy"])
    messages.success(request, "Review cadence changed; the next review date follows it.")
    return redirect("clinical:plan", participant.pk)


def _render_version(request, participant, version, status=200, **bound):
    editing = (
        version.is_draft
        and getattr(request, "participant_caps", set())
        and Cap.DOCUMENT in request.participant_caps
    )
    forms = {}
    if editing:
        forms = {
            "problem_form": ProblemForm(),
            "goal_form": GoalForm(version=version),
            "objective_form": ObjectiveForm(version=version),
            "intervention_form": InterventionForm(version=version),
            "sign_form": PlanSignForm(),
        }
        forms.update(bound)
    context = chart_context(
        request,
        participant,
        version=version,
        plan=version.plan,
        tree=queries.version_tree(version),
        editing=editing,
        sign_problems=services.plan_problems(version) if editing else [],
        icd10_codes=icd10.curated().values(),
        frequencies=FREQUENCIES,
        participant_sign_form=bound.get("participant_sign_form", ParticipantSignForm()),
        signature_channels=[
            ("phone", "The participant's phone (private link)"),
            ("desk", "A tablet at the front desk"),
        ],
        **forms,
    )
    return render(request, "clinical/plan_version.html", context, status=status)


@participant_view(Cap.CHART)
def plan_version(
    request: ParticipantRequest, participant: Participant, version_id: uuid.UUID
) -> HttpResponse:
    return _render_version(request, participant, _version(participant, version_id))


def _add_item(request, participant, version_id, form_class, form_key, service, **kwargs):
    version = _version(participant, version_id)
    form = form_class(request.POST, **({"version": version} if form_class is not ProblemForm else {}))
    if form.is_valid():
        with refusal.on_form(form):
            service(actor=request.user, version=version, **form.cleaned_data)
            # The item is in the plan now; that form's draft (e.g. "goal" for goal_form) is done.
            page = reverse("clinical:plan_version", args=[participant.pk, version.pk])
            draft_discard(author=request.user, page=page, form_key=form_key.removesuffix("_form"))
            return redirect("clinical:plan_version", participant.pk, version.pk)
    return _render_version(request, participant, version, status=400, **{form_key: form})


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_problem_add(request, participant, version_id):
    return _add_item(request, participant, version_id, ProblemForm, "problem_form", services.plan_problem_add)


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_goal_add(request, participant, version_id):
    return _add_item(request, participant, version_id, GoalForm, "goal_form", services.plan_goal_add)


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_objective_add(request, participant, version_id):
    return _add_item(
        request, participant, version_id, ObjectiveForm, "objective_form", services.plan_objective_add
    )


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_intervention_add(request, participant, version_id):
    return _add_item(
        request,
        participant,
        version_id,
        InterventionForm,
        "intervention_form",
        services.plan_intervention_add,
    )


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_item_remove(request, participant, version_id, kind: str, item_id: uuid.UUID):
    version = _version(participant, version_id)
    model = ITEM_MODELS.get(kind)
    item = model.objects.filter(pk=item_id, version=version).first() if model else None
    if item is None:
        raise Http404("No such part of the plan.")
    with refusal.as_message(request):
        services.plan_item_remove(actor=request.user, version=version, item=item)
    return redirect("clinical:plan_version", participant.pk, version.pk)


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_sign(request, participant, version_id):
    version = _version(participant, version_id)
    form = PlanSignForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            services.plan_version_sign(actor=request.user, version=version, **form.cleaned_data)
            # Signed: the version is locked, so no form on its page is open any more.
            draft_discard(
                author=request.user, page=reverse("clinical:plan_version", args=[participant.pk, version.pk])
            )
            messages.success(
                request, f"Version {version.number} is signed and in force; it can no longer change."
            )
            return redirect("clinical:plan", participant.pk)
    return _render_version(request, participant, version, status=400, sign_form=form)


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_participant_sign(request, participant, version_id):
    version = _version(participant, version_id)
    form = ParticipantSignForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            services.plan_participant_sign(actor=request.user, version=version, **form.cleaned_data)
            messages.success(request, "The participant's signature was added.")
            return redirect("clinical:plan_version", participant.pk, version.pk)
    return _render_version(request, participant, version, status=400, participant_sign_form=form)


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_sign_request(request, participant, version_id):
    """The participant signs this version on a screen: a private link (shown once), and the document
    waits in their app if they have one."""
    version = _version(participant, version_id)
    with refusal.as_message(request):
        sig, token = services.plan_signature_request(
            actor=request.user, version=version, channel=request.POST.get("channel", "")
        )
        link = request.build_absolute_uri(reverse("privacy:sign", args=[token]))
        return render(
            request,
            "privacy/signature_link.html",
            {"participant": participant, "signature": sig, "link": link},
        )
    return redirect("clinical:plan_version", participant.pk, version.pk)


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_revise(request, participant):
    plan = queries.plan_for(participant)
    if plan is None:
        raise Http404("No plan yet.")
    with refusal.as_message(request):
        draft = services.plan_revise(actor=request.user, plan=plan)
        messages.success(
            request, f"Version {draft.number} is a draft copy of the plan in force; change it and sign."
        )
        return redirect("clinical:plan_version", participant.pk, draft.pk)
    return redirect("clinical:plan", participant.pk)


@participant_view(Cap.DOCUMENT, post=Cap.DOCUMENT)
def plan_review(request, participant):
    plan = queries.plan_for(participant)
    if plan is None or plan.current_version is None:
        raise Http404("No signed plan to review.")
    form = PlanReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            services.plan_review_record(actor=request.user, plan=plan, **form.cleaned_data)
            draft_discard(author=request.user, page=request.path)
            messages.success(request, "Review recorded; the plan continues unchanged.")
            return redirect("clinical:plan", participant.pk)
    context = chart_context(
        request, participant, plan=plan, form=form, tree=queries.version_tree(plan.current_version)
    )
    return render(request, "clinical/plan_review.html", context, status=400 if form.errors else 200)
