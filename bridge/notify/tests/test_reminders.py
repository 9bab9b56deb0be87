"""Reminders through the real queue: enqueued, run by `bridge worker --batch`, sent once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bridge.audit.models import AuditEvent
from bridge.notify import sms
from bridge.notify.models import ReminderChannel, ReminderPreference, SentReminder
from bridge.notify.reminders import message
from bridge.scheduling.models import Attendance, Session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _memory_senders(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BRIDGE_SMS_SENDER = "bridge.notify.sms.MemorySmsSender"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def session_in(world, hours: float, *, people, kind="individual", **extra) -> Session:
    start = timezone.now() + timedelta(hours=hours)
    session = Session.objects.create(
        program=world.program,
        kind=kind,
        staff=world.therapist_a,
        title="Trauma-focused CBT",
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
        **extra,
    )
    for p in people:
        Attendance.objects.create(session=session, participant=p)
    return session


def run_worker() -> None:
    call_command("worker", batch=True, verbosity=0)


def prefer(world, participant, channel=ReminderChannel.EMAIL, opted_out=False):
    ReminderPreference.objects.update_or_create(
        participant=participant,
        defaults={"channel": channel, "opted_out": opted_out, "recorded_by": world.frontdesk},
    )


def test_the_worker_sends_an_email_reminder_once(world):
    world.alex.email = "alex@example.org"
    world.alex.save()
    session = session_in(world, 10, people=[world.alex])
    session_in(world, 40, people=[world.alex])  # too far ahead for now
    run_worker()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["alex@example.org"] and "appointment" in sent.subject
    for secret in ("Trauma", "CBT", "Harbor", "therapist"):
        assert secret.lower() not in f"{sent.subject} {sent.body}".lower()
    row = SentReminder.objects.get()
    assert (row.session_id, row.status, row.channel) == (session.pk, SentReminder.Status.SENT, "email")
    assert DBTaskResult.objects.filter(task_path__endswith="send_reminder", status="SUCCESSFUL").count() == 1
    assert (
        AuditEvent.objects.filter(
            action="reminder_sent", participant=world.alex, object_id=str(session.pk)
        ).count()
        == 1
    )

    # Running the sweep again (e.g. a second worker) sends nothing twice.
    from bridge.notify.tasks import sweep_reminders

    sweep_reminders.enqueue()
    run_worker()
    assert len(mail.outbox) == 1 and SentReminder.objects.count() == 1


def test_text_messages_go_through_the_configured_sender(world):
    world.blair.phone = "(510) 555-0101"
    world.blair.email = "blair@example.org"
    world.blair.save()
    prefer(world, world.blair, ReminderChannel.BOTH)
    session_in(world, 3, people=[world.blair], kind="group")
    run_worker()
    assert [to for to, _ in sms.outbox] == ["(510) 555-0101"]
    assert "group session" in sms.outbox[0][1] and len(mail.outbox) == 1
    assert sorted(SentReminder.objects.values_list("channel", flat=True)) == ["email", "sms"]


def test_opting_out_stops_reminders(world):
    world.alex.email = "alex@example.org"
    world.alex.save()
    prefer(world, world.alex, opted_out=True)
    session_in(world, 5, people=[world.alex])
    run_worker()
    assert mail.outbox == [] and not SentReminder.objects.exists()


def test_opting_out_after_queueing_skips_the_queued_reminder(world):
    from bridge.notify import reminders
    from bridge.notify.tasks import send_reminder

    world.alex.email = "alex@example.org"
    world.alex.save()
    session_in(world, 5, people=[world.alex])
    queued = reminders.queue_due()
    assert len(queued) == 1
    prefer(world, world.alex, opted_out=True)
    send_reminder.enqueue(str(queued[0].pk))
    call_command("db_worker", batch=True, verbosity=0, startup_delay=False, reload=False)
    assert mail.outbox == []
    assert SentReminder.objects.get().status == SentReminder.Status.SKIPPED


def test_cancelled_sessions_and_people_without_an_address_get_nothing(world):
    world.alex.email = "alex@example.org"
    world.alex.save()
    session_in(world, 5, people=[world.alex], status=Session.Status.CANCELLED, cancel_reason="Snow day")
    session_in(world, 6, people=[world.blair])  # Blair has no email on file
    run_worker()
    assert mail.outbox == [] and not SentReminder.objects.exists()


def test_a_failing_sender_is_recorded_not_retried_forever(world, settings):
    settings.BRIDGE_SMS_SENDER = "bridge.notify.tests.test_reminders.BrokenSender"
    world.alex.phone = "555"
    world.alex.save()
    prefer(world, world.alex, ReminderChannel.SMS)
    session_in(world, 5, people=[world.alex])
    run_worker()
    row = SentReminder.objects.get()
    assert row.status == SentReminder.Status.FAILED and row.error == "ConnectionError"
    run_worker()
    assert SentReminder.objects.count() == 1


class BrokenSender:
    def send(self, to, body):
        raise ConnectionError("gateway down")


def test_the_message_names_no_program_and_uses_the_programs_time(world):
    session = session_in(world, 5, people=[world.alex])
    subject, body = message(session)
    local = timezone.localtime(session.starts_at, world.program.tz)
    assert f"{local:%b} {local.day}" in body and "Oakland" in body and "Harbor" not in body
    assert "appointment" in subject and "Harbor" not in subject


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_message_says_the_day_and_time_as_the_pages_do_in_the_participants_language(world, language):
    """Named formats (bridge/formats/en; Django's own for Spanish), not a format spelled out in Python."""
    from django.template import Context, Template
    from django.utils import translation

    session = session_in(world, 5, people=[world.alex])
    local = timezone.localtime(session.starts_at, world.program.tz)
    page = Template('{{ when|date:"MONTH_DAY_FORMAT" }}|{{ when|time:"TIME_FORMAT" }}')
    with translation.override(language):
        day, clock = page.render(Context({"when": local})).split("|")
    subject, body = message(session, language)
    assert day in subject and f"{day} {'at' if language == 'en' else 'a las'} {clock}" in body
    if language == "en":  # "Mon Dec 7 at 18:00": the schedule's own day and 24-hour time
        assert day == f"{local:%a %b} {local.day}" and clock == f"{local:%H:%M}"
        assert "AM" not in body and "PM" not in body
    else:  # "7 de diciembre a las 18:00"
        assert " de " in day and "Reminder" not in subject


def test_staff_record_the_reminder_choice(world, login):
    client = login(world.frontdesk)
    url = reverse("notify:participant_reminders", args=[world.alex.pk])
    assert client.post(url, {"channel": "sms", "opted_out": "on"}).status_code == 302
    pref = ReminderPreference.objects.get(participant=world.alex)
    assert (pref.channel, pref.opted_out, pref.recorded_by) == ("sms", True, world.frontdesk)
    assert AuditEvent.objects.filter(action="update", object_type="reminder_preference").count() == 1
    bad = client.post(url, {"channel": "pigeon"})
    assert bad.status_code == 400 and b"pigeon" in bad.content
