"""Medication-assisted treatment: orders (prescribers), dose changes, injections (nurses), the OTP."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from bridge.clinical.forms import (
    AdministrationForm,
    DoseChangeForm,
    NaloxoneOfferForm,
    OrderForm,
    OtpEndForm,
    OtpForm,
    OtpNoteForm,
    StopForm,
)
from bridge.clinical.models import Administration, MedicationOrder, NaloxoneOffer, OtpEnrollment, PdmpSetting
from bridge.clinical.queries import has_opioid_use_disorder
from bridge.clinical.services import meds as services
from bridge.clinical.views.common import admitted_only, chart_context
from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant


def _render_overview(request, participant, status=200, **bound):
    orders = list(
        MedicationOrder.objects.filter(participant=participant)
        .select_related("prescriber")
        .order_by("stop_on", "-start_on")
    )
    last_doses = {}
    for a in (
        Administration.objects.filter(participant=participant, error_at__isnull=True)
        .select_related("given_by")
        .order_by("given_at")
    ):
        last_doses[a.order_id] = a
    for o in orders:
        o.last_dose = last_doses.get(o.pk)
    enrollments = list(
        OtpEnrollment.objects.filter(participant=participant).prefetch_related("coordination_notes__author")
    )
    context = chart_context(
        request,
        participant,
        active=[o for o in orders if o.is_active],
        stopped=[o for o in orders if not o.is_active],
        enrollments=enrollments,
        otp_form=bound.get("otp_form", OtpForm()),
        otp_note_form=bound.get("otp_note_form", OtpNoteForm()),
        otp_end_form=bound.get("otp_end_form", OtpEndForm()),
        naloxone_form=bound.get("naloxone_form", NaloxoneOfferForm()),
        naloxone_offers=list(
            NaloxoneOffer.objects.filter(participant=participant).select_related("offered_by")[:5]
        ),
        has_oud=has_opioid_use_disorder(participant),
        today=timezone.localdate(),
    )
    return render(request, "clinical/meds.html", context, status=status)


@participant_view(Cap.CHART)
@admitted_only
def meds_overview(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    return _render_overview(request, participant)


@participant_view(Cap.PRESCRIBE, post=Cap.PRESCRIBE)
@admitted_only
def order_create(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form = OrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            order = services.medication_order_create(
                actor=request.user, participant=participant, **form.cleaned_data
            )
            messages.success(request, f"{order.get_drug_display()} ordered.")
            return redirect("clinical:order", participant.pk, order.pk)
    rule = PdmpSetting.objects.filter(program_id=participant.program_id).first()
    pdmp_rule = (
        f"{rule.system_name}, {rule.state}: within {rule.window_hours} hours"
        if rule
        else "California CURES by default: within 24 hours"
    )
    return render(
        request,
        "clinical/order_new.html",
        chart_context(request, participant, form=form, pdmp_rule=pdmp_rule),
        status=400 if form.errors else 200,
    )


def _order(participant, order_id) -> MedicationOrder:
    order = (
        MedicationOrder.objects.filter(pk=order_id, participant=participant)
        .select_related("prescriber")
        .first()
    )
    if order is None:
        raise Http404("No such order.")
    return order


def _render_order(request, participant, order, status=200, **bound):
    context = chart_context(
        request,
        participant,
        order=order,
        changes=list(order.dose_changes.select_related("changed_by")),
        administrations=list(order.administrations.select_related("given_by")),
        dose_form=bound.get(
            "dose_form", DoseChangeForm(initial={"dose": order.dose, "frequency": order.frequency})
        ),
        stop_form=bound.get("stop_form", StopForm()),
        administration_form=bound.get(
            "administration_form",
            AdministrationForm(
                initial={"dose": order.dose, "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
            ),
        ),
    )
    return render(request, "clinical/order.html", context, status=status)


@participant_view(Cap.CHART)
def order_detail(request, participant, order_id: uuid.UUID):
    return _render_order(request, participant, _order(participant, order_id))


def _post(request, participant, order_id, form_class, key, service, success, **extra):
    order = _order(participant, order_id)
    form = form_class(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            service(actor=request.user, order=order, **form.cleaned_data, **extra)
            messages.success(request, success)
            return redirect("clinical:order", participant.pk, order.pk)
    return _render_order(request, participant, order, status=400, **{key: form})


@participant_view(post=Cap.PRESCRIBE, get=False)
def order_dose(request, participant, order_id: uuid.UUID):
    return _post(
        request,
        participant,
        order_id,
        DoseChangeForm,
        "dose_form",
        services.medication_dose_change,
        "Dose changed; the history is kept.",
    )


@participant_view(post=Cap.PRESCRIBE, get=False)
def order_stop(request, participant, order_id: uuid.UUID):
    return _post(
        request,
        participant,
        order_id,
        StopForm,
        "stop_form",
        services.medication_order_stop,
        "Order stopped.",
    )


@participant_view(post=Cap.DOCUMENT, get=False)
def order_administer(request, participant, order_id: uuid.UUID):
    return _post(
        request,
        participant,
        order_id,
        AdministrationForm,
        "administration_form",
        services.administration_record,
        "Dose recorded.",
    )


@participant_view(post=Cap.DOCUMENT, get=False)
@admitted_only
def otp_record(request, participant):
    form = OtpForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            services.otp_enrollment_record(actor=request.user, participant=participant, **form.cleaned_data)
            messages.success(request, "Opioid treatment program recorded.")
            return redirect("clinical:meds", participant.pk)
    return _render_overview(request, participant, status=400, otp_form=form)


def _enrollment(participant, enrollment_id) -> OtpEnrollment:
    enrollment = OtpEnrollment.objects.filter(pk=enrollment_id, participant=participant).first()
    if enrollment is None:
        raise Http404("No such enrolment.")
    return enrollment


@participant_view(post=Cap.DOCUMENT, get=False)
def otp_note(request, participant, enrollment_id: uuid.UUID):
    enrollment = _enrollment(participant, enrollment_id)
    form = OtpNoteForm(request.POST)
    if form.is_valid():
        services.otp_note_add(actor=request.user, enrollment=enrollment, **form.cleaned_data)
        messages.success(request, "Coordination note added.")
        return redirect("clinical:meds", participant.pk)
    return _render_overview(request, participant, status=400, otp_note_form=form)


@participant_view(post=Cap.DOCUMENT, get=False)
def otp_end(request, participant, enrollment_id: uuid.UUID):
    enrollment = _enrollment(participant, enrollment_id)
    form = OtpEndForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            services.otp_enrollment_end(actor=request.user, enrollment=enrollment, **form.cleaned_data)
            messages.success(request, "Enrolment ended.")
            return redirect("clinical:meds", participant.pk)
    return _render_overview(request, participant, status=400, otp_end_form=form)


@participant_view(post=Cap.DOCUMENT, get=False)
@admitted_only
def naloxone_offer(request, participant):
    form = NaloxoneOfferForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            services.naloxone_offer_record(actor=request.user, participant=participant, **form.cleaned_data)
            messages.success(request, "Naloxone offer recorded.")
            return redirect("clinical:meds", participant.pk)
    return _render_overview(request, participant, status=400, naloxone_form=form)
