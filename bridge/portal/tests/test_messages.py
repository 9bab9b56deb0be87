"""Messages with the care team: the participant writes, the care team answers; office hours and the
automatic reply; audit, work list, rate limit, access; "let my peer support specialist know"."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.portal import messaging
from bridge.portal.models import Message, ParticipantAccount, ParticipantAppSettings, PeerAlert
from bridge.portal.tests.conftest import sign_in
from bridge.privacy.providers import records_for
from bridge.privacy.vocab import DataClass
from bridge.worklist.models import WorkItem

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
TUESDAY_NOON = datetime(2026, 11, 17, 12, 0, tzinfo=LA)
TUESDAY_NIGHT = datetime(2026, 11, 17, 22, 30, tzinfo=LA)
SATURDAY = datetime(2026, 11, 21, 10, 0, tzinfo=LA)


def _account(world) -> ParticipantAccount:
    return ParticipantAccount.objects.get(participant=world.alex)


def test_office_hours_default_to_weekdays_nine_to_five_in_the_programs_zone(app_world):
    hours = ParticipantAppSettings.for_program(app_world.program)
    assert hours.is_open(TUESDAY_NOON)
    assert not hours.is_open(TUESDAY_NIGHT) and not hours.is_open(SATURDAY)
    assert messaging.office_hours_text(hours) == "Monday to Friday, 09:00 to 17:00"
    hours.office_days = [1, 3]
    assert messaging.office_hours_text(hours) == "Tuesday and Thursday, 09:00 to 17:00"


def test_a_program_sets_its_own_office_hours(app_world):
    ParticipantAppSettings.objects.create(
        program=app_world.program, office_days=[5], opens_at=time(8), closes_at=time(12)
    )
    hours = ParticipantAppSettings.for_program(app_world.program)
    assert hours.is_open(SATURDAY) and not hours.is_open(TUESDAY_NOON)
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipantAppSettings.objects.filter(program=app_world.program).update(closes_at=time(7))


def test_a_message_in_office_hours_reaches_the_primary_clinicians_work_list_without_its_words(app_world):
    w = app_world
    sent = messaging.message_send_participant(
        account=_account(w), body="Can we talk about my job hours?", now=TUESDAY_NOON
    )
    assert sent.automatic_reply is None
    item = WorkItem.objects.get(kind=messaging.MESSAGE_KIND, participant=w.alex)
    assert item.assigned_to == w.therapist_a and item.status == WorkItem.Status.OPEN
    assert "job" not in item.title and "job" not in item.detail
    assert AuditEvent.objects.filter(
        action="create", object_type="portal_message", object_id=str(sent.message.pk), participant=w.alex
    ).exists()
    # A second message keeps the one open item.
    messaging.message_send_participant(account=_account(w), body="And one more thing.", now=TUESDAY_NOON)
    assert WorkItem.objects.filter(kind=messaging.MESSAGE_KIND, participant=w.alex).count() == 1


def test_outside_office_hours_the_app_answers_once_with_988_911_and_the_program_in_their_language(app_world):
    w = app_world
    w.program.phone = "510-555-0100"
    w.program.save()
    w.alex.language = "es"
    w.alex.save()
    sent = messaging.message_send_participant(account=_account(w), body="No puedo dormir.", now=TUESDAY_NIGHT)
    reply = sent.automatic_reply
    assert reply is not None and reply.author == Message.Author.AUTOMATIC
    assert "988" in reply.body and "911" in reply.body and "510-555-0100" in reply.body
    assert "Nuestra oficina está cerrada" in reply.body and "lunes" in reply.body
    again = messaging.message_send_participant(account=_account(w), body="Sigo despierto.", now=TUESDAY_NIGHT)
    assert again.automatic_reply is None  # one automatic reply per quiet spell


def test_a_staff_answer_resolves_the_work_item_and_the_participant_sees_it(app_client, app_world, login):
    w = app_world
    response = app_client.post(reverse("portal:messages"), {"body": "Is group on tonight?"})
    assert response.status_code == 302
    staff = login(w.therapist_a)
    page = staff.get(reverse("portal:staff_messages", args=[w.alex.pk]))
    assert page.status_code == 200 and "Is group on tonight?" in page.content.decode()
    assert Message.objects.get(body="Is group on tonight?").read_at is not None
    assert AuditEvent.objects.filter(
        action="read", actor=w.therapist_a, participant=w.alex, detail__view="portal:staff_messages"
    ).exists()
    staff.post(reverse("portal:staff_messages", args=[w.alex.pk]), {"body": "Yes, 6 pm as usual."})
    item = WorkItem.objects.get(kind=messaging.MESSAGE_KIND, participant=w.alex)
    assert item.status == WorkItem.Status.DONE and item.resolved_by == w.therapist_a
    staff.logout()
    sign_in(app_client)
    mine = app_client.get(reverse("portal:messages")).content.decode()
    assert "Yes, 6 pm as usual." in mine and "Therapist_a" in mine
    assert Message.objects.get(body="Yes, 6 pm as usual.").read_at is not None
    assert AuditEvent.objects.filter(
        action="read", participant=w.alex, object_type="message_thread", actor__isnull=True
    ).exists()


def test_an_answer_marks_what_it_answers_as_read(app_world):
    """Answered without opening the conversation page (from the participant's page, or the demo):
    the participant's message is read all the same, so their app does not say "Not read yet"."""
    w = app_world
    account = _account(w)
    asked = messaging.message_send_participant(
        account=account, body="Can I switch to evenings?", now=TUESDAY_NOON
    )
    assert Message.objects.get(pk=asked.message.pk).read_at is None
    messaging.message_send_staff(actor=w.therapist_a, participant=w.alex, body="Yes, from Monday.")
    assert Message.objects.get(pk=asked.message.pk).read_at is not None


def test_an_empty_or_too_long_message_is_a_field_error(app_client):
    assert app_client.post(reverse("portal:messages"), {"body": "  "}).status_code == 400
    response = app_client.post(reverse("portal:messages"), {"body": "x" * 2001})
    assert response.status_code == 400 and Message.objects.count() == 0


def test_messages_are_rate_limited(app_world, settings):
    settings.BRIDGE_PORTAL_MESSAGES_PER_HOUR = 2
    account = _account(app_world)
    for text in ("one", "two"):
        messaging.message_send_participant(account=account, body=text, now=TUESDAY_NOON)
    with pytest.raises(ValidationError):
        messaging.message_send_participant(account=account, body="three", now=TUESDAY_NOON)
    assert Message.objects.filter(author="participant").count() == 2
    assert AuditEvent.objects.filter(object_type="portal_message", outcome="denied").exists()


def test_messages_are_never_deleted_or_changed_even_by_hand(app_world):
    from django.db import connection
    from django.db.models import ProtectedError

    sent = messaging.message_send_participant(account=_account(app_world), body="hello", now=TUESDAY_NOON)
    with pytest.raises(ProtectedError):
        sent.message.thread.delete()
    for sql in (
        "DELETE FROM portal_message WHERE id = %s",
        "UPDATE portal_message SET body = 'changed' WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [Message._meta.pk.get_db_prep_value(sent.message.pk, connection)])
    Message.objects.filter(pk=sent.message.pk).update(read_at=TUESDAY_NOON)  # reading is allowed
    assert Message.objects.get(pk=sent.message.pk).body == "hello"


def test_a_participant_sees_only_their_own_conversation(app_world, client):
    w = app_world
    messaging.message_send_staff(actor=w.therapist_a, participant=w.alex, body="Only for Alex")
    sign_in(client, contact="510-555-0199")  # blair
    page = client.get(reverse("portal:messages")).content.decode()
    assert "Only for Alex" not in page
    # A participant session cannot open the staff conversation page of anyone.
    response = client.get(reverse("portal:staff_messages", args=[w.alex.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_staff_access_care_team_answers_front_desk_refused_outsider_not_found(app_world, login):
    w = app_world
    url = reverse("portal:staff_messages", args=[w.alex.pk])
    for allowed in (w.therapist_a, w.peer, w.nurse, w.director):
        assert login(allowed).get(url).status_code == 200, allowed
    assert login(w.frontdesk).get(url).status_code == 403
    assert login(w.billing).get(url).status_code == 403
    for outsider in (w.outsider, w.therapist_b, w.auditor):
        assert login(outsider).get(url).status_code == 404, outsider
    assert login(w.therapist_b).post(url, {"body": "hi"}).status_code == 404
    assert Message.objects.count() == 0


def test_the_participant_page_shows_the_conversation_to_the_care_team_only(app_world, login):
    w = app_world
    messaging.message_send_participant(account=_account(w), body="Feeling shaky today", now=TUESDAY_NOON)
    url = reverse("participants:detail", args=[w.alex.pk])
    latest = reverse("portal:staff_messages_latest", args=[w.alex.pk])
    assert latest in login(w.therapist_a).get(url).content.decode()
    section = login(w.therapist_a).get(latest).content.decode()
    assert "Feeling shaky today" in section and "Waiting for an answer" in section
    assert latest not in login(w.frontdesk).get(url).content.decode()
    assert login(w.frontdesk).get(latest).status_code == 403
    assert login(w.outsider).get(latest).status_code == 404


def test_messages_are_in_the_participants_copy_of_their_record(app_world):
    w = app_world
    messaging.message_send_participant(account=_account(w), body="A question", now=TUESDAY_NOON)
    messaging.message_send_staff(actor=w.therapist_a, participant=w.alex, body="An answer")
    found = records_for(DataClass.PROGRESS_NOTES, w.alex, TUESDAY_NOON.date(), datetime.now(LA).date())
    texts = [line for r in found if r.object_type == "portal_message" for _k, line in r.lines]
    assert "A question" in texts and "An answer" in texts


# --- "I need help now": let my peer know ------------------------------------------------------------------


def test_let_my_peer_know_raises_an_urgent_item_for_the_peer_once_per_double_tap(app_client, app_world):
    w = app_world
    help_page = app_client.get(reverse("portal:help")).content.decode()
    assert "Let my peer support specialist know" in help_page
    # Without ticking the box nothing happens.
    app_client.post(reverse("portal:help_peer"), {})
    assert not WorkItem.objects.filter(kind=messaging.HELP_KIND).exists()
    for _tap in range(2):
        response = app_client.post(reverse("portal:help_peer"), {"opt_in": "on"})
        assert response.status_code == 302
    items = WorkItem.objects.filter(kind=messaging.HELP_KIND, participant=w.alex)
    assert [(i.assigned_to, i.urgent) for i in items] == [(w.peer, True)]
    assert PeerAlert.objects.filter(participant=w.alex).count() == 1
    assert AuditEvent.objects.filter(action="create", object_type="peer_alert", participant=w.alex).exists()
    page = app_client.get(reverse("portal:help")).content.decode()
    assert "We already told your peer support specialist" in page


def test_without_a_peer_the_primary_clinician_is_told(app_world):
    w = app_world
    w.alex.care_team.filter(staff=w.peer).update(ended_at=timezone.now())
    messaging.peer_alert(account=_account(w), now=TUESDAY_NOON)
    assert WorkItem.objects.get(kind=messaging.HELP_KIND).assigned_to == w.therapist_a


def test_let_my_peer_know_is_rate_limited(app_world, settings):
    from datetime import timedelta

    settings.BRIDGE_PORTAL_PEER_ALERTS_PER_DAY = 2
    account = _account(app_world)
    messaging.peer_alert(account=account, now=TUESDAY_NOON)
    messaging.peer_alert(account=account, now=TUESDAY_NOON + timedelta(hours=1))
    with pytest.raises(ValidationError):
        messaging.peer_alert(account=account, now=TUESDAY_NOON + timedelta(hours=2))
    assert PeerAlert.objects.count() == 2
