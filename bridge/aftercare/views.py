"""Aftercare pages. Views validate and call one service; every participant page goes through
`participant_view` (reads audited there, writes audited by the services).

Capabilities: discharge, summary writing, taper and step-up need DOCUMENT; the summary is read with
CHART; the aftercare plan and alumni enrollment need VIEW (peer support specialists hold VIEW on
the participants they support). The relapse-prevention plan, check-in answers and outreach need
FOLLOW_UP (peers on the team and clinicians): front desk sees that a check-in happened, never what
was said.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from types import SimpleNamespace

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from bridge.accounts.drafts import draft_discard
from bridge.aftercare import followup, queries, services, stepping
from bridge.aftercare.forms import (
    AlumniForm,
    CheckInForm,
    DischargeForm,
    OptOutForm,
    OutreachForm,
    PlanForm,
    StepUpForm,
    SummaryForm,
    TaperForm,
)
from bridge.aftercare.models import (
    AftercarePlan,
    AftercarePlanVersion,
    CheckIn,
    DischargeSummary,
    Outreach,
    PlanLink,
    TaperPlan,
)
from bridge.aftercare.pdf import summary_pdf
from bridge.clinical.forms import AddendumForm  # the same addendum as a clinical note's
from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.chart import caps_of
from bridge.participants.models import Participant
from bridge.privacy.models import SignatureRequest
from bridge.scheduling.models import Attendance, GroupSeries, SessionKind
from bridge.worklist.models import WorkItem


def _ctx(request, participant, **extra) -> dict:
    return {"participant": participant, "caps": caps_of(request), **extra}


# The participant's aftercare page ----------------------------------------------------------------


def _hub(request, participant, status=200, **forms):
    caps = request.participant_caps
    episode = services.active_episode(participant)
    enrollment = followup.active_enrollment(participant)
    outreach_items = list(
        WorkItem.objects.filter(
            participant=participant, kind=followup.OUTREACH, status=WorkItem.Status.OPEN
        ).select_related("assigned_to")
    )
    context = _ctx(
        request,
        participant,
        episode=episode,
        discharges=queries.discharges_for(participant) if Cap.CHART in caps else [],
        plan=AftercarePlan.objects.filter(participant=participant).first(),
        taper=TaperPlan.objects.filter(participant=participant, ended_on__isnull=True).first(),
        enrollment=enrollment,
        checkins=queries.checkins_for(participant),
        outreach_items=outreach_items,
        outreach_done=Outreach.objects.filter(participant=participant).select_related("recorded_by")[:10],
        alumni_events=Attendance.objects.filter(participant=participant, session__kind=SessionKind.ALUMNI)
        .select_related("session")
        .order_by("-session__starts_at")[:10],
        alumni_form=forms.get("alumni_form")
        or AlumniForm(initial={"enrolled_on": timezone.localdate(), "contact_consent": True}),
        opt_out_form=forms.get("opt_out_form") or OptOutForm(),
        outreach_form=forms.get("outreach_form") or OutreachForm(),
        follows_up=Cap.FOLLOW_UP in request.participant_caps,
        today=timezone.localdate(),
    )
    return render(request, "aftercare/hub.html", context, status=status)


@participant_view(Cap.VIEW)
def hub(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    return _hub(request, participant)


@participant_view(Cap.DOCUMENT, post=Cap.DOCUMENT)
def discharge_new(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    episode = services.active_episode(participant)
    form = DischargeForm(request.POST or None, initial={"discharged_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            discharge = services.discharge_record(
                actor=request.user, participant=participant, **form.cleaned_data
            )
            messages.success(
                request, "Discharged. The summary is drafted from the record: review and sign it."
            )
            return redirect("aftercare:summary", participant.pk, discharge.summary.pk)
    return render(
        request,
        "aftercare/discharge.html",
        _ctx(request, participant, form=form, episode=episode),
        status=400 if form.errors else 200,
    )


# Discharge summary -------------------------------------------------------------------------------


def _summary(participant, summary_id) -> DischargeSummary:
    summary = (
        DischargeSummary.objects.filter(participant=participant, pk=summary_id)
        .select_related("discharge__episode", "discharge__recorded_by", "author", "signed_by")
        .first()
    )
    if summary is None:
        raise Http404("No such summary.")
    return summary


def _render_summary(request, participant, summary, status=200, **bound):
    editing = summary.signed_at is None and Cap.DOCUMENT in request.participant_caps
    form = bound.get("form") or (
        SummaryForm(initial={f: getattr(summary, f) for f in services.SUMMARY_TEXT}, goals=summary.goals)
        if editing
        else None
    )
    context = _ctx(
        request,
        participant,
        summary=summary,
        discharge=summary.discharge,
        f=summary.figures,
        goal_labels=services.GOAL_OUTCOMES,
        addenda=list(summary.addenda.select_related("author")),
        editing=editing,
        form=form,
        sign_problems=services.summary_problems(summary) if editing else [],
        sign_refused=bound.get("sign_refused", ""),
        addendum_form=bound.get("addendum_form") or AddendumForm(),
    )
    return render(request, "aftercare/summary.html", context, status=status)


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
def summary_detail(
    request: ParticipantRequest, participant: Participant, summary_id: uuid.UUID
) -> HttpResponse:
    summary = _summary(participant, summary_id)
    if request.method != "POST":
        return _render_summary(request, participant, summary)
    form = SummaryForm(request.POST, goals=summary.goals)
    if form.is_valid():
        text = {f: form.cleaned_data[f] for f in services.SUMMARY_TEXT}
        with refusal.on_form(form):
            services.summary_update(
                actor=request.user, summary=summary, goal_outcomes=form.goal_outcomes(), **text
            )
            draft_discard(author=request.user, page=request.path)  # the summary now holds the text
            messages.success(request, "Draft saved.")
            return redirect("aftercare:summary", participant.pk, summary.pk)
    return _render_summary(request, participant, summary, status=400, form=form)


@participant_view(post=Cap.DOCUMENT, get=False)
def summary_sign(request, participant, summary_id):
    """Save the text on the page and sign it in one POST; a refusal keeps everything typed."""
    summary = _summary(participant, summary_id)
    form = None
    if any(name in request.POST for name in services.SUMMARY_TEXT):
        form = SummaryForm(request.POST, goals=summary.goals)
        if not form.is_valid():
            return _render_summary(request, participant, summary, status=400, form=form)
        text = {f: form.cleaned_data[f] for f in services.SUMMARY_TEXT}
        with refusal.on_form(form) as saving:
            services.summary_update(
                actor=request.user, summary=summary, goal_outcomes=form.goal_outcomes(), **text
            )
        if saving.refused:
            return _render_summary(request, participant, summary, status=400, form=form)
    with refusal.silently() as signing:
        services.summary_sign(actor=request.user, summary=summary)
        draft_discard(
            author=request.user, page=reverse("aftercare:summary", args=[participant.pk, summary.pk])
        )
        messages.success(request, "Signed and locked. Later additions are addenda.")
        return redirect("aftercare:summary", participant.pk, summary.pk)
    if form is None:
        for message in signing.messages:
            messages.error(request, message)
        return redirect("aftercare:summary", participant.pk, summary.pk)
    for message in signing.messages:
        form.add_error(None, message)
    return _render_summary(
        request,
        participant,
        summary,
        status=400,
        form=form,
        sign_refused="Draft saved, but not signed yet.",
    )


@participant_view(post=Cap.DOCUMENT, get=False)
def summary_refresh(request, participant, summary_id):
    summary = _summary(participant, summary_id)
    with refusal.as_message(request):
        services.summary_refresh(actor=request.user, summary=summary)
        messages.success(request, "Figures recomputed from the record.")
    return redirect("aftercare:summary", participant.pk, summary.pk)


@participant_view(post=Cap.DOCUMENT, get=False)
def summary_addendum(request, participant, summary_id):
    summary = _summary(participant, summary_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            services.summary_addendum_add(actor=request.user, summary=summary, **form.cleaned_data)
            messages.success(request, "Addendum added.")
            return redirect("aftercare:summary", participant.pk, summary.pk)
    return _render_summary(request, participant, summary, status=400, addendum_form=form)


@participant_view(Cap.CHART)
def summary_print(request, participant, summary_id):
    summary = _summary(participant, summary_id)
    context = _ctx(
        request,
        participant,
        summary=summary,
        discharge=summary.discharge,
        f=summary.figures,
        goal_labels=services.GOAL_OUTCOMES,
        addenda=list(summary.addenda.select_related("author")),
    )
    return render(request, "aftercare/summary_print.html", context)


@participant_view(Cap.CHART)
def summary_download(request, participant, summary_id):
    summary = _summary(participant, summary_id)
    body = summary_pdf(summary, list(summary.addenda.select_related("author")))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="discharge-summary-{summary.discharge.discharged_on}.pdf"'
    )
    return response


# Aftercare plan ----------------------------------------------------------------------------------


@participant_view(Cap.FOLLOW_UP)  # triggers and warning signs: peers and clinicians, not front desk
def plan_detail(request, participant):
    plan = AftercarePlan.objects.filter(participant=participant).first()
    link = PlanLink.objects.filter(plan=plan, revoked_at__isnull=True).first() if plan else None
    versions = list(plan.versions.select_related("saved_by")) if plan else []
    return render(
        request,
        "aftercare/plan.html",
        _ctx(
            request,
            participant,
            plan=plan,
            link=link,
            versions=versions,
            signatures=_plan_signatures(participant),
            channels=SignatureRequest.Channel.choices,
        ),
    )


def _plan_signatures(participant) -> list:
    """The participant's signatures of their plan, newest first (each names the version signed)."""
    return list(
        SignatureRequest.objects.filter(
            participant=participant,
            kind=SignatureRequest.Kind.AFTERCARE,
            status=SignatureRequest.Status.SIGNED,
        ).order_by("-signed_at")
    )


