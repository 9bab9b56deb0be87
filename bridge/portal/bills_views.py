"""A self-pay participant's bills in their app: the balance, the monthly statements and the
good-faith estimates they were given, each as the same PDF billing staff print.

Only their own: the participant is the one signed in, an estimate reached by id must be theirs (404
otherwise, as for an id that does not exist). Every page read is audited (`portal_read`); each PDF is
audited by the billing service as a copy to the participant. Staff are refused the app (`portal_page`).
"""

from __future__ import annotations

import uuid
from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bridge.billing.models import GoodFaithEstimate
from bridge.billing.services import selfpay
from bridge.core import refusal
from bridge.portal.access import PortalPageRequest, portal_page, portal_read
from bridge.portal.services import PortalActor


def _file(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@portal_page
@require_GET
def bills(request: PortalPageRequest) -> HttpResponse:
    participant = request.portal_account.participant
    today = timezone.localdate()
    book = selfpay.ledger(participant)
    estimates = list(
        GoodFaithEstimate.objects.filter(participant=participant).defer("pdf").order_by("-given_at")
    )
    self_pay = selfpay.self_pay_coverage(participant, today) is not None
    has_account = self_pay or bool(book.charges or book.payments or estimates)
    portal_read(request, object_type="self_pay_account")
    return render(
        request,
        "portal/bills.html",
        {
            "has_account": has_account,
            "book": book,
            "owes": book.balance > 0,
            "credit": -book.balance if book.balance < 0 else None,
            "months": selfpay.statement_months(participant, today) if has_account else [],
            "estimates": estimates,
        },
    )


@portal_page
@require_GET
def statement_pdf(request: PortalPageRequest, year: int, month: int) -> HttpResponse:
    if not (1 <= month <= 12 and 2000 <= year <= 2099) or date(year, month, 1) > timezone.localdate():
        raise Http404("No such month.")
    participant = request.portal_account.participant
    with refusal.silently() as outcome:
        body, name = selfpay.statement_pdf(
            actor=PortalActor(request.portal_account), participant=participant, year=year, month=month
        )
        return _file(body, name)
    raise Http404(" ".join(outcome.messages))


@portal_page
@require_GET
def estimate_pdf(request: PortalPageRequest, estimate_id: uuid.UUID) -> HttpResponse:
    account = request.portal_account
    gfe = (
        GoodFaithEstimate.objects.filter(participant_id=account.participant_id, pk=estimate_id)
        .select_related("participant")
        .first()
    )
    if gfe is None:
        raise Http404("No such estimate.")
    body = selfpay.gfe_download(actor=PortalActor(account), gfe=gfe)
    return _file(body, f"good-faith-estimate-{gfe.number}.pdf")
