"""The pages a participant opens without signing in, through a private link (only its hash is kept):
their aftercare plan in plain language and their check-in. Every use and every bad token is audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bridge.aftercare import followup, services
from bridge.aftercare.models import CheckIn
from bridge.audit.actions import Action
from bridge.audit.services import audit_record, audit_token_refused


def _token_denied(token: str, view: str, label: str) -> None:
    audit_token_refused(token=token, label=label, object_type=view, view=f"aftercare:{view}")


@login_not_required
@never_cache
@require_GET
def public_plan(request, token: str):
    """The participant's own plan in plain language, through their private link. Every read is audited."""
    plan = services.plan_for_token(token)
    if plan is None:
        _token_denied(token, "public_plan", "aftercare plan link")
        raise Http404("This link does not work any more. Ask your counselor for a new one.")
    # i19a: a participant with the app reads their plan there (after sign-in; it is kept offline).
    from bridge.portal.links import into_app

    led = into_app(
        request,
        participant=plan.participant,
        url=reverse("portal:help") + "#after-h",
        object_type="aftercareplan",
        object_id=plan.pk,
        view="aftercare:public_plan",
        label="aftercare plan link",
        sign_in_first=True,
    )
    if led is not None:
        return led
    audit_record(
        action=Action.READ,
        actor=None,
        actor_label="aftercare plan link",
        participant=plan.participant,
        object_type="aftercareplan",
        object_id=str(plan.pk),
        detail={"view": "aftercare:public_plan"},
    )
    # i19n: in the participant's language (their record's, or their choice with the switcher).
    from bridge.portal.links import link_language, render_in_language

    response = render_in_language(
        request, link_language(request, plan.participant), "aftercare/public/plan.html", {"plan": plan}
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_not_required
@never_cache
def public_checkin(request, token: str):
    """The alumnus answers their own check-in through a private one-time link."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    checkin = followup.checkin_for_token(token)
    if checkin is None:
        _token_denied(token, "public_checkin", "check-in link")
        raise Http404("This check-in link has been used or does not work any more.")
    # i19a: a participant with the app answers there (after sign-in); the link still works without it.
    from bridge.portal.links import into_app

    led = into_app(
        request,
        participant=checkin.participant,
        url=reverse("portal:checkin", args=[checkin.pk]),
        object_type="checkin",
        object_id=checkin.pk,
        view="aftercare:public_checkin",
        label="check-in link",
    )
    if led is not None:
        return led
    # i19n: the questions in plain words and in the participant's language (the app's own form).
    from bridge.portal.checkin_forms import AppCheckInForm
    from bridge.portal.links import link_language, render_in_language

    language = link_language(request, checkin.participant)
    program = checkin.participant.program
    form = AppCheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        followup.checkin_record(
            actor=None,
            checkin=checkin,
            method=CheckIn.Method.LINK,
            label="check-in link",
            **form.cleaned_data,
        )
        return render_in_language(
            request, language, "aftercare/public/checkin_thanks.html", {"program": program}
        )
    response = render_in_language(
        request,
        language,
        "aftercare/public/checkin.html",
        {"form": form, "checkin": checkin, "program": program},
        status=400 if form.errors else 200,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
