"""Apps a participant lets read their records (SMART App Launch, standalone, with PKCE).

`authorize` is the OAuth authorization endpoint (/oauth/authorize). oauthlib (django-oauth-toolkit)
validates the app's request; the participant signs in with their app sign-in if they have not, reads
on the consent screen what the app will read, and approves or refuses. `apps` lists the apps they
let in, and `app_revoke` takes an app's access away at once.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from oauth2_provider.exceptions import FatalClientError, OAuthToolkitError
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from bridge.fhir import patient
from bridge.fhir.models import PatientApp, PatientGrant
from bridge.fhir.patient_services import patient_app_refused, patient_grant_revoke
from bridge.portal.access import (
    PortalHttpRequest,
    PortalPageRequest,
    portal_page,
    portal_public,
    portal_read,
    staff_refused,
)


def _fhir_base(request: PortalHttpRequest) -> str:
    return request.build_absolute_uri("/fhir").rstrip("/")


def _refuse_page(request: PortalHttpRequest, reason: str) -> HttpResponse:
    # A bad client_id or redirect_uri: never redirect to it (RFC 6749 4.1.2.1); say so here.
    return render(request, "portal/authorize_error.html", {"reason": reason}, status=400)


@portal_public
@require_http_methods(["GET", "POST"])
def authorize(request: PortalHttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return staff_refused(request)
    oauth = patient.PatientOAuth()
    try:
        scopes, credentials = oauth.validate_authorization_request(request)
    except FatalClientError as exc:
        return _refuse_page(request, exc.oauthlib_error.description or exc.oauthlib_error.error)
    except OAuthToolkitError as exc:
        error = exc.oauthlib_error
        if not error.redirect_uri:
            return _refuse_page(request, error.description or error.error)
        return HttpResponseRedirect(error.in_uri(error.redirect_uri))
    oauth_request = credentials["request"]
    app: PatientApp = oauth_request.bridge_app
    redirect_uri, state = credentials["redirect_uri"], credentials["state"]
    # SMART: PKCE with S256 only (oauthlib would also take "plain", or default to it), and `aud` must
    # name this FHIR server, so a token meant for it is not sent to another.
    problem = None
    if credentials.get("code_challenge_method") != patient.PKCE_METHOD:
        problem = oauth_errors.InvalidRequestError(
            description="PKCE with code_challenge_method=S256 is required."
        )
    elif request.GET.get("aud", "").rstrip("/") != _fhir_base(request):
        problem = oauth_errors.InvalidRequestError(
            description=f"aud must be this FHIR server: {_fhir_base(request)}"
        )
    if problem is not None:
        return HttpResponseRedirect(patient.error_redirect(redirect_uri, problem, state=state))
    if request.portal_account is None:
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('portal:sign_in')}?{query}")
    participant = request.portal_account.participant
    scope_text = " ".join(scopes)
    if not app.offered_to(participant):
        # Registered by another program's director: not this participant's program's app.
        unknown = oauth_errors.AccessDeniedError(description="This app is not registered with your program.")
        return HttpResponseRedirect(patient.error_redirect(redirect_uri, unknown, state=state))
    none_ticked = False
    if request.method == "POST":
        if request.POST.get("decision") != "allow":
            patient_app_refused(app=app, participant=participant, scopes=scope_text)
            denied = oauth_errors.AccessDeniedError(description="The participant did not allow access.")
            return HttpResponseRedirect(patient.error_redirect(redirect_uri, denied, state=state))
        # The participant may untick kinds of record: the code (and the token) carry only those.
        approved = patient.approved_scopes(scopes, request.POST.getlist("kinds"))
        none_ticked = not patient.has_resource_scope(approved)
    if request.method == "POST" and not none_ticked:
        granted = {
            key: credentials[key]
            for key in (
                "client_id",
                "redirect_uri",
                "response_type",
                "state",
                "code_challenge",
                "code_challenge_method",
            )
        }
        granted["bridge_participant"] = participant
        uri, _headers, _body, _status = oauth.create_authorization_response(
            request, " ".join(approved), granted, allow=True
        )
        return HttpResponseRedirect(uri)
    portal_read(request, object_type="patient_app", object_id=str(app.pk))
    response = render(
        request,
        "portal/authorize.html",
        {
            "app": app,
            "reads": patient.plain_words(scope_text),
            "choices": patient.consent_choices(scope_text),
            "none_ticked": none_ticked,
            "redirect_host": redirect_uri.split("/")[2] if "//" in redirect_uri else redirect_uri,
        },
        status=400 if none_ticked else 200,
    )
    # The form posts here and is redirected to the app: the CSP's form-action must allow the app's
    # registered redirect origin, or browsers stop the redirect (django-csp's per-response update).
    parts = urlsplit(redirect_uri)
    response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]
    return response


@portal_page
@require_GET
def apps(request: PortalPageRequest) -> HttpResponse:
    participant = request.portal_account.participant
    grants = (
        PatientGrant.objects.filter(participant=participant)
        .select_related("app")
        .order_by("revoked_at", "-granted_at")
    )
    rows = [{"grant": g, "reads": patient.plain_words(g.scopes)} for g in grants]
    portal_read(request, object_type="patient_apps")
    return render(request, "portal/apps.html", {"rows": rows})


@portal_page
@require_POST
def app_revoke(request: PortalPageRequest, grant_id: uuid.UUID) -> HttpResponse:
    grant = (
        PatientGrant.objects.select_related("app__application", "participant")
        .filter(pk=grant_id, participant_id=request.portal_account.participant_id)
        .first()
    )
    if grant is None:
        raise Http404("No such app.")
    patient_grant_revoke(grant=grant)
    messages.success(request, _("%(app)s can no longer read your records.") % {"app": grant.app.name})
    return redirect("portal:apps")
