"""A participant's billing record: coverages, eligibility, authorizations and reviews, certifications,
charges and claims. Everything through `participant_view(Cap.BILLING)`; certifications are signed by
a prescriber on the care team (Cap.DOCUMENT)."""

from __future__ import annotations

import uuid
from typing import cast

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from bridge.billing import queries, services
from bridge.billing.forms import AuthorizationForm, CertificationForm, CoverageForm, ReviewForm
from bridge.billing.models import Authorization, Coverage
from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant


def _context(request: ParticipantRequest, participant: Participant) -> dict:
    context = queries.participant_billing(participant)
    context["participant"] = participant
    context["may_certify"] = Cap.DOCUMENT in request.participant_caps
    context["outcomes"] = ReviewForm.base_fields["outcome"].choices  # type: ignore[attr-defined]
    return context


@participant_view(Cap.BILLING)
def participant_billing(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    return render(request, "billing/participant.html", _context(request, participant))


@participant_view(Cap.BILLING, post=Cap.BILLING)
def coverage_add(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form = CoverageForm(request.POST or None, participant=participant)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            services.coverage_add(actor=request.user, participant=participant, **form.cleaned_data)
            messages.success(request, "Coverage saved.")
            return redirect("billing:participant", participant_id=participant.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "billing/form.html",
        {"form": form, "participant": participant, "title": "Add coverage"},
        status=status,
    )


def _coverage(participant: Participant, coverage_id: uuid.UUID) -> Coverage:
    coverage = participant.coverages.select_related("plan__payer").filter(pk=coverage_id).first()
    if coverage is None:
        raise Http404("No such coverage.")
    return coverage


@participant_view(Cap.BILLING, post=Cap.BILLING)
def coverage_edit(
    request: ParticipantRequest, participant: Participant, coverage_id: uuid.UUID
) -> HttpResponse:
    coverage = _coverage(participant, coverage_id)
    form = CoverageForm(request.POST or None, instance=coverage, participant=participant)
    if request.method == "POST" and form.is_valid():
        fresh = Coverage.objects.select_related("participant").get(pk=coverage.pk)
        with refusal.on_form(form):
            changed = services.coverage_update(actor=request.user, coverage=fresh, **form.cleaned_data)
            messages.success(request, "Saved." if changed else "Nothing changed.")
            return redirect("billing:participant", participant_id=participant.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "billing/form.html",
        {"form": form, "participant": participant, "title": f"Edit coverage: {coverage.plan}"},
        status=status,
    )


@participant_view(Cap.BILLING, post=Cap.BILLING)
def authorization_add(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form = AuthorizationForm(request.POST or None, participant=participant)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            services.authorization_add(actor=request.user, participant=participant, **form.cleaned_data)
            messages.success(request, "Authorization saved.")
            return redirect("billing:participant", participant_id=participant.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "billing/form.html",
        {"form": form, "participant": participant, "title": "Add an authorization"},
        status=status,
    )


@participant_view(Cap.BILLING, post=Cap.BILLING, get=False)
def review_record(
    request: ParticipantRequest, participant: Participant, authorization_id: uuid.UUID
) -> HttpResponse:
    auth = (
        Authorization.objects.filter(participant=participant, pk=authorization_id)
        .select_related("coverage__plan__payer", "participant")
        .first()
    )
    if auth is None:
        raise Http404("No such authorization.")
    form = ReviewForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            services.review_record(
                actor=request.user,
                authorization=auth,
                outcome=form.cleaned_data["outcome"],
                approved_units=form.cleaned_data["approved_units"] or 0,
                note=form.cleaned_data["note"],
                next_review_on=form.cleaned_data["next_review_on"],
            )
            messages.success(request, "Review recorded.")
            return redirect("billing:participant", participant_id=participant.pk)
    # Refused: the billing page again with the errors on this authorization's review form (nothing stored).
    context = _context(request, participant)
    context["review_for"] = auth.pk
    context["review_data"] = form.data
    context["review_errors"] = [
        f"{name.replace('_', ' ').capitalize()}: {e}" if name != "__all__" else e
        for name, found in form.errors.items()
        for e in cast(list[str], found)
    ]
    return render(request, "billing/participant.html", context, status=400)


@participant_view(Cap.DOCUMENT, post=Cap.DOCUMENT)
def certification_add(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form = CertificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            services.certification_sign(actor=request.user, participant=participant, **form.cleaned_data)
            messages.success(request, "Certification signed.")
            if Cap.BILLING in request.participant_caps:
                return redirect("billing:participant", participant_id=participant.pk)
            return redirect("participants:detail", participant_id=participant.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "billing/form.html",
        {"form": form, "participant": participant, "title": "Medicare IOP certification"},
        status=status,
    )


@participant_view(Cap.BILLING, post=Cap.BILLING, get=False)
def eligibility_check(
    request: ParticipantRequest, participant: Participant, coverage_id: uuid.UUID
) -> HttpResponse:
    from bridge.billing.services.eligibility import eligibility_request
    from bridge.billing.x12.validate import X12Error

    coverage = _coverage(participant, coverage_id)
    try:
        with refusal.as_message(request, prefix="The eligibility request was not sent: "):
            check = eligibility_request(actor=request.user, coverage=coverage)
            messages.success(
                request, f"Eligibility request (270) sent, control number {check.control_number}."
            )
    except X12Error as exc:
        messages.error(request, f"The eligibility request was not sent: {exc}")
    return redirect("billing:participant", participant_id=participant.pk)
