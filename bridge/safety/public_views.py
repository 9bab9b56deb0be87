"""The participant's safety plan on their phone, through a private link (only its hash is kept).
Every use and every refused token is audited; the page is never cached."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
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
    # i19n: in the participant's language (their record's, or their choice with the switcher).
    from bridge.portal.links import link_language, render_in_language

    response = render_in_language(
        request, link_language(request, plan.participant), "safety/public/plan.html", {"plan": plan}
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    # same-origin, not no-referrer: the language switcher posts from this page, and with no-referrer
    # the browser sends `Origin: null`, which CSRF refuses. The token still never leaves for another site.
    response["Referrer-Policy"] = "same-origin"
    return response
