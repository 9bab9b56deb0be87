"""The participant's private measure link: a public page (no login), plain language, single use."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bridge import instruments
from bridge.audit.actions import Action
from bridge.audit.services import audit_record, audit_token_refused
from bridge.core import refusal
from bridge.intake.models import IntakeSettings
from bridge.measures import services
from bridge.measures.forms import InstrumentForm

# Our own plain-language lead-in per measure; the questions are the definition's own short wording.
LEAD_IN = {
    "PHQ-9": "Think about the last 2 weeks. How often has each of these bothered you?",
    "GAD-7": "Think about the last 2 weeks. How often has each of these bothered you?",
    "BAM": "Think about the past 30 days (about a month).",
    "PCL-5": "Think about the past month and the stressful experience you have talked about with your team.",
    "C-SSRS-Screener": "These questions are about the past month. Answer yes or no.",
}


def _app_url(link) -> str:
    """Where the same questions are in the participant's own app, when they have it turned on."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from bridge.portal.models import ParticipantAccount

    if not ParticipantAccount.objects.filter(
        participant_id=link.participant_id, closed_at__isnull=True
    ).exists():
        return ""
    target = reverse("portal:questionnaire", args=[link.pk])
    return f"{reverse('portal:sign_in')}?{urlencode({'next': target})}"


def _refuse(request: HttpRequest, token: str) -> HttpResponse:
    audit_token_refused(
        token=token, label="measure link", object_type="measure_link", view="measures:respond"
    )
    # i19n: no participant is known here: the visitor's choice (the switcher), else their browser's.
    from django.utils import translation

    from bridge.portal.links import render_in_language

    return render_in_language(
        request, translation.get_language_from_request(request), "measures/public/gone.html", {}, status=404
    )


def _headers(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token is in the URL: never send it to another site. ("no-referrer" would make the browser
    # send "Origin: null" with the form, which the CSRF check rightly refuses.)
    response["Referrer-Policy"] = "same-origin"
    return response


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    link = services.measure_link_for_token(token)
    if link is None:
        return _headers(_refuse(request, token))
    participant = link.participant
    # i19p: a participant with the app answers there (after sign-in); the link still works without it.
    from bridge.portal.links import into_app

    led = into_app(
        request,
        participant=participant,
        url=reverse("portal:questionnaire", args=[link.pk]),
        object_type="measure_link",
        object_id=link.pk,
        view="measures:respond",
    )
    if led is not None:
        return led
    # i19n: in the participant's language; the published Spanish version of the questions where
    # there is one (as in the app), else the questions stay in English with a note.
    from bridge.instruments.spanish import spanish_version
    from bridge.portal.links import link_language, render_in_language

    language = link_language(request, participant)
    definition = instruments.get(link.instrument)
    spanish = spanish_version(definition.code) if language == "es" else None
    scoring = IntakeSettings.for_program(participant.program).scoring()
    form = InstrumentForm(request.POST or None, instrument=definition, scoring=scoring)
    for item in definition.items:
        field = form.fields[item.key]
        field.label = item.ask or item.text
        if spanish is not None:
            field.label = spanish.items[item.key]
            assert isinstance(field, forms.ChoiceField)  # an item is a TypedChoiceField (InstrumentForm)
            field.choices = [(o.value, spanish.options[o.value]) for o in item.options]
        field.error_messages["required"] = gettext_lazy("Please choose an answer.")
    if request.method == "POST" and form.is_valid():
        # A refusal here means the link was spent or closed meanwhile: the refusal page, not the form.
        with refusal.silently():
            row = services.measure_link_complete(
                link=link, responses=form.responses, sex=form.cleaned_data.get("sex")
            )
            return _headers(
                render_in_language(
                    request,
                    language,
                    "measures/public/done.html",
                    {"safety": bool(services.safety_alerts(row))},
                )
            )
        return _headers(_refuse(request, token))
    if request.method == "GET":
        audit_record(
            action=Action.READ,
            actor=None,
            actor_label="measure link",
            participant=participant,
            object_type="measure_link",
            object_id=str(link.pk),
            detail={"view": "measures:respond"},
        )
    context = {
        "definition": definition,
        "lead_in": spanish.stem if spanish else LEAD_IN.get(definition.code, ""),
        "form": form,
        "expires_at": link.expires_at,
        "app_url": _app_url(link),
        "english_only": language != "en" and spanish is None,
        "questions_language": "es" if spanish else "en",
    }
    return _headers(
        render_in_language(
            request, language, "measures/public/respond.html", context, status=400 if form.errors else 200
        )
    )