@participant_view(Cap.FOLLOW_UP)
def plan_version(request, participant, number: int):
    """The plan as it stood after one earlier save (read-only)."""
    version = (
        AftercarePlanVersion.objects.filter(plan__participant=participant, number=number)
        .select_related("saved_by")
        .first()
    )
    if version is None:
        raise Http404("No such version of the plan.")
    content = dict(version.content)
    when = content.get("mat_next_appointment")
    content["mat_next_appointment"] = datetime.fromisoformat(when) if when else None
    return render(
        request,
        "aftercare/plan_version.html",
        _ctx(request, participant, plan=SimpleNamespace(**content), version=version),
    )


@participant_view(Cap.DOCUMENT, post=Cap.DOCUMENT)
def plan_edit(request, participant):
    plan = AftercarePlan.objects.filter(participant=participant).first()
    initial = PlanForm.initial_for(plan) if plan else {}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            services.aftercare_plan_save(actor=request.user, participant=participant, **form.cleaned_data)
            draft_discard(author=request.user, page=request.path)  # the plan now holds the text
            messages.success(request, "Aftercare plan saved.")
            return redirect("aftercare:plan", participant.pk)
    return render(
        request,
        "aftercare/plan_edit.html",
        _ctx(request, participant, form=form, plan=plan),
        status=400 if form.errors else 200,
    )


