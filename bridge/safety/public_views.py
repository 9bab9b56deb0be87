"""The participant's safety plan on their phone, through a private link (only its hash is kept).
Every use and every refused token is audited; the page is never cached."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bridge.audit.actions import Action
from bridge.audit.services import audit_record, audit_token_refused
from bridge.safety.services import safety_plan_for_token


@login_not_required
@never_cache
@require_GET
def public_plan(request, token: str):
    link = safety_plan_for_token(token)
    if link is None:
        audit_token_refused(
            token=token, label="safety plan link", object_type="safety_plan_link", view="safety:public_plan"
        )
        raise Http404("This link does not work any more. Ask your counselor for a new one.")
    plan = link.plan
    # i19a: a participant with the app reads their plan there (after sign-in; it is kept offline).
    from bridge.portal.links import into_app

    led = into_app(
        request,
        participant=plan.participant,
        url=reverse("portal:help") + "#plan-h",
        object_type="safety_plan",
        object_id=plan.pk,
        view="safety:public_plan",
        label="safety plan link",
        sign_in_first=True,
    )
    if led is not None:
        led["Referrer-Policy"] = "no-referrer"
        return led
    audit_record(
        action=Action.READ,
        actor=None,
        actor_label="safety plan link",
        participant=plan.participant,
        object_type="safety_plan",
        object_id=str(plan.pk),
        detail={"view": "safety:public_plan", "link": str(link.pk)},
    )
    response = render(
        request, "safety/plan_print.html", {"plan": plan, "participant": plan.participant, "public": True}
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
