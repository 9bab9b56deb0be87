"""The participant's notes in their app (i19n): only what their program releases to them.

Nothing is shown unless the program ticked kinds of notes in its app settings
(ParticipantAppSettings.released_note_kinds, none by default). Then the participant reads:
  * their own signed notes of those kinds (signed, co-signed when that was required, not entered in
    error), with their addenda; drafts never;
  * of a signed group note, the session's topic and their own individualized part, with the addenda
    written on their part; never the shared text, the count, or anything about another member;
  * never SUD counseling notes: Bridge does not keep them, and only the kinds named in
    RELEASABLE_NOTE_KINDS can ever be released.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bridge.clinical.models import Addendum, GroupNoteEntry, Note
from bridge.participants.models import Participant
from bridge.portal.models import ParticipantAppSettings

# The kinds of notes, in plain words.
KIND_WORDS = {
    "individual": _("Individual session"),
    "family": _("Family session"),
    "case_management": _("Case management"),
    "group": _("Group"),
}
# The parts of a note, in plain words (the template's columns, bridge/clinical/models/notes.py).
SECTION_WORDS = {
    "subjective": _("What you told your counselor"),
    "objective": _("What your counselor noticed"),
    "data": _("What happened in the session"),
    "assessment": _("How your counselor sees it"),
    "plan": _("The plan from here"),
    "participation": _("How you took part"),
    "response": _("How you responded"),
    "progress": _("Your progress on your goals"),
}


@dataclass(frozen=True)
class NotePart:
    label: str | Promise
    text: str


@dataclass(frozen=True)
class ReleasedNote:
    id: uuid.UUID
    kind: str | Promise
    session_at: datetime
    author: str
    topic: str  # a group's topic; empty for other notes
    parts: list[NotePart]
    addenda: list[Addendum]


def released_kinds(participant: Participant) -> list[str]:
    return ParticipantAppSettings.for_program(participant.program).note_kinds


def _released(participant: Participant, kinds: list[str]) -> QuerySet[Note]:
    """The participant's notes they may read: theirs (or a group note they have a part in), of a
    released kind, signed and (when it was required) co-signed, not entered in error."""
    own_group_notes = GroupNoteEntry.objects.filter(participant=participant).values("note_id")
    return (
        Note.objects.filter(Q(participant=participant) | Q(kind=Note.Kind.GROUP, pk__in=own_group_notes))
        .filter(
            kind__in=kinds,
            signed_at__isnull=False,
            error_at__isnull=True,
        )
        .filter(Q(cosign_required=False) | Q(cosigned_at__isnull=False))
        .select_related("session", "author")
        .order_by("-session__starts_at", "-created_at")
    )


def note_list(participant: Participant) -> list[Note]:
    kinds = released_kinds(participant)
    return list(_released(participant, kinds)) if kinds else []


def kind_words(note: Note) -> str | Promise:
    return KIND_WORDS.get(note.kind, note.kind)


def _author(note: Note) -> str:
    return note.author.get_full_name() or note.author.username


def released_note(participant: Participant, note_id: uuid.UUID) -> ReleasedNote:
    """One note the participant may read, in plain words; else 404 (the same answer as for a note
    that does not exist, another participant's, a draft, or a kind the program does not release)."""
    kinds = released_kinds(participant)
    note = _released(participant, kinds).filter(pk=note_id).first() if kinds else None
    if note is None:
        raise Http404("No such note.")
    if note.is_group:
        entry = GroupNoteEntry.objects.filter(note=note, participant=participant).first()
        if entry is None:  # the query above asked for it; kept for safety
            raise Http404("No such note.")
        parts = [
            NotePart(SECTION_WORDS[f], getattr(entry, f))
            for f in ("participation", "response", "progress")
            if getattr(entry, f).strip()
        ]
        addenda = list(Addendum.objects.filter(note=note, entry=entry).select_related("author"))
        topic = note.topic
    else:
        parts = [
            NotePart(SECTION_WORDS[f], getattr(note, f))
            for f in Note.TEMPLATE_FIELDS[note.template]
            if f in SECTION_WORDS and getattr(note, f).strip()
        ]
        addenda = list(note.addenda.select_related("author"))
        topic = ""
    return ReleasedNote(
        id=note.pk,
        kind=kind_words(note),
        session_at=note.session.starts_at,
        author=_author(note),
        topic=topic,
        parts=parts,
        addenda=addenda,
    )
