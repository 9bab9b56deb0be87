"""Disclosures: prepare one (the decision point decides), see it, hand over its package; accounting."""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from bridge.accounts.http import StaffRequest
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant
from bridge.privacy import labels, pdf, queries, services
from bridge.privacy.forms import AccountingForm, DisclosureForm
from bridge.privacy.models import Disclosure
from bridge.privacy.views.common import file_response, refused
from bridge.privacy.vocab import Purpose


def _disclosure(participant: Participant, disclosure_id: uuid.UUID) -> Disclosure:
    disclosure = queries.disclosures_for(participant).filter(pk=disclosure_id).first()
    if disclosure is None:
        raise Http404("No such disclosure.")
    return disclosure


@participant_view(Cap.CHART)
def disclosure_list(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    return render(
        request,
        "privacy/disclosure_list.html",
        {
            "participant": participant,
            "disclosures": queries.disclosures_for(participant)[:200],
            "can_disclose": Cap.DOCUMENT in request.participant_caps,
        },
    )


@participant_view(Cap.DOCUMENT, post=Cap.DOCUMENT)
def disclosure_create(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form = DisclosureForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        participant=participant,
    )
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            disclosure = services.disclosure_prepare(
                actor=request.user, participant=participant, **form.service_kwargs()
            )
            if disclosure.outcome == Disclosure.Outcome.RELEASED:
                messages.success(
                    request,
                    f"Released ({disclosure.get_legal_basis_display()}). "
                    "Send the package below to the recipient.",
                )
            else:
                messages.error(request, "Refused: nothing was released.")
            return redirect(
                "privacy:disclosure_detail", participant_id=participant.pk, disclosure_id=disclosure.pk
            )
    return render(
        request,
        "privacy/disclosure_form.html",
        {"participant": participant, "form": form},
        status=400 if form.errors else 200,
    )


@participant_view(Cap.CHART)
def disclosure_detail(
    request: ParticipantRequest, participant: Participant, disclosure_id: uuid.UUID
) -> HttpResponse:
    disclosure = _disclosure(participant, disclosure_id)
    return render(
        request,
        "privacy/disclosure_detail.html",
        {"participant": participant, "disclosure": disclosure, "package": disclosure.package},
    )


@participant_view(Cap.CHART)
def disclosure_pdf(
    request: ParticipantRequest, participant: Participant, disclosure_id: uuid.UUID
) -> HttpResponse:
    disclosure = _disclosure(participant, disclosure_id)
    decision = services.disclosure_copy(actor=request.user, disclosure=disclosure, fmt="pdf")
    if not decision.permit or disclosure.package is None:
        return refused(request, participant, decision)
    return file_response(
        pdf.disclosure_pdf(disclosure.package), "application/pdf", f"disclosure-{disclosure.pk}.pdf"
    )


@participant_view(Cap.CHART)
def disclosure_bundle(
    request: ParticipantRequest, participant: Participant, disclosure_id: uuid.UUID
) -> HttpResponse:
    disclosure = _disclosure(participant, disclosure_id)
    decision = services.disclosure_copy(actor=request.user, disclosure=disclosure, fmt="fhir")
    if not decision.permit or disclosure.package is None:
        return refused(request, participant, decision)
    body = json.dumps(disclosure.package["bundle"], indent=2, sort_keys=True).encode()
    return file_response(body, "application/fhir+json", f"disclosure-{disclosure.pk}.json")


@participant_view(Cap.CHART)
def disclosure_document(
    request: ParticipantRequest, participant: Participant, disclosure_id: uuid.UUID
) -> HttpResponse:
    """The court order or agreement kept with a disclosure without consent (the program's own record)."""
    disclosure = _disclosure(participant, disclosure_id)
    if not disclosure.basis_document:
        raise Http404("No document.")
    audit_record(
        action=Action.READ,
        actor=request.user,
        participant=participant,
        object_type="disclosure_document",
        object_id=str(disclosure.pk),
    )
    with disclosure.basis_document.open("rb") as fh:
        body = fh.read()
    name = disclosure.basis_document.name.rsplit("/", 1)[-1]
    return file_response(body, "application/octet-stream", name)


def _accounting(request: StaffRequest, participant: Participant) -> tuple[AccountingForm, dict | None]:
    form = AccountingForm(request.GET or None)
    today = timezone.localdate(timezone=participant.program.tz)
    if form.is_bound and not form.is_valid():
        return form, None
    as_of = (form.cleaned_data.get("as_of") if form.is_bound else None) or today
    entries = [
        {
            "date": timezone.localtime(d.created_at, participant.program.tz).strftime("%Y-%m-%d"),
            "recipient": d.recipient_name,
            "address": d.recipient_address,
            "description": d.description,
            "purpose": Purpose(d.purpose).label,
            "consent": str(d.consent) if d.consent else "",
            "basis": d.basis_label,
            "accountable": d.get_accountable_display(),
            "rule": d.accountable,
        }
        for d in queries.accounting_for(participant, as_of)
    ]
    return form, {
        "participant": participant.legal_name,
        "program": participant.program.name,
        "as_of": as_of.isoformat(),
        "window_start": queries.accounting_window_start(as_of).isoformat(),
        "hipaa_window_start": queries.accounting_window_start(
            as_of, queries.HIPAA_ACCOUNTING_YEARS
        ).isoformat(),
        "entries": entries,
        "labels": labels.PRINT_LABEL,
    }


@participant_view(Cap.CHART)
def accounting(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form, report = _accounting(request, participant)
    if report is not None:
        decision = services.participant_copy(actor=request.user, participant=participant, what="accounting")
        if not decision.permit:
            return refused(request, participant, decision)
    return render(
        request,
        "privacy/accounting.html",
        {"participant": participant, "form": form, "report": report},
        status=200 if report is not None else 400,
    )


@participant_view(Cap.CHART)
def accounting_pdf(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form, report = _accounting(request, participant)
    if report is None:
        return render(
            request,
            "privacy/accounting.html",
            {"participant": participant, "form": form, "report": None},
            status=400,
        )
    decision = services.participant_copy(actor=request.user, participant=participant, what="accounting_pdf")
    if not decision.permit:
        return refused(request, participant, decision)
    return file_response(pdf.accounting_pdf(report), "application/pdf", f"accounting-{report['as_of']}.pdf")
