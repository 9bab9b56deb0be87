"""A participant's consents: list with history, record a new one, revoke, end by event, print."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from bridge.accounts.drafts import draft_discard
from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant
from bridge.privacy import packages, pdf, queries, services, signing
from bridge.privacy.forms import ConsentForm, EndByEventForm, RevokeForm, ScanForm
from bridge.privacy.models import Consent, SignatureRequest
from bridge.privacy.views.common import file_response, refused
from bridge.privacy.vocab import ConsentType


def _consent(participant: Participant, consent_id: uuid.UUID) -> Consent:
    consent = queries.consents_for(participant).filter(pk=consent_id).first()
    if consent is None:
        raise Http404("No such consent.")
    return consent


@participant_view(Cap.VIEW)
def consent_list(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    today = timezone.localdate(timezone=participant.program.tz)
    consents = list(queries.consents_for(participant))
    for c in consents:
        c.state = c.state_on(today)
    return render(
        request,
        "privacy/consent_list.html",
        {
            "participant": participant,
            "active": [c for c in consents if c.state == Consent.Status.ACTIVE],
            "history": [c for c in consents if c.state != Consent.Status.ACTIVE],
            "types": ConsentType.choices,
            "can_edit": Cap.EDIT in request.participant_caps,
        },
    )


@participant_view(Cap.EDIT, post=Cap.EDIT)
def consent_create(request: ParticipantRequest, participant: Participant, consent_type: str) -> HttpResponse:
    if consent_type not in ConsentType.values:
        raise Http404("No such kind of consent.")
    data = request.POST.copy() if request.method == "POST" else None
    # The participant signs on the screen ("desk") or through a link sent by the channel chosen.
    channel = (
        (data.get("sign_on_screen") or "desk") if data is not None and "sign_on_screen" in data else None
    )
    if data is not None and channel is not None:
        # The signature fields are filled in by the participant, later.
        data["signer"] = Consent.Signer.PARTICIPANT
        data["signature_name"] = data.get("patient_name") or "-"
        data["signed_on"] = timezone.localdate(timezone=participant.program.tz).isoformat()
    form = ConsentForm(data, consent_type=consent_type, participant=participant)
    if channel is not None and form.is_valid():
        kwargs = form.service_kwargs()
        for key in ("signer", "signature_name", "signed_on", "representative_authority", "new_recipient"):
            kwargs.pop(key, None)
        kwargs.pop("parent_signature_name", None)
        kwargs.pop("parent_relationship", None)
        with refusal.on_form(form):
            sig, token = signing.consent_signature_request(
                actor=request.user,
                participant=participant,
                channel=channel,
                consent=kwargs,
            )
            draft_discard(author=request.user, page=request.path)  # the signature request holds it now
            link = request.build_absolute_uri(reverse("privacy:sign", args=[token]))
            return render(
                request,
                "privacy/signature_link.html",
                {"participant": participant, "signature": sig, "link": link},
            )
    elif request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            consent = services.consent_record(
                actor=request.user, participant=participant, **form.service_kwargs()
            )
            draft_discard(author=request.user, page=request.path)  # the consent holds it now
            messages.success(request, "The consent was recorded.")
            return redirect("privacy:consent_detail", participant_id=participant.pk, consent_id=consent.pk)
    return render(
        request,
        "privacy/consent_form.html",
        {
            "participant": participant,
            "form": form,
            "consent_type": ConsentType(consent_type),
            "signer_rule": services.consent_signers(participant, None),
            "statements": services.statements.statements_for(
                consent_type, required_at_admission=services.tpo_required_at_admission(participant.program)
            ),
        },
        status=400 if form.errors else 200,
    )


@participant_view(Cap.VIEW)
def consent_detail(
    request: ParticipantRequest, participant: Participant, consent_id: uuid.UUID
) -> HttpResponse:
    consent = _consent(participant, consent_id)
    today = timezone.localdate(timezone=participant.program.tz)
    return _detail(
        request, participant, consent, RevokeForm(initial={"received_on": today}), EndByEventForm()
    )


def _detail(request, participant, consent, revoke_form, end_form, status: int = 200) -> HttpResponse:
    today = timezone.localdate(timezone=participant.program.tz)
    return render(
        request,
        "privacy/consent_detail.html",
        {
            "participant": participant,
            "consent": consent,
            "state": consent.state_on(today),
            "document": packages.consent_document(consent, today=today),
            "signature": SignatureRequest.objects.filter(consent=consent).first(),
            "disclosures": consent.disclosures.order_by("-created_at")[:50],
            "revoke_form": revoke_form,
            "end_form": end_form,
            "can_edit": Cap.EDIT in request.participant_caps,
            "can_chart": Cap.CHART in request.participant_caps,
        },
        status=status,
    )


@participant_view(post=Cap.EDIT, get=False)
def consent_revoke(
    request: ParticipantRequest, participant: Participant, consent_id: uuid.UUID
) -> HttpResponse:
    consent = _consent(participant, consent_id)
    form = RevokeForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form, aliases={"on": "received_on"}):
            services.consent_revoke(actor=request.user, consent=consent, **form.cleaned_data)
            messages.success(request, "The consent is revoked. Nothing more will be released under it.")
            return redirect("privacy:consent_detail", participant_id=participant.pk, consent_id=consent.pk)
    return _detail(request, participant, consent, form, EndByEventForm(), status=400)


@participant_view(post=Cap.EDIT, get=False)
def consent_end(request: ParticipantRequest, participant: Participant, consent_id: uuid.UUID) -> HttpResponse:
    consent = _consent(participant, consent_id)
    form = EndByEventForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form, aliases={"on": "occurred_on"}):
            services.consent_end_by_event(actor=request.user, consent=consent, **form.cleaned_data)
            messages.success(request, "The consent has expired. Nothing more will be released under it.")
            return redirect("privacy:consent_detail", participant_id=participant.pk, consent_id=consent.pk)
    return _detail(request, participant, consent, RevokeForm(), form, status=400)


@participant_view(Cap.VIEW)
def consent_print(
    request: ParticipantRequest, participant: Participant, consent_id: uuid.UUID
) -> HttpResponse:
    consent = _consent(participant, consent_id)
    decision = services.participant_copy(
        actor=request.user, participant=participant, what="consent_print", object_id=str(consent.pk)
    )
    if not decision.permit:
        return refused(request, participant, decision)
    return render(
        request,
        "privacy/consent_print.html",
        {"participant": participant, "consent": consent, "document": packages.consent_document(consent)},
    )


@participant_view(Cap.VIEW)
def consent_pdf(request: ParticipantRequest, participant: Participant, consent_id: uuid.UUID) -> HttpResponse:
    consent = _consent(participant, consent_id)
    decision = services.participant_copy(
        actor=request.user, participant=participant, what="consent_pdf", object_id=str(consent.pk)
    )
    if not decision.permit:
        return refused(request, participant, decision)
    body = pdf.consent_pdf(packages.consent_document(consent))
    return file_response(body, "application/pdf", f"consent-{consent.signed_on.isoformat()}.pdf")


@participant_view(post=Cap.EDIT, get=False)
def consent_scan(
    request: ParticipantRequest, participant: Participant, consent_id: uuid.UUID
) -> HttpResponse:
    """Attach the scan of the signed paper form (kept through Django's storage API)."""
    consent = _consent(participant, consent_id)
    form = ScanForm(request.POST, request.FILES)
    if form.is_valid():
        with refusal.as_message(request):
            signing.consent_attach_scan(
                actor=request.user, consent=consent, upload=form.cleaned_data["document"]
            )
            messages.success(request, "The scan of the signed form is kept with the consent.")
        return redirect("privacy:consent_detail", participant_id=participant.pk, consent_id=consent.pk)
    messages.error(request, "Choose the scanned file (PDF or image).")
    return redirect("privacy:consent_detail", participant_id=participant.pk, consent_id=consent.pk)


@participant_view(Cap.VIEW)
def consent_scan_file(
    request: ParticipantRequest, participant: Participant, consent_id: uuid.UUID
) -> HttpResponse:
    consent = _consent(participant, consent_id)
    if not consent.signed_document:
        raise Http404("No scan.")
    with consent.signed_document.open("rb") as fh:
        body = fh.read()
    return file_response(body, "application/octet-stream", consent.signed_document.name.rsplit("/", 1)[-1])
