"""Private calendar feeds and session reminders."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class CalendarFeed(models.Model):
    """A private iCalendar feed of one participant's or one staff member's sessions.

    The URL carries a random token; only its hash is kept, so the link is shown once when it is
    made. Revoking it (or making a new one) stops the old link at once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_feeds",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_feeds",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text="The token's last characters, to tell links apart")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participant__isnull=True, staff__isnull=False)
                | Q(participant__isnull=False, staff__isnull=True),
                name="feed_has_one_owner",
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(revoked_at__isnull=True, participant__isnull=False),
                name="one_live_feed_per_participant",
            ),
            models.UniqueConstraint(
                fields=["staff"],
                condition=Q(revoked_at__isnull=True, staff__isnull=False),
                name="one_live_feed_per_staff",
            ),
        ]

    def __str__(self) -> str:
        owner = f"participant {self.participant_id}" if self.participant_id else f"staff {self.staff_id}"
        return f"feed …{self.hint} of {owner}{' (revoked)' if self.revoked_at else ''}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class ReminderChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    BOTH = "both", "Email and text message"


class ReminderPreference(models.Model):
    """How a participant wants session reminders, as staff recorded it; or that they want none.

    Without a row a participant gets email reminders when an address is on file.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.PROTECT, related_name="reminder_preference"
    )
    channel = models.CharField(max_length=8, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL)
    opted_out = models.BooleanField("No reminders", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "no reminders" if self.opted_out else self.get_channel_display()


class SentReminder(models.Model):
    """One reminder for one participant, one session and one channel: queued, then sent or failed.

    The unique constraint is what guarantees a reminder is never sent twice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey("scheduling.Session", on_delete=models.PROTECT, related_name="reminders")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="reminders"
    )
    channel = models.CharField(max_length=8, choices=[c for c in ReminderChannel.choices if c[0] != "both"])
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-queued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant", "channel"], name="one_reminder_per_session_channel"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="sent_reminder_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} reminder for {self.session_id}: {self.status}"


class StaffAlertContact(models.Model):
    """How a staff member is told about urgent work (a safety escalation): their mobile number for
    text messages and the channels they want. Without a row they are emailed at their account address.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        BOTH = "both", "Email and text message"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alert_contact"
    )
    mobile_phone = models.CharField(max_length=30, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.BOTH)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Alert contact of {self.staff_id}: {self.channel}"


class StaffNotification(models.Model):
    """One message to one staff member on one channel about something that needs them (e.g. a safety
    escalation), through the same pluggable senders as reminders. The message itself names no
    participant and nothing clinical: it says there is work and where to look.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent (no address on file)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_notifications"
    )
    channel = models.CharField(max_length=8, choices=[("email", "Email"), ("sms", "Text message")])
    subject = models.CharField(max_length=200)
    body = models.TextField()
    about_type = models.CharField(max_length=60, blank=True)
    about_id = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["about_type", "about_id"], name="staff_notification_about")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="sent_staff_notification_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient_id}: {self.status}"
