"""Self-pay pages: a participant's household income and sliding-fee tier, their account (self-pay
charges, payments, reversals, balance), good-faith estimates and monthly statements; and the program's
sliding-fee scale. Participant pages go through `participant_view(Cap.BILLING)` (reads audited there;
writes by the services); the scale is the director's and billing staff's (`billing_programs`).

Front desk holds Cap.BILLING (it captures insurance) but not Cap.FINANCES: at the desk it sees the
balance, records a payment, prints a statement and hands over an estimate already made; household
size and income, the sliding-fee tier, reversing a payment and making an estimate need Cap.FINANCES
(billing staff and the director)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.billing import sliding
from bridge.billing.access import billing_programs
from bridge.billing.forms import (
    EstimateForm,
    HouseholdIncomeForm,
    PaymentForm,
    ReversalForm,
    ScaleForm,
    TierFormSet,
)
from bridge.billing.models import GoodFaithEstimate, PatientPayment, SlidingFeeScale
from bridge.billing.services import selfpay
from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant
from bridge.programs.models import Program


def _page(request: ParticipantRequest, participant: Participant, status: int = 200, **forms) -> HttpResponse:
    today = timezone.localdate()
    book = selfpay.ledger(participant)
    reversed_ids = set(
        participant.patient_payments.filter(reverses__isnull=False).values_list("reverses_id", flat=True)
    )
    # Front desk (Cap.BILLING without Cap.FINANCES) sees the balance, takes payments and hands out
    # statements and estimates; household income, the tier and corrections are billing's.
    finances = Cap.FINANCES in request.participant_caps
    context = {
        "participant": participant,
        "finances": finances,
        "today": today,
        "coverage": selfpay.self_pay_coverage(participant, today),
        "tier": selfpay.tier_of(participant, today) if finances else None,
        "guideline": sliding.guideline_on(today),
        "incomes": list(participant.household_incomes.select_related("recorded_by")) if finances else [],
        "book": book,
        "reversed_ids": reversed_ids,
        "estimates": list(participant.good_faith_estimates.select_related("given_by").defer("pdf")),
        "months": selfpay.statement_months(participant, today),
        "income_form": forms.get("income_form")
        or HouseholdIncomeForm(initial={"attested_on": today, "attested_by": participant.legal_name}),
        "payment_form": forms.get("payment_form") or PaymentForm(initial={"received_on": today}),
        "reverse_for": forms.get("reverse_for"),
        "reverse_errors": forms.get("reverse_errors", []),
    }
    return render(request, "billing/self_pay.html", context, status=status)


@participant_view(Cap.BILLING)
def self_pay(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    return _page(request, participant)


@participant_view(Cap.BILLING, post=Cap.FINANCES, get=False)
def income_add(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form = HouseholdIncomeForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            selfpay.income_record(actor=request.user, participant=participant, **form.cleaned_data)
            messages.success(request, "Household size and income recorded.")
            return redirect("billing:self_pay", participant_id=participant.pk)
    return _page(request, participant, status=400, income_form=form)


@participant_view(Cap.BILLING, post=Cap.BILLING, get=False)
def payment_add(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form = PaymentForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            selfpay.payment_record(actor=request.user, participant=participant, **form.cleaned_data)
            messages.success(request, "Payment recorded.")
            return redirect("billing:self_pay", participant_id=participant.pk)
    return _page(request, participant, status=400, payment_form=form)


@participant_view(Cap.BILLING, post=Cap.FINANCES, get=False)
def payment_reverse(
    request: ParticipantRequest, participant: Participant, payment_id: uuid.UUID
) -> HttpResponse:
    payment = PatientPayment.objects.filter(participant=participant, pk=payment_id).first()
    if payment is None:
        raise Http404("No such payment.")
    form = ReversalForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            selfpay.payment_reverse(actor=request.user, payment=payment, reason=form.cleaned_data["reason"])
            messages.success(request, "Payment reversed.")
            return redirect("billing:self_pay", participant_id=participant.pk)
    if PatientPayment.objects.filter(reverses=payment).exists():
        # A page open in another tab: the row no longer offers "Reverse", so say it above the page.
        messages.info(request, "This payment was already reversed (perhaps in another tab); nothing changed.")
        return redirect("billing:self_pay", participant_id=participant.pk)
    errors = [e for found in form.errors.values() for e in found]
    return _page(request, participant, status=400, reverse_for=payment.pk, reverse_errors=errors)


@participant_view(Cap.FINANCES, post=Cap.FINANCES)
def estimate_new(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    today = timezone.localdate()
    form = EstimateForm(
        request.POST or None, initial={"requested_on": today, "first_service_on": today, "weeks": 8}
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal.on_form(form):
            if "give" in request.POST:
                gfe = selfpay.gfe_give(actor=request.user, participant=participant, **data)
                messages.success(
                    request, f"Good-faith estimate {gfe.number} made. Give the participant the PDF."
                )
                return redirect("billing:self_pay", participant_id=participant.pk)
            lines, tier, _ = selfpay.gfe_estimate(
                participant, first_service_on=data["first_service_on"], weeks=data["weeks"]
            )
            preview = {
                "lines": lines,
                "tier": tier,
                "charges": sum(e.charge for e in lines),
                "discount": sum(e.discount for e in lines),
                "due": sum(e.due for e in lines),
                "due_by": selfpay.gfe_due_by(data["requested_on"], data["first_service_on"]),
            }
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "billing/estimate_form.html",
        {"form": form, "participant": participant, "preview": preview},
        status=status,
    )


@participant_view(Cap.BILLING)
def estimate_pdf(
    request: ParticipantRequest, participant: Participant, estimate_id: uuid.UUID
) -> HttpResponse:
    gfe = (
        GoodFaithEstimate.objects.filter(participant=participant, pk=estimate_id)
        .select_related("participant")
        .first()
    )
    if gfe is None:
        raise Http404("No such estimate.")
    body = selfpay.gfe_download(actor=request.user, gfe=gfe)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="good-faith-estimate-{gfe.number}.pdf"'
    return response


@participant_view(Cap.BILLING)
def statement_pdf(
    request: ParticipantRequest, participant: Participant, year: int, month: int
) -> HttpResponse:
    if not (1 <= month <= 12 and 2000 <= year <= 2099):
        raise Http404("No such month.")
    with refusal.silently() as outcome:
        body, name = selfpay.statement_pdf(
            actor=request.user, participant=participant, year=year, month=month
        )
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
    return HttpResponse(" ".join(outcome.messages), status=400, content_type="text/plain")


# The program's scale ----------------------------------------------------------------------------

DEFAULT_TIERS: list[dict] = [
    {"up_to_percent": 100, "kind": "nominal", "value": "20.00"},
    {"up_to_percent": 150, "kind": "discount", "value": "75"},
    {"up_to_percent": 200, "kind": "discount", "value": "50"},
    {"up_to_percent": None, "kind": "full", "value": "0"},
]


def sliding_fee(request: HttpRequest) -> HttpResponse:
    """The program's sliding-fee scale: every version, the one in effect, and a form for a new one."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    programs = billing_programs(request)
    program = Program.objects.filter(pk__in=programs).order_by("name").first()
    assert program is not None  # billing_programs refused (403) a user with none
    today = timezone.localdate()
    scales = list(SlidingFeeScale.objects.filter(program=program).select_related("created_by"))
    current = selfpay.scale_on(scales, today)
    initial = current.tiers if current else DEFAULT_TIERS
    form = ScaleForm(request.POST or None, initial={"effective_on": today})
    tiers = TierFormSet(request.POST or None, initial=initial, prefix="tier")
    if request.method == "POST" and form.is_valid() and tiers.is_valid():
        rows = [
            {
                "up_to_percent": t["up_to_percent"],
                "kind": t["kind"],
                "value": str(t["value"] if t.get("value") is not None else "0"),
            }
            for t in tiers.cleaned_data
            if t
        ]
        with refusal.on_form(form, aliases={"tiers": "__all__"}):
            selfpay.scale_save(actor=request.user, program=program, tiers=rows, **form.cleaned_data)
            messages.success(request, "New version of the sliding-fee scale saved.")
            return redirect("billing:sliding_fee")
    if request.method == "GET":
        audit_record(
            action=Action.READ,
            actor=request.user,
            object_type="slidingfeescale",
            detail={"shown": len(scales)},
        )
    versions = []
    for s in scales:
        try:
            parsed = sliding.parse_tiers(s.tiers)
        except ValueError:
            parsed = []
        lower = None
        labels = []
        for t in parsed:
            labels.append(t.label(lower))
            lower = t.up_to_percent
        versions.append((s, labels))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "billing/sliding_fee.html",
        {
            "program": program,
            "versions": versions,
            "current": current,
            "form": form,
            "tiers": tiers,
            "guidelines": sliding.guidelines(),
            "today": today,
        },
        status=status,
    )
