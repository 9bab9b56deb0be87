"""The auditor's page: filter, page, export CSV; nobody else gets in."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from bridge.audit.models import AuditEvent


@pytest.fixture
def activity(world, login):
    client = login(world.therapist_a)
    client.get(reverse("participants:detail", args=[world.alex.pk]))
    client.get(reverse("participants:detail", args=[world.blair.pk]))  # denied
    login(world.director).get(reverse("participants:detail", args=[world.blair.pk]))
    return world


def test_auditor_filters_by_participant_actor_action(activity, login):
    w = activity
    client = login(w.auditor)
    page = client.get(reverse("audit:log"), {"participant": str(w.blair.pk)})
    assert page.status_code == 200
    events = list(page.context["page"].object_list)
    # intake admitted blair when the world was built (through the workflow, audited).
    assert {e.actor_label for e in events} == {"therapist_a", "director", "intake"}
    denied = client.get(reverse("audit:log"), {"actor": "therapist_a", "action": "access_denied"})
    assert [e.participant for e in denied.context["page"].object_list] == [w.blair]
    # Reading the log is itself audited.
    assert AuditEvent.objects.filter(action="read", object_type="audit_log", actor=w.auditor).count() == 2


def test_bad_filter_shows_a_field_error(activity, login):
    client = login(activity.auditor)
    response = client.get(
        reverse("audit:log"),
        {"participant": "not-a-uuid", "date_from": "2026-12-01", "date_to": "2026-11-01"},
    )
    assert response.status_code == 200
    assert "participant" in response.context["form"].errors and "date_to" in response.context["form"].errors


def test_csv_export_has_every_column_and_is_audited(activity, login):
    client = login(activity.auditor)
    response = client.get(reverse("audit:export"), {"actor": "therapist_a"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["seq", "occurred_at_utc", "actor", "participant_id", "action"]
    assert {r[2] for r in rows[1:]} == {"therapist_a"}
    assert {r[4] for r in rows[1:]} >= {"read", "access_denied"}
    assert AuditEvent.objects.filter(action="export", object_type="audit_log").exists()


@pytest.mark.parametrize("persona", ["director", "therapist_a", "frontdesk", "outsider"])
def test_only_auditors_open_the_log(activity, login, persona):
    client = login(activity.staff[persona])
    assert client.get(reverse("audit:log")).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403
    assert (
        AuditEvent.objects.filter(
            action="access_denied", object_type="audit_log", actor=activity.staff[persona]
        ).count()
        == 2
    )


def test_auditor_never_sees_a_chart(activity, login):
    client = login(activity.auditor)
    assert client.get(reverse("participants:detail", args=[activity.alex.pk])).status_code == 404
    assert client.get(reverse("participants:list")).context["page"].paginator.count == 0


def test_an_auditor_sees_only_their_programs_events(activity, login):
    from bridge.accounts.models import Role
    from bridge.testing.personas import make_staff

    other_auditor = make_staff("other_auditor", activity.other_program, Role.AUDITOR)
    client = login(other_auditor)
    page = client.get(reverse("audit:log"))
    labels = {e.actor_label for e in page.context["page"].object_list}
    assert not labels & {"therapist_a", "director"}
    assert (
        client.get(reverse("audit:log"), {"participant": str(activity.blair.pk)})
        .context["page"]
        .paginator.count
        == 0
    )
    rows = list(
        csv.reader(io.StringIO(b"".join(client.get(reverse("audit:export")).streaming_content).decode()))
    )
    assert all(row[3] != str(activity.blair.pk) for row in rows[1:])
    assert not {row[2] for row in rows[1:]} & {"therapist_a", "director"}
