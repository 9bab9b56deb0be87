"""The participant's own Bridge (the app at /me/): their sign-in and what they ask the program for.

A participant's account is deliberately not a staff `User`: it never passes Django's
authentication, so `request.user` stays anonymous and no staff page (all of which need a signed-in
staff member) can be reached with it, and no staff member can become one.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bridge.core.dates import dates_in_range, in_db_range


class ParticipantAccount(models.Model):
    """A participant's sign-in to their own app, opened by staff, signed in to by one-time code.

    `session_epoch` goes up when they sign out of all devices: every session that carries an older
    epoch ends at its next request. Five wrong codes lock the account for the staff lockout time.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.PROTECT, related_name="portal_account"
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    session_epoch = models.PositiveIntegerField(default=0)
    failed_codes = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_by__isnull=False),
                name="portal_account_closed_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"app account of {self.participant_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


class CodeChannel(models.TextChoices):
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"


class SignInCode(models.Model):
    """One one-time sign-in code sent to the phone or email on the participant's record.

    Only a keyed hash of the code is kept. It works once, for a few minutes, and a newer code
    replaces it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(ParticipantAccount, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    channel = models.CharField(max_length=8, choices=CodeChannel.choices)
    sent_to_hint = models.CharField(max_length=60, help_text="Where it went, partly hidden")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(validators=[in_db_range])
    used_at = models.DateTimeField(null=True, blank=True)
    replaced = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "created_at"], name="portal_code_account_time")]
        constraints = [
            dates_in_range("portal_signincode_dates_in_range", moments=["expires_at"]),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="portal_code_expires"
            ),
        ]

    def __str__(self) -> str:
        return f"code for {self.account_id} at {self.created_at:%Y-%m-%d %H:%M}"

    def is_usable(self, now=None) -> bool:
        return self.used_at is None and not self.replaced and self.expires_at > (now or timezone.now())


class PortalRequest(models.Model):
    """Something a participant asked for from their app about one session: to move an individual
    session (with times they can make) or to be excused from a group. Nothing changes on its own:
    the front desk gets a work item and answers it; its resolution is shown back to the participant.
    """

    class Kind(models.TextChoices):
        RESCHEDULE = "reschedule", "Reschedule request"
        EXCUSED = "excused", "Excused-absence request"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="portal_requests"
    )
    session = models.ForeignKey(
        "scheduling.Session", on_delete=models.PROTECT, related_name="portal_requests"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    times_available = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    work_item = models.ForeignKey(
        "worklist.WorkItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "session", "kind"], name="portal_request_once"),
            models.CheckConstraint(
                condition=~Q(kind="reschedule") | ~Q(times_available=""), name="portal_reschedule_has_times"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.session_id}"


class EventReply(models.Model):
    """An alumni member's answer to an alumni event, from their app: coming or not (they may change it).

    Alumni are invited by being on the event's roster (bridge/aftercare/followup.py); the reply is
    their own word, kept apart from attendance, which staff record on the day. Someone who joined the
    alumni group after the invitations went out is added to the roster when they say they are coming.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="event_replies"
    )
    session = models.ForeignKey("scheduling.Session", on_delete=models.PROTECT, related_name="replies")
    coming = models.BooleanField()
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-answered_at"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "session"], name="portal_one_reply_per_event")
        ]

    def __str__(self) -> str:
        return f"{'Coming' if self.coming else 'Not coming'}: {self.session_id}"


# i19p: passkeys, in their own module (imported here so Django finds the model).
from bridge.portal.passkey_models import ParticipantPasskey  # noqa: E402, F401
