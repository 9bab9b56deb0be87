"""The right of access: a request with a 30-day clock, the copy produced from the record (PDF and
FHIR Bundle) through the decision point, released to the participant and its delivery recorded."""

from __future__ import annotations

import io
from datetime import timedelta

from django.urls import reverse
from pypdf import PdfReader

from bridge.audit.models import AuditEvent
from bridge.privacy import labels
from bridge.privacy.models import AccessRequest
from bridge.privacy.vocab import DataClass
from bridge.worklist.models import WorkItem


def test_an_access_request_is_produced_and_delivered(world, login, today, alex_attendance):
    client = login(world.therapist_a)
    url = reverse("privacy:access_request_list", args=[world.alex.pk])
    bad = client.post(url, {"requested_on": today.isoformat(), "request_text": "x"})
    assert bad.status_code == 400 and "data_classes" in bad.context["form"].errors
    response = client.post(
        url,
        {
            "requested_on": (today - timedelta(days=3)).isoformat(),
            "request_text": "A copy of my attendance for my records.",
            "data_classes": [DataClass.ATTENDANCE],
            "date_from": (today - timedelta(days=30)).isoformat(),
            "date_to": today.isoformat(),
        },
    )
    assert response.status_code == 302
    req = AccessRequest.objects.get()
    assert req.due_on == req.requested_on + timedelta(days=30)
    item = WorkItem.objects.get(kind="access_request", assigned_to=world.director)
    assert item.due_on == req.due_on
    detail = reverse("privacy:access_request_detail", args=[world.alex.pk, req.pk])
    assert client.post(detail, {"action": "produce"}).status_code == 302
    req.refresh_from_db()
    assert req.package is not None
    assert req.status == "produced" and req.package["sections"][0]["data_class"] == "attendance"
    assert len(req.package["sections"][0]["records"]) >= 2
    bundle = req.package["bundle"]
    assert all(labels.carries_labels(e["resource"]) for e in bundle["entry"])
    assert AuditEvent.objects.filter(
        action="policy_decision", object_id=str(req.pk), detail__decision="participant_access"
    ).exists()
    body = client.get(reverse("privacy:access_request_file", args=[world.alex.pk, req.pk, "pdf"])).content
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert "right of access" in " ".join(text.split())
    response = client.post(detail, {"action": "deliver", "delivered_on": today.isoformat(), "how": "hand"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "delivered" and req.delivered_how == "hand"
    assert AuditEvent.objects.filter(action="disclose", object_type="access_request").exists()
    item.refresh_from_db()
    assert item.status == WorkItem.Status.DONE
    assert login(world.outsider).get(detail).status_code == 404
    assert login(world.outsider).get(url).status_code == 404
