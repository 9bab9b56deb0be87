"""The demo has a conversation for the tour: one answered, one waiting on a clinician's work list."""

from __future__ import annotations

from django.urls import reverse

from bridge.portal.models import Message
from bridge.worklist.models import WorkItem


def test_the_demo_has_an_answered_conversation_and_one_waiting(demo, client):
    assert Message.objects.filter(author="staff").exists()
    waiting = WorkItem.objects.get(kind="portal_message", status="open")
    answered = Message.objects.filter(author="staff").select_related("thread").first()
    assert answered is not None
    client.force_login(answered.staff)
    page = client.get(reverse("portal:staff_messages", args=[answered.thread.participant_id]))
    assert page.status_code == 200 and "family session" in page.content.decode()
    client.force_login(waiting.assigned_to)
    assert "sent a message in the app" in client.get(reverse("core:home")).content.decode()
