"""Session reminders: which are due, and sending one. Run by the tasks in tasks.py.

A reminder is due for every participant on the roster of a scheduled session that starts within
BRIDGE_REMINDER_HOURS, on each channel they chose (email, text or both), unless they opted out.
Each (session, participant, channel) gets one SentReminder row — the database refuses a second —
so a reminder is queued once and sent at most once. Messages say only that there is an
appointment or group session, when and where: no program name, nothing clinical.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.notify.ics import GROUP_KINDS, location
from bridge.notify.models import ReminderChannel, ReminderPreference, SentReminder
from bridge.notify.sms import sms_sender
from bridge.participants.models import Participant
from bridge.scheduling.models import Attendance, Session

REMINDED_STATUSES = (Participant.Status.ACTIVE, Participant.Status.STEP_DOWN, Participant.Status.ALUMNI)
SKIP_ATTENDANCE = (Attendance.Status.EXCUSED,)


def channels_for(participant: Participant, preference: ReminderPreference | None) -> list[str]:
    """The channels to use for this participant, given what is on file."""
    wanted: list[str]
    if preference is None:
        wanted = [ReminderChannel.EMAIL]
    elif preference.opted_out:
        return []
    elif preference.channel == ReminderChannel.BOTH:
        wanted = [ReminderChannel.EMAIL, ReminderChannel.SMS]
    else:
        wanted = [preference.channel]
    reachable: dict[str, bool] = {
        ReminderChannel.EMAIL: bool(participant.email),
        ReminderChannel.SMS: bool(participant.phone),
    }
    return [str(c) for c in wanted if reachable[c]]


def _preference(participant: Participant) -> ReminderPreference | None:
    try:
        return participant.reminder_preference
    except ReminderPreference.DoesNotExist:
        return None


def queue_due(*, now: datetime | None = None) -> list[SentReminder]:
    """Create a queued row for each reminder now due. Returns the rows created (to be sent)."""
    now = now or timezone.now()
    horizon = now + timedelta(hours=settings.BRIDGE_REMINDER_HOURS)
    roster = (
        Attendance.objects.filter(
            session__starts_at__gt=now,
            session__starts_at__lte=horizon,
            session__status=Session.Status.SCHEDULED,
            participant__status__in=REMINDED_STATUSES,
        )
        .exclude(status__in=SKIP_ATTENDANCE)
        .select_related("participant__reminder_preference")
    )
    already = set(
        SentReminder.objects.filter(session__starts_at__gt=now, session__starts_at__lte=horizon).values_list(
            "session_id", "participant_id", "channel"
        )
    )
    created: list[SentReminder] = []
    for row in roster:
        for channel in channels_for(row.participant, _preference(row.participant)):
            if (row.session_id, row.participant_id, channel) in already:
                continue
            try:
                with transaction.atomic():
                    created.append(
                        SentReminder.objects.create(
                            session_id=row.session_id, participant_id=row.participant_id, channel=channel
                        )
                    )
            except IntegrityError:  # another sweep got there first
                continue
    return created


def message(session: Session, language: str = "en") -> tuple[str, str]:
    """(subject, body) of a reminder, in the participant's language (settings.LANGUAGES)."""
    local = timezone.localtime(session.starts_at, session.program.tz)
    where = location(session)
    with translation.override(language):
        what = _("a group session") if session.kind in GROUP_KINDS else _("an appointment")
        # The same named formats the pages use (bridge/formats; Django's own for other languages),
        # so a reminder names the day and time exactly as the participant's schedule shows them.
        day = formats.date_format(local, "MONTH_DAY_FORMAT")
        when = _("%(day)s at %(time)s") % {"day": day, "time": formats.time_format(local, "TIME_FORMAT")}
        place = _("Join here") if session.modality == Session.Modality.TELEHEALTH else _("Where")
        subject = _("Reminder: %(what)s on %(day)s") % {"what": what, "day": day}
        body = (
            _("This is a reminder that you have %(what)s on %(when)s.") % {"what": what, "when": when}
            + f"\n{place}: {where}\n\n"
            + _("To change the time, or to stop these reminders, tell the front desk or your care team.")
        )
    return subject, body


def send(reminder_id: str) -> str:
    """Send one queued reminder; returns its final status. Never sends a reminder twice."""
    with transaction.atomic():
        reminder = (
            SentReminder.objects.select_for_update(of=("self",))
            .select_related("session__program", "session__room", "participant")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None or reminder.status != SentReminder.Status.QUEUED:
            return reminder.status if reminder else "missing"
        session, participant = reminder.session, reminder.participant
        still_wanted = reminder.channel in channels_for(participant, _preference(participant))
        if (
            session.status != Session.Status.SCHEDULED
            or session.starts_at <= timezone.now()
            or not still_wanted
        ):
            reminder.status = SentReminder.Status.SKIPPED
            reminder.save(update_fields=["status"])
            return reminder.status
        # Marked sent before sending: if the process dies mid-send, the reminder is lost rather
        # than sent twice (a duplicate text about treatment is the worse failure).
        reminder.status = SentReminder.Status.SENT
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["status", "sent_at"])
    subject, body = message(session, participant.language)
    try:
        if reminder.channel == ReminderChannel.EMAIL:
            send_mail(subject, body, None, [participant.email])
        else:
            sms_sender().send(participant.phone, body.split("\n\n")[0])
    except Exception as exc:  # any sender failure is recorded, not raised
        SentReminder.objects.filter(pk=reminder.pk).update(
            status=SentReminder.Status.FAILED, error=f"{type(exc).__name__}"[:200]
        )
        outcome, status = Outcome.FAILURE, SentReminder.Status.FAILED
    else:
        outcome, status = Outcome.SUCCESS, SentReminder.Status.SENT
    audit_record(
        action=Action.REMINDER_SENT,
        actor=None,
        actor_label="reminders",
        participant=participant,
        object_type="session",
        object_id=str(session.pk),
        outcome=outcome,
        detail={"channel": reminder.channel, "reminder": str(reminder.pk)},
    )
    return status