@participant_view(Cap.FOLLOW_UP)
def plan_print(request, participant):
    plan = AftercarePlan.objects.filter(participant=participant).first()
    if plan is None:
        raise Http404("No aftercare plan yet.")
    return render(
        request, "aftercare/plan_print.html", {"plan": plan, "participant": participant, "public": False}
    )


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_link_create(request, participant):
    plan = AftercarePlan.objects.filter(participant=participant).first()
    if plan is None:
        raise Http404("No aftercare plan yet.")
    link, token = services.plan_link_create(actor=request.user, plan=plan)
    # Rendered, not redirected: the link exists only in this response (only its hash is kept).
    url = request.build_absolute_uri(reverse("aftercare:public_plan", args=[token]))
    context = _ctx(request, participant, plan=plan, link=link, new_url=url)
    context |= {"signatures": _plan_signatures(participant), "channels": SignatureRequest.Channel.choices}
    return render(request, "aftercare/plan.html", context)


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_sign_request(request, participant):
    """A private link for the participant to sign the plan's current version on a screen."""
    plan = AftercarePlan.objects.filter(participant=participant).first()
    if plan is None:
        raise Http404("No aftercare plan yet.")
    with refusal.as_message(request):
        sig, token = services.plan_signature_request(
            actor=request.user, plan=plan, channel=request.POST.get("channel", "")
        )
        link = request.build_absolute_uri(reverse("privacy:sign", args=[token]))
        return render(
            request,
            "privacy/signature_link.html",
            {"participant": participant, "signature": sig, "link": link},
        )
    return redirect("aftercare:plan", participant.pk)


@participant_view(post=Cap.DOCUMENT, get=False)
def plan_link_revoke(request, participant):
    for link in PlanLink.objects.filter(plan__participant=participant, revoked_at__isnull=True):
        services.plan_link_revoke(actor=request.user, link=link)
        messages.success(request, "The private link is revoked; it stops working at once.")
    return redirect("aftercare:plan", participant.pk)


# Step-down and step-up ---------------------------------------------------------------------------


