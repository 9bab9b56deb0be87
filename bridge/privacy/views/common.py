from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bridge.core.forms import apply_errors  # noqa: F401 (the privacy views import it from here)


def file_response(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def refused(request: HttpRequest, participant, decision) -> HttpResponse:
    """What staff see when the decision point refuses a release: why, and nothing of the records."""
    return render(
        request,
        "privacy/refused.html",
        {"participant": participant, "decision": decision},
        status=403,
    )
