"""Work items: raised once per cause, shown to their owner, resolved with a note."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.worklist.models import WorkItem
from bridge.worklist.services import work_item_open


@pytest.fixture
def item(world):
    return work_item_open(
        participant=world.alex,
        assigned_to=world.therapist_a,
        kind="absence_followup",
        title="Two unexcused absences in a row",
        source_type="attendance",
        source_id="abc",
    )


def test_same_cause_does_not_raise_a_twin(world, item):
    again = work_item_open(
        participant=world.alex,
        assigned_to=world.therapist_a,
        kind="absence_followup",
        title="Two unexcused absences in a row",
        source_type="attendance",
        source_id="abc",
    )
    assert again == item and WorkItem.objects.count() == 1


def test_owner_sees_it_on_home_and_resolves_it(world, item, login):
    client = login(world.therapist_a)
    assert "Two unexcused absences in a row" in client.get("/").content.decode()
    url = reverse("worklist:resolve", args=[world.alex.pk, item.pk])
    empty = client.post(url, {"resolution": "", "status": "done"})
    assert empty.status_code == 400
    response = client.post(url, {"resolution": "Called; back on Thursday.", "status": "done"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "done" and item.resolved_by == world.therapist_a
    assert AuditEvent.objects.filter(
        action="update", object_type="work_item", object_id=str(item.pk)
    ).exists()


def test_outsider_gets_404(world, item, login):
    url = reverse("worklist:resolve", args=[world.alex.pk, item.pk])
    assert login(world.therapist_b).get(url).status_code == 404
    assert login(world.outsider).get(url).status_code == 404


def test_only_the_assignee_or_a_director_resolves(world, item, login):
    url = reverse("worklist:resolve", args=[world.alex.pk, item.pk])
    assert login(world.nurse).post(url, {"resolution": "x", "status": "done"}).status_code == 403
    assert login(world.director).post(url, {"resolution": "Handled", "status": "done"}).status_code == 302
