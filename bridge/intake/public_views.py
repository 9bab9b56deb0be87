"""The public self-check (no login). Nothing is stored unless the person asks for a call-back."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bridge.intake import public_services
from bridge.intake.public_forms import CallbackForm, SelfCheckForm
from bridge.intake.throttle import callback_allowed
from bridge.placement.selfcheck import evaluate
from bridge.portal.links import in_visitor_language
from bridge.programs.models import Program

# The self-check's reasons (bridge/placement/selfcheck.py, which imports no Django) in plain words,
# translated (i19n).
REASON_WORDS = {
    "You said you have had thoughts of ending your life.": _(
        "You said you have had thoughts of ending your life."
    ),
    "You said you are very unwell right now after cutting down or stopping.": _(
        "You said you are very unwell right now after cutting down or stopping."
    ),
    "Your answers about drinking suggest it may be harming you.": _(
        "Your answers about drinking suggest it may be harming you."
    ),
    "Your answers about drugs suggest they are causing problems.": _(
        "Your answers about drugs suggest they are causing problems."
    ),
    "Someone you live with drinks heavily or uses drugs, which makes recovery at home harder.": _(
        "Someone you live with drinks heavily or uses drugs, which makes recovery at home harder."
    ),
    "You said you do not always feel safe at home.": _("You said you do not always feel safe at home."),
    "Keeping up with work, school or home is very hard right now.": _(
        "Keeping up with work, school or home is very hard right now."
    ),
    "You have had seizures, or seen or heard things, when stopping before: stopping suddenly can be "
    "dangerous, so a doctor should help.": _(
        "You have had seizures, or seen or heard things, when stopping before: stopping suddenly can be "
        "dangerous, so a doctor should help."
    ),
    "Your answers about drugs are in the most severe range.": _(
        "Your answers about drugs are in the most severe range."
    ),
    "The drinking questions were scored with the lower (women's) cut-off.": _(
        "The drinking questions were scored with the lower (women's) cut-off."
    ),
}


def _reasons(result) -> list:
    return [REASON_WORDS.get(r, r) for r in result.reasons]


def _program(program_id: uuid.UUID) -> Program:
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        raise Http404("No such program.")
    return program


@login_not_required
@never_cache
@in_visitor_language
@require_http_methods(["GET"])
def self_check_choose(request: HttpRequest) -> HttpResponse:
    programs = list(Program.objects.order_by("name"))
    if len(programs) == 1:
        return redirect("intake:self_check", program_id=programs[0].pk)
    return render(request, "intake/public/choose.html", {"programs": programs})


@login_not_required
@never_cache
@in_visitor_language
@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest, program_id: uuid.UUID) -> HttpResponse:
    program = _program(program_id)
    form = SelfCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = evaluate(form.answers())
        return render(
            request,
            "intake/public/result.html",
            {
                "program": program,
                "result": result,
                "reasons": _reasons(result),
                "form": form,
                "callback": CallbackForm(),
            },
        )
    return render(
        request,
        "intake/public/self_check.html",
        {"program": program, "form": form, "several_programs": Program.objects.count() > 1},
        status=400 if form.errors else 200,
    )


@login_not_required
@never_cache
@in_visitor_language
@require_http_methods(["POST"])
def callback(request: HttpRequest, program_id: uuid.UUID) -> HttpResponse:
    program = _program(program_id)
    form = SelfCheckForm(request.POST)
    if not form.is_valid():
        # The answers travel in hidden fields; if they were lost or altered, start again.
        return render(
            request, "intake/public/self_check.html", {"program": program, "form": form}, status=400
        )
    result = evaluate(form.answers())
    callback_form = CallbackForm(request.POST)
    context = {
        "program": program,
        "result": result,
        "reasons": _reasons(result),
        "form": form,
        "callback": callback_form,
    }
    if not callback_form.is_valid():
        return render(request, "intake/public/result.html", context, status=400)
    if not callback_allowed(request):
        return render(request, "intake/public/too_many.html", {"program": program}, status=429)
    data = callback_form.cleaned_data
    public_services.callback_request(
        program=program,
        first_name=data["first_name"],
        last_name=data["last_name"],
        date_of_birth=data["date_of_birth"],
        phone=data["phone"],
        best_time=data["best_time"],
        answers=form.answers() if data["share_answers"] else None,
        urgent_answers=form.answers(),
    )
    return render(
        request, "intake/public/callback_done.html", {"program": program, "first_name": data["first_name"]}
    )
