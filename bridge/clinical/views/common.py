"""Helpers every clinical view uses (other apps import them from core and participants directly)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpResponse
from django.shortcuts import render

from bridge.clinical.sections import never_admitted
from bridge.core.forms import apply_errors  # noqa: F401 (the clinical views import it from here)
from bridge.participants.chart import caps_of, chart_context  # noqa: F401

WHERE = {"prospect": "waiting for intake", "screening": "in screening", "referred": "referred elsewhere"}


def admitted_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Under `participant_view`: the chart's pages and the forms that start its records (a plan, a
    note, a drug screen, an order) open at admission. For someone never admitted the page says so
    in plain words (a POST writes nothing and answers 400) instead of offering a chart to fill."""

    @wraps(view)
    def wrapper(request, participant, *args, **kwargs) -> HttpResponse:
        if never_admitted(participant):
            status = 400 if request.method == "POST" else 200
            where = WHERE.get(participant.status, participant.get_status_display().lower())
            context = chart_context(request, participant, where=where)
            return render(request, "clinical/not_admitted.html", context, status=status)
        return view(request, participant, *args, **kwargs)

    return wrapper
