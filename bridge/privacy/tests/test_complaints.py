"""The privacy complaint log: dates, what was done, the non-retaliation statement; directors only."""

from __future__ import annotations

from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.privacy.models import Complaint
from bridge.privacy.notices import NON_RETALIATION


def test_a_complaint_is_logged_and_closed_with_what_was_done(world, login, today):
    client = login(world.director)
    url = reverse("privacy:complaint_list")
    page = client.get(url)
    assert page.status_code == 200 and NON_RETALIATION in page.content.decode()
    bad = client.post(url, {"program": world.program.pk, "received_on": today.isoformat()})
    assert bad.status_code == 400 and "summary" in bad.context["form"].errors
    response = client.post(
        url,
        {
            "program": world.program.pk,
            "received_on": today.isoformat(),
            "complainant": "Alex Sample",
            "received_how": "In person",
            "participant": world.alex.pk,
            "summary": "My employer knew about my attendance before I signed anything.",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    close = reverse("privacy:complaint_close", args=[complaint.pk])
    client.post(
        close, {"action_taken": "Reviewed the disclosures; none went out.", "closed_on": today.isoformat()}
    )
    complaint.refresh_from_db()
    assert complaint.closed_on == today and "Reviewed" in complaint.action_taken
    assert AuditEvent.objects.filter(object_type="privacy_complaint").count() == 2
    assert (
        login(world.outsider).post(close, {"action_taken": "x", "closed_on": today.isoformat()}).status_code
        == 404
    )
    assert login(world.therapist_a).get(url).status_code == 403
