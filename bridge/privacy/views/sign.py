"""The participant signs a document on a screen through a private link (public; the token is the key).

Every use and every refused token is audited; the page is never cached and never indexed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from bridge.audit.actions import Action
from bridge.audit.services import audit_record, audit_token_refused
from bridge.core import refusal
from bridge.privacy import signing
from bridge.privacy.forms import SignForm
from bridge.privacy.models import SignatureRequest

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# What the participant ticks, per kind of document (the form's own label is the consent's).
AGREED_LABELS: dict[str, _StrPromise] = {
    SignatureRequest.Kind.NOTICE: gettext_lazy(
        "I have received and read this notice, and I sign electronically. My typed name is my signature."
    ),
    SignatureRequest.Kind.AFTERCARE: gettext_lazy(
        "I have read this plan and I sign it electronically. My typed name is my signature."
    ),
    SignatureRequest.Kind.PLAN: gettext_lazy(
        "I have read this plan and I sign it electronically. My typed name is my signature."
    ),
}


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    # same-origin, not no-referrer: with no-referrer the browser posts `Origin: null` and CSRF refuses
    # the signature; the token still never leaves for another site.
    response["Referrer-Policy"] = "same-origin"
    return response


@login_not_required
@never_cache
def sign(request: HttpRequest, token: str) -> HttpResponse:
    found = signing.signature_for_token(token)
    if found is None:
        audit_token_refused(
            token=token, label="signature link", object_type="signature_request", view="privacy:sign"
        )
        raise Http404("This link does not work any more. Ask the program for a new one.")
    # i19p: a participant with the app signs there, after sign-in (the same signature event).
    from bridge.portal.links import into_app

    led = into_app(
        request,
        participant=found.participant,
        url=reverse("portal:document", args=[found.pk]),
        object_type="signature_request",
        object_id=found.pk,
        view="privacy:sign",
    )
    if led is not None:
        return led
    # i19n: the page in the participant's language; the document itself stays as prepared (English).
    from bridge.portal.links import link_language, render_in_language

    language = link_language(request, found.participant)
    form = SignForm(request.POST or None)
    if found.kind in AGREED_LABELS:
        form.fields["agreed"].label = AGREED_LABELS[found.kind]
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            signing.signature_sign(
                request=found,
                date_of_birth=form.cleaned_data["date_of_birth"],
                typed_name=form.cleaned_data["typed_name"],
                agreed=form.cleaned_data["agreed"],
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.headers.get("User-Agent", ""),
            )
            return _private(
                render_in_language(request, language, "privacy/sign_done.html", {"signature": found})
            )
    else:
        audit_record(
            action=Action.READ,
            actor=None,
            actor_label="signature link",
            participant=found.participant,
            object_type="signature_request",
            object_id=str(found.pk),
            detail={"view": "privacy:sign"},
        )
    return _private(
        render_in_language(
            request,
            language,
            "privacy/sign.html",
            {
                "signature": found,
                "document": found.document,
                "form": form,
                "english_only": language != "en",
            },
            status=400 if form.errors else 200,
        )
    )
