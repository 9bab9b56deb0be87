from __future__ import annotations

import json
from datetime import UTC
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bridge.audit.access import require_auditor
from bridge.audit.actions import Action
from bridge.audit.forms import AuditFilterForm
from bridge.audit.models import AuditEvent
from bridge.audit.queries import audit_event_list
from bridge.audit.services import audit_record
from bridge.core import csv_export

if TYPE_CHECKING:
    from bridge.accounts.http import StaffRequest  # audit sits below accounts: for type checking only

CSV_COLUMNS = [
    "seq",
    "occurred_at_utc",
    "actor",
    "participant_id",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "request_id",
    "client_ip",
    "channel",
    "detail",
    "hash",
]


def _filters(request: StaffRequest) -> tuple[AuditFilterForm, dict]:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, {k: v for k, v in form.cleaned_data.items() if v}
    return form, {}


@require_GET
def audit_log(request: StaffRequest) -> HttpResponse:
    require_auditor(request)
    form, filters = _filters(request)
    events = audit_event_list(request.user, **filters) if not form.errors else AuditEvent.objects.none()
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    audit_record(
        action=Action.READ,
        actor=request.user,
        object_type="audit_log",
        detail={"filters": {k: str(v) for k, v in filters.items()}, "page": page.number},
    )
    querystring = urlencode({k: str(v) for k, v in filters.items()})
    return render(request, "audit/log.html", {"form": form, "page": page, "querystring": querystring})


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def audit_export(request: StaffRequest) -> HttpResponse | StreamingHttpResponse:
    require_auditor(request)
    form, filters = _filters(request)
    if form.errors:
        return HttpResponse(
            "Fix the filters before exporting: " + form.errors.as_text(),
            status=400,
            content_type="text/plain",
        )
    audit_record(
        action=Action.EXPORT,
        actor=request.user,
        object_type="audit_log",
        detail={"filters": {k: str(v) for k, v in filters.items()}, "format": "csv"},
    )
    writer = csv_export.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for e in audit_event_list(request.user, **filters).order_by("seq").iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.seq,
                    e.occurred_at.astimezone(UTC).isoformat(),
                    e.actor_label,
                    e.participant_id or "",
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.outcome,
                    e.request_id,
                    e.client_ip,
                    e.channel,
                    json.dumps(e.detail, sort_keys=True),
                    e.hash,
                ]
            )

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="bridge-audit-{stamp}.csv"'
    return response
