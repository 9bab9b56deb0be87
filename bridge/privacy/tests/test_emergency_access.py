"""Break-the-glass: a stated reason opens a chart outside one's care team for a limited time; audited,
announced to the director, reviewed; integrated into the one access rule."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.participants.access import Cap, capabilities
from bridge.participants.models import Participant
from bridge.privacy.models import EmergencyAccess
from bridge.worklist.models import WorkItem

REASON = "Alex collapsed in the lobby; I need the medication list now."


def _open(client, participant, reason=REASON):
    return client.post(reverse("privacy:emergency_access", args=[participant.pk]), {"reason": reason})


def test_not_found_page_offers_emergency_access_to_a_clinician(world, login):
    response = login(world.therapist_b).get(reverse("participants:detail", args=[world.alex.pk]))
    assert response.status_code == 404
    assert reverse("privacy:emergency_access", args=[world.alex.pk]) in response.content.decode()
    # Front desk and auditors are not offered it.
    frontdesk = login(world.auditor).get(reverse("participants:detail", args=[world.alex.pk]))
    assert b"emergency access" not in frontdesk.content


def test_a_same_program_clinician_breaks_the_glass(world, login, django_capture_on_commit_callbacks):
    client = login(world.therapist_b)
    with django_capture_on_commit_callbacks(execute=True):
        response = _open(client, world.alex)
    assert response.status_code == 302
    assert response["Location"] == reverse("participants:detail", args=[world.alex.pk])
    grant = EmergencyAccess.objects.get()
    assert (grant.user, grant.participant, grant.reason) == (world.therapist_b, world.alex, REASON)
    assert grant.expires_at - grant.started_at == timedelta(minutes=60)
    # The break-the-glass event: purpose BTG, the reason bound by its hash, not copied into the log.
    event = AuditEvent.objects.get(action="break_glass")
    assert event.participant == world.alex and event.actor == world.therapist_b
    assert event.detail["purpose"] == "BTG"
    assert event.detail["reason_sha256"] == hashlib.sha256(REASON.encode()).hexdigest()
    assert "collapsed" not in str(event.detail)
    # The chart opens, with a banner; the read is audited as an emergency read.
    page = client.get(reverse("participants:detail", args=[world.alex.pk]))
    assert page.status_code == 200
    assert "Emergency access" in page.content.decode() and 'role="alert"' in page.content.decode()
    read = AuditEvent.objects.filter(action="read", actor=world.therapist_b, participant=world.alex).latest(
        "seq"
    )
    assert read.detail["purpose"] == "BTG" and read.detail["grant"] == str(grant.pk)
    # The director is told: a work item and an email without participant details.
    item = WorkItem.objects.get(kind="emergency_access_review")
    assert item.assigned_to == world.director and item.participant == world.alex
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.director.email]
    assert "Alex" not in mail.outbox[0].body and "Sample" not in mail.outbox[0].body


def test_the_grant_adds_view_and_chart_only(world, login, recipients):
    client = login(world.therapist_b)
    _open(client, world.alex)
    assert capabilities(world.therapist_b, world.alex) == {Cap.VIEW, Cap.CHART}
    assert client.get(reverse("privacy:disclosure_list", args=[world.alex.pk])).status_code == 200
    assert client.get(reverse("participants:edit", args=[world.alex.pk])).status_code == 403
    assert client.get(reverse("privacy:disclosure_create", args=[world.alex.pk])).status_code == 403
    # While it lasts, the participant is in the clinician's list too.
    assert Participant.objects.visible_to(world.therapist_b).filter(pk=world.alex.pk).exists()


def test_the_grant_expires_after_sixty_minutes(world, login, settings):
    settings.BRIDGE_IDLE_MINUTES = 240  # the session's idle limit is not what this test is about
    start = timezone.now()
    client = login(world.therapist_b)
    with time_machine.travel(start, tick=False):
        _open(client, world.alex)
    url = reverse("participants:detail", args=[world.alex.pk])
    with time_machine.travel(start + timedelta(minutes=59, seconds=59), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(start + timedelta(minutes=60), tick=False):
        assert client.get(url).status_code == 404
        assert not Participant.objects.visible_to(world.therapist_b).filter(pk=world.alex.pk).exists()
        assert AuditEvent.objects.filter(action="access_denied", actor=world.therapist_b).exists()


def test_the_duration_is_a_setting(world, login, settings):
    settings.BRIDGE_BREAK_GLASS_MINUTES = 5
    settings.BRIDGE_IDLE_MINUTES = 240
    start = timezone.now()
    client = login(world.therapist_b)
    with time_machine.travel(start, tick=False):
        _open(client, world.alex)
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert client.get(reverse("participants:detail", args=[world.alex.pk])).status_code == 404


def test_ending_early_closes_access_at_once(world, login):
    client = login(world.therapist_b)
    _open(client, world.alex)
    grant = EmergencyAccess.objects.get()
    assert client.post(reverse("privacy:emergency_end", args=[world.alex.pk, grant.pk])).status_code == 302
    assert client.get(reverse("participants:detail", args=[world.alex.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["outsider"])
def test_a_clinician_of_another_program_gets_not_found(world, login, persona):
    client = login(world.staff[persona])
    before = AuditEvent.objects.count()
    response = _open(client, world.alex)
    assert response.status_code == 404
    assert not EmergencyAccess.objects.exists()
    denial = AuditEvent.objects.get(seq__gt=before)
    assert (denial.action, denial.participant, denial.outcome) == ("access_denied", world.alex, "denied")


def test_a_missing_participant_answers_like_a_hidden_one(world, login):
    import uuid

    client = login(world.outsider)
    hidden = _open(client, world.alex)
    missing = _open(client, type("P", (), {"pk": uuid.uuid4()}))
    assert hidden.status_code == missing.status_code == 404


@pytest.mark.parametrize("persona", ["frontdesk", "peer", "auditor", "director"])
def test_non_clinicians_cannot_ask(world, login, persona):
    client = login(world.staff[persona])
    assert client.get(reverse("privacy:emergency_access", args=[world.blair.pk])).status_code == 404
    assert _open(client, world.blair).status_code == 404
    assert not EmergencyAccess.objects.exists()


def test_a_reason_is_required(world, login):
    client = login(world.therapist_b)
    response = _open(client, world.alex, reason="  ")
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    assert _open(client, world.alex, reason="help").status_code == 400
    assert not EmergencyAccess.objects.exists()


def test_someone_already_on_the_team_needs_no_glass_broken(world, login):
    response = _open(login(world.therapist_a), world.alex)
    assert response.status_code == 302 and not EmergencyAccess.objects.exists()


def test_the_director_reviews_and_the_work_item_is_resolved(world, login):
    _open(login(world.therapist_b), world.alex)
    grant = EmergencyAccess.objects.get()
    director = login(world.director)
    listing = director.get(reverse("privacy:emergency_review_list"))
    assert listing.status_code == 200 and listing.context["grants"] == [grant]
    assert "Emergency access to review (1)" in director.get(reverse("core:home")).content.decode()
    url = reverse("privacy:emergency_review", args=[world.alex.pk, grant.pk])
    refused = director.post(url, {"review": "not_appropriate", "note": ""})
    assert refused.status_code == 400 and "note" in refused.context["form"].errors
    assert director.post(url, {"review": "appropriate", "note": "Real emergency."}).status_code == 302
    grant.refresh_from_db()
    assert grant.review == "appropriate" and grant.reviewed_by == world.director
    assert WorkItem.objects.get(kind="emergency_access_review").status == WorkItem.Status.DONE


def test_only_a_director_reviews(world, login):
    _open(login(world.therapist_b), world.alex)
    grant = EmergencyAccess.objects.get()
    # therapist_a manages alex's team but is no director.
    response = login(world.therapist_a).get(
        reverse("privacy:emergency_review", args=[world.alex.pk, grant.pk])
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        action="access_denied", actor=world.therapist_a, object_type="emergency_access"
    )
    assert login(world.therapist_a).get(reverse("privacy:emergency_review_list")).status_code == 403
    assert (
        login(world.outsider)
        .get(reverse("privacy:emergency_review", args=[world.alex.pk, grant.pk]))
        .status_code
        == 404
    )


def test_review_list_query_count_is_constant(world, login, django_assert_max_num_queries):
    director = login(world.director)
    now = timezone.now()

    def grants(n):
        for _ in range(n):
            EmergencyAccess.objects.create(
                participant=world.alex,
                program=world.program,
                user=world.therapist_b,
                reason="Test emergency reason",
                started_at=now,
                expires_at=now + timedelta(minutes=60),
            )

    grants(1)
    with django_assert_max_num_queries(30) as first:
        director.get(reverse("privacy:emergency_review_list"))
    grants(10)
    with django_assert_max_num_queries(len(first.captured_queries)):
        director.get(reverse("privacy:emergency_review_list"))