@participant_view(Cap.DOCUMENT, post=Cap.DOCUMENT)
def taper_new(request, participant):
    series = GroupSeries.objects.filter(
        memberships__participant=participant, memberships__status="active", is_active=True
    ).distinct()
    form = TaperForm(
        request.POST or None, series_choices=series, episode=services.active_episode(participant)
    )
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            stepping.taper_start(actor=request.user, participant=participant, **form.cleaned_data)
            messages.success(
                request, "Step-down taper started; the hours ledger treats its weeks as planned."
            )
            return redirect("aftercare:hub", participant.pk)
    return render(
        request,
        "aftercare/form.html",
        _ctx(request, participant, form=form, title="Start a step-down taper", button="Start the taper"),
        status=400 if form.errors else 200,
    )


@participant_view(Cap.DOCUMENT, post=Cap.DOCUMENT)
def step_up(request, participant):
    """Re-run the placement assessment (six ratings → the rules' level with reasons), then decide."""
    episode = services.active_episode(participant)
    initial = {"effective_on": timezone.localdate(), "level_of_care": "2.1"}
    initial |= {f"d{d}": r for d, r in stepping.latest_ratings(participant).items()}
    form = StepUpForm(request.POST or None, initial=initial)
    recommendation = None
    if request.method == "POST" and form.is_valid():
        recommendation = stepping.reassessment_recommend(participant, form.ratings())
        if request.POST.get("action") == "decide":
            data = {k: form.cleaned_data[k] for k in ("level_of_care", "effective_on", "reason")}
            with refusal.on_form(form):
                stepping.step_up(actor=request.user, participant=participant, ratings=form.ratings(), **data)
                messages.success(request, "Moved to a more intensive level; the level history is kept.")
                return redirect("aftercare:hub", participant.pk)
    return render(
        request,
        "aftercare/step_up.html",
        _ctx(
            request,
            participant,
            form=form,
            episode=episode,
            recommendation=recommendation,
            signs=queries.trouble_signs(participant, timezone.localdate()),
        ),
        status=400 if form.errors else 200,
    )


# Alumni, check-ins, outreach ---------------------------------------------------------------------


@participant_view(post=Cap.VIEW, get=False)
def alumni_enroll(request, participant):
    form = AlumniForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            followup.alumni_enroll(actor=request.user, participant=participant, **form.cleaned_data)
            messages.success(request, "Enrolled in the alumni program.")
            return redirect("aftercare:hub", participant.pk)
    return _hub(request, participant, status=400, alumni_form=form)


@participant_view(post=Cap.VIEW, get=False)
def alumni_opt_out(request, participant):
    enrollment = followup.active_enrollment(participant)
    form = OptOutForm(request.POST)
    if enrollment is None or not form.is_valid():
        return _hub(request, participant, status=400, opt_out_form=form)
    followup.alumni_opt_out(actor=request.user, enrollment=enrollment, **form.cleaned_data)
    messages.success(request, "Opted out: no more check-ins or outreach.")
    return redirect("aftercare:hub", participant.pk)


@participant_view(Cap.FOLLOW_UP, post=Cap.FOLLOW_UP)
def checkin_record(request, participant, checkin_id):
    checkin = CheckIn.objects.filter(participant=participant, pk=checkin_id).first()
    if checkin is None:
        raise Http404("No such check-in.")
    if checkin.status not in (CheckIn.Status.PENDING, CheckIn.Status.MISSED):
        return render(request, "aftercare/checkin_done.html", _ctx(request, participant, checkin=checkin))
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        followup.checkin_record(
            actor=request.user, checkin=checkin, method=CheckIn.Method.PHONE, **form.cleaned_data
        )
        messages.success(request, "Check-in recorded.")
        return redirect("aftercare:hub", participant.pk)
    return render(
        request,
        "aftercare/checkin.html",
        _ctx(request, participant, form=form, checkin=checkin, public=False),
        status=400 if form.errors else 200,
    )


@participant_view(post=Cap.FOLLOW_UP, get=False)
def outreach_record(request, participant, item_id):
    item = WorkItem.objects.filter(participant=participant, pk=item_id, kind=followup.OUTREACH).first()
    if item is None:
        raise Http404("No such outreach item.")
    form = OutreachForm(request.POST)
    if form.is_valid():
        followup.outreach_record(
            actor=request.user, participant=participant, work_item=item, **form.cleaned_data
        )
        messages.success(request, "Outreach outcome recorded.")
        return redirect("aftercare:hub", participant.pk)
    return _hub(request, participant, status=400, outreach_form=form)
