"""Notes: individual, family and case-management notes, and group notes with individualized parts.

A note is a draft until its author signs it; then it is locked (here in the services, and in the
database by triggers, see migrations/0002) and changes only by addenda. Nothing is deleted: a wrong
note is marked entered-in-error with the reason.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bridge.core.models import AddendumBase, addendum_complete

if TYPE_CHECKING:
    from bridge.clinical.models.plans import Goal


class Note(models.Model):
    """One note about one session: an individual/family/case-management note, or a group note's shared part.

    A group note belongs to the session, not to a person (`participant` is empty); each attending
    participant's own part is a GroupNoteEntry, shown only in that participant's chart.
    """

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        FAMILY = "family", "Family"
        CASE_MANAGEMENT = "case_management", "Case management"
        GROUP = "group", "Group"

    class Template(models.TextChoices):
        DAP = "dap", "DAP (data, assessment, plan)"
        SOAP = "soap", "SOAP (subjective, objective, assessment, plan)"
        GROUP = "group", "Group (shared part + individualized parts)"

    # The text columns each template uses, in order (the form and the page read this).
    TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {
        Template.DAP: ("data", "assessment", "plan"),
        Template.SOAP: ("subjective", "objective", "assessment", "plan"),
        Template.GROUP: ("topic", "shared_text"),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    template = models.CharField(max_length=10, choices=Template.choices)
    participant = models.ForeignKey(
        "participants.Participant", null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    session = models.ForeignKey("scheduling.Session", on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_notes"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # DAP / SOAP
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    data = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    # Group note, shared part
    topic = models.CharField(max_length=200, blank=True)
    curriculum = models.ForeignKey(
        "scheduling.SessionType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    interventions = models.JSONField(default=list, blank=True)  # Intervention.Modality values
    shared_text = models.TextField(blank=True)
    participant_count = models.PositiveSmallIntegerField(
        null=True, blank=True
    )  # fixed at signing (CPT 90853)
    # The golden thread: plan goals this note addressed (individual notes; group parts have their own).
    goals: models.ManyToManyField[Goal, NoteGoal] = models.ManyToManyField(
        "clinical.Goal", blank=True, related_name="notes", through="NoteGoal"
    )
    # Signing and co-signing
    signed_at = models.DateTimeField(null=True, blank=True)
    author_licensed = models.BooleanField(null=True, blank=True)  # at signing
    cosign_required = models.BooleanField(default=False)
    cosigned_at = models.DateTimeField(null=True, blank=True)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Entered in error (never deleted)
    error_at = models.DateTimeField(null=True, blank=True)
    error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    error_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["participant", "created_at"], name="note_participant_time"),
            models.Index(fields=["author", "signed_at"], name="note_author_signed"),
            models.Index(fields=["program", "signed_at"], name="note_program_signed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="group") & Q(participant__isnull=True) & Q(template="group"))
                | (~Q(kind="group") & Q(participant__isnull=False) & ~Q(template="group")),
                name="note_group_has_no_single_participant",
            ),
            models.CheckConstraint(
                condition=Q(cosigned_at__isnull=True)
                | (Q(signed_at__isnull=False) & Q(cosign_required=True)),
                name="note_cosigned_after_signing",
            ),
            models.CheckConstraint(
                condition=Q(cosigned_at__isnull=True, cosigned_by__isnull=True)
                | Q(cosigned_at__isnull=False, cosigned_by__isnull=False),
                name="note_cosign_complete",
            ),
            models.CheckConstraint(
                condition=Q(error_at__isnull=True) | (Q(error_by__isnull=False) & ~Q(error_reason="")),
                name="note_error_has_reason",
            ),
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(kind="group", error_at__isnull=True),
                name="one_group_note_per_session",
            ),
            models.UniqueConstraint(
                fields=["session", "participant"],
                condition=~Q(kind="group") & Q(error_at__isnull=True),
                name="one_note_per_participant_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} note {self.pk}"

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def status(self) -> str:
        if self.error_at:
            return "entered_in_error"
        if self.signed_at is None:
            return "draft"
        if self.cosign_required and self.cosigned_at is None:
            return "awaiting_cosign"
        return "signed"

    @property
    def status_label(self) -> str:
        return {
            "entered_in_error": "Entered in error",
            "draft": "Draft (unsigned)",
            "awaiting_cosign": "Signed, awaiting co-signature",
            "signed": "Signed and locked",
        }[self.status]

    @property
    def intervention_labels(self) -> list[str]:
        from bridge.clinical.models.plans import Intervention

        labels = dict(Intervention.Modality.choices)
        return [labels.get(code, code) for code in self.interventions]

    def sections(self) -> list[tuple[str, str]]:
        """(label, text) of the template's text columns, for display."""
        labels = {
            "subjective": "Subjective",
            "objective": "Objective",
            "data": "Data",
            "assessment": "Assessment",
            "plan": "Plan",
            "topic": "Topic",
            "shared_text": "Shared content",
        }
        return [(labels[f], getattr(self, f)) for f in self.TEMPLATE_FIELDS[self.template]]


class NoteGoal(models.Model):
    """A plan goal an individual note addressed (the golden thread). Fixed once the note is signed."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT)
    goal = models.ForeignKey("clinical.Goal", on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "goal"], name="note_goal_once")]

    def __str__(self) -> str:
        return f"{self.note_id} addressed {self.goal_id}"


class GroupNoteEntry(models.Model):
    """One attending participant's individualized part of a group note.

    Shown only in that participant's chart, next to the shared part. Roster changes never remove it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="entries")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="group_note_entries"
    )
    participation = models.TextField(blank=True, help_text="How they took part")
    response = models.TextField(blank=True, help_text="Their response to the session's content")
    progress = models.TextField(blank=True, help_text="Progress on their own plan goals")
    goals: models.ManyToManyField[Goal, EntryGoal] = models.ManyToManyField(
        "clinical.Goal", blank=True, related_name="group_entries", through="EntryGoal"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["note", "participant"], name="one_entry_per_participant")
        ]
        indexes = [models.Index(fields=["participant", "note"], name="entry_participant")]

    def __str__(self) -> str:
        return f"Part of {self.note_id} for {self.participant_id}"

    @property
    def text(self) -> str:
        return "\n".join(t for t in (self.participation, self.response, self.progress) if t.strip())


class EntryGoal(models.Model):
    """A plan goal an individualized part addressed."""

    entry = models.ForeignKey(GroupNoteEntry, on_delete=models.PROTECT)
    goal = models.ForeignKey("clinical.Goal", on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "goal"], name="entry_goal_once")]

    def __str__(self) -> str:
        return f"{self.entry_id} addressed {self.goal_id}"


class Addendum(AddendumBase):
    """A later addition to a signed note: author, time, reason. For a group note it may belong to one
    participant's part (`entry`), and then shows only in that participant's chart."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="addenda")
    entry = models.ForeignKey(
        GroupNoteEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="addenda"
    )

    class Meta(AddendumBase.Meta):
        verbose_name_plural = "addenda"
        constraints = [addendum_complete("addendum_has_reason_and_text")]

    def __str__(self) -> str:
        return f"Addendum to {self.note_id} at {self.created_at:%Y-%m-%d %H:%M}"
