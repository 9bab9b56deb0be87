"""The participant's documents in their app: sign what waits for them, read and download what they
signed, read the notice of privacy practices, download the copy of their records.

Views validate, `bridge/portal/documents.py` writes and audits; every page read is audited
(`portal_read`); a document reached by id must be the participant's own (404 otherwise).
"""

from __future__ import annotations

import json
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from bridge.core import refusal
from bridge.portal import documents
from bridge.portal.access import PortalPageRequest, portal_page, portal_read
from bridge.portal.notes import released_kinds
from bridge.privacy import notices, packages, pdf
from bridge.privacy.models import SignatureRequest


class AppSignForm(forms.Form):
    """Signing in the app: the participant is already identified by their sign-in."""

    typed_name = forms.CharField(label=gettext_lazy("Type your full name to sign"), max_length=200)
    agreed = forms.BooleanField(
        label=gettext_lazy(
            "I have read this document and I sign it electronically. My typed name is my signature."
        ),
        required=False,
    )

    def clean_agreed(self) -> bool:
        if not self.cleaned_data.get("agreed"):
            raise ValidationError(_("Tick the box to say you agree and sign."))
        return True


def _file(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@portal_page
@require_GET
def document_list(request: PortalPageRequest) -> HttpResponse:
    account = request.portal_account
    notice = notices.current_notice(account.participant.program)
    portal_read(request, object_type="signature_request")
    return render(
        request,
        "portal/documents.html",
        {
            "waiting": documents.waiting(account),
            "signed": documents.signed(account),
            "notice": notice,
            "show_notes": bool(released_kinds(account.participant)),  # i19n
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def document_detail(request: PortalPageRequest, signature_id: uuid.UUID) -> HttpResponse:
    signature = documents.own_signature(request, signature_id)
    is_open = signature.status == SignatureRequest.Status.PENDING
    form = AppSignForm(request.POST if request.method == "POST" and is_open else None)
    if request.method == "POST":
        if not is_open:
            messages.info(request, _("You have already signed this document."))
            return redirect("portal:document", signature_id=signature.pk)
        if form.is_valid():
            with refusal.silently() as outcome:
                documents.document_sign(
                    account=request.portal_account,
                    signature=signature,
                    signed_in_with=request.session.get(
                        documents.SESSION_SIGNED_IN_WITH, documents.SIGNED_IN_WITH_CODE
                    ),
                    typed_name=form.cleaned_data["typed_name"],
                    agreed=form.cleaned_data["agreed"],
                    ip_address=request.META.get("REMOTE_ADDR"),
                    user_agent=request.headers.get("User-Agent", ""),
                )
                messages.success(request, _("Signed. A copy is kept with your documents."))
                return redirect("portal:document", signature_id=signature.pk)
            if outcome.refused:
                # Signed meanwhile, expired, or the document changed: it cannot be signed here now.
                form.add_error(None, _("This document can no longer be signed here. Ask your program."))
    else:
        portal_read(request, object_type="signature_request", object_id=str(signature.pk))
    return render(
        request,
        "portal/document.html",
        {
            "signature": signature,
            "document": signature.document,
            "form": form,
            "is_open": is_open,
            "english_only": translation.get_language() != "en",
        },
        status=400 if form.errors else 200,
    )


def _signature_rows(signature: SignatureRequest) -> list[tuple[str, str]]:
    return [
        ("Signed by", signature.signer_name),
        ("Signed at", signature.signed_at.isoformat(timespec="minutes") if signature.signed_at else ""),
        ("How the signer was identified", signature.identified_how),
        ("Fingerprint of the document (SHA-256)", signature.document_hash),
    ]


@portal_page
@require_GET
def document_pdf(request: PortalPageRequest, signature_id: uuid.UUID) -> HttpResponse:
    """A copy of what they signed, as a PDF (the consent form's own PDF for a consent)."""
    signature = documents.own_signature(request, signature_id)
    if signature.status != SignatureRequest.Status.SIGNED:
        raise Http404("Not signed yet.")
    portal_read(request, object_type="signature_request", object_id=str(signature.pk))
    if signature.consent is not None:
        body = pdf.consent_pdf(packages.consent_document(signature.consent))
    else:
        body = pdf.signed_document_pdf(signature.document, _signature_rows(signature))
    return _file(body, "application/pdf", f"signed-{signature.pk}.pdf")


@portal_page
@require_GET
def notice(request: PortalPageRequest) -> HttpResponse:
    """The program's notice of privacy practices in force."""
    program = request.portal_account.participant.program
    current = notices.current_notice(program)
    if current is None:
        raise Http404("No notice published.")
    portal_read(request, object_type="privacy_notice", object_id=str(current.pk))
    paragraphs = [part.strip() for part in current.text.split("\n\n") if part.strip()]
    return render(
        request,
        "portal/notice.html",
        {
            "notice": current,
            "paragraphs": paragraphs,
            "program": program,
            "english_only": translation.get_language() != "en",
        },
    )


@portal_page
@require_GET
def copy_file(request: PortalPageRequest, request_id: uuid.UUID, fmt: str) -> HttpResponse:
    """The copy of their records, once the program produced it: theirs only, audited, not accounted."""
    found = documents.own_copy(request, request_id)
    if fmt not in ("pdf", "json"):
        raise Http404("No such format.")
    assert found.package is not None  # own_copy returns produced copies only
    documents.copy_download(account=request.portal_account, copy=found, fmt=fmt)
    if fmt == "pdf":
        return _file(pdf.disclosure_pdf(found.package), "application/pdf", f"my-records-{found.pk}.pdf")
    body = json.dumps(found.package["bundle"], indent=2, sort_keys=True).encode()
    return _file(body, "application/fhir+json", f"my-records-{found.pk}.json")
