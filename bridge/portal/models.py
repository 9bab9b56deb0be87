"""The participant's own Bridge (the app at /me/): their sign-in and what they ask the program for.

A participant's account is deliberately not a staff `User`: it never passes Django's
authentication, so `request.user` stays anonymous and no staff page (all of which need a signed-in
staff member) can be reached with it, and no staff member can become one.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
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


# --- i19m: messages with the care team, office hours, "let my peer know" -------------------------------

MESSAGE_MAX_CHARS = 2000
WEEKDAYS_MON_FRI = [0, 1, 2, 3, 4]


# i19n: the kinds of notes a program may release to participants (bridge/clinical/models/notes.py
# Note.Kind), listed one by one: a kind is released only if it is named here and the program chose it.
# SUD counseling notes are not kept by Bridge and could never be listed.
RELEASABLE_NOTE_KINDS = ("individual", "family", "case_management", "group")


def _default_office_days() -> list[int]:
    return list(WEEKDAYS_MON_FRI)


class ParticipantAppSettings(models.Model):
    """A program's choices for its participants' app: when the care team answers messages (office
    hours, in the program's time zone; Monday is 0), whether participants see their measures, and
    which kinds of signed notes they read (i19n).

    A program without a row uses the defaults: Monday to Friday, 9:00 to 17:00, measures shown,
    notes not shown.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.OneToOneField(
        "programs.Program", on_delete=models.PROTECT, related_name="participant_app_settings"
    )
    office_days = models.JSONField(default=_default_office_days)
    opens_at = models.TimeField(default=time(9))
    closes_at = models.TimeField(default=time(17))
    show_measures = models.BooleanField(
        default=True, help_text="Participants see their questionnaire scores over time in their app"
    )
    # i19n: which kinds of signed notes participants read in their app (none by default). Drafts never;
    # SUD counseling notes never (this app does not keep them; bridge/portal/notes.py releases an
    # explicit list of kinds only, so a kind added later is not released by accident).
    released_note_kinds = models.JSONField(
        default=list,
        blank=True,
        help_text="Kinds of signed notes participants read in their app (individual, family, ...)",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "participant app settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="portal_office_hours_open_before_close"
            ),
        ]

    def __str__(self) -> str:
        return f"participant app settings of {self.program_id}"

    @classmethod
    def for_program(cls, program) -> ParticipantAppSettings:
        return cls.objects.filter(program=program).first() or cls(program=program)

    def clean(self) -> None:
        super().clean()
        kinds = self.released_note_kinds
        if not isinstance(kinds, list) or any(k not in RELEASABLE_NOTE_KINDS for k in kinds):
            raise ValidationError({"released_note_kinds": "Choose among the kinds of notes listed."})

    @property
    def note_kinds(self) -> list[str]:
        """The kinds of notes released, only those Bridge may release (whatever the row holds)."""
        kinds = self.released_note_kinds if isinstance(self.released_note_kinds, list) else []
        return [k for k in RELEASABLE_NOTE_KINDS if k in kinds]

    def is_open(self, moment: datetime) -> bool:
        """Whether `moment` falls in office hours, read in the program's time zone."""
        local = timezone.localtime(moment, self.program.tz)
        return local.weekday() in self.office_days and self.opens_at <= local.time() < self.closes_at


class MessageThread(models.Model):
    """The one conversation between a participant and their care team (Part 2 data, never deleted)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.PROTECT, related_name="message_thread"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"messages of {self.participant_id}"


class Message(models.Model):
    """One message in a participant's conversation with their care team: written by the participant,
    by a staff member, or the app's automatic out-of-hours reply. `read_at` is when the other side
    first opened it (staff for the participant's messages, the participant for the others).
    Never edited, never deleted; no attachments.
    """

    class Author(models.TextChoices):
        PARTICIPANT = "participant", "Participant"
        STAFF = "staff", "Care team"
        AUTOMATIC = "automatic", "Automatic reply"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    thread = models.ForeignKey(MessageThread, on_delete=models.PROTECT, related_name="messages")
    author = models.CharField(max_length=12, choices=Author.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(max_length=MESSAGE_MAX_CHARS)
    sent_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at"]
        indexes = [models.Index(fields=["thread", "sent_at"], name="portal_message_thread_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(author="staff", staff__isnull=False)
                | (~Q(author="staff") & Q(staff__isnull=True)),
                name="portal_message_staff_author_named",
            ),
            models.CheckConstraint(condition=~Q(body=""), name="portal_message_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), MESSAGE_MAX_CHARS), name="portal_message_length"
            ),
            models.CheckConstraint(
                condition=Q(author__in=["participant", "staff", "automatic"]),
                name="portal_message_author_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_author_display()} message at {self.sent_at:%Y-%m-%d %H:%M}"


class PeerAlert(models.Model):
    """A participant, on the "help now" page, chose to let their peer support specialist know.

    Each alert raises an urgent work item for each peer on the care team (or, without one, the
    primary clinician); `notified` lists who got one.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="peer_alerts"
    )
    created_at = models.DateTimeField(default=timezone.now)
    notified = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"peer alert of {self.participant_id} at {self.created_at:%Y-%m-%d %H:%M}"


# i19p: passkeys, in their own module (imported here so Django finds the model).
from bridge.portal.passkey_models import ParticipantPasskey  # noqa: E402, F401
