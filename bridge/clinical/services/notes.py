"""Notes: write a draft, sign (lock), co-sign, add addenda, mark entered-in-error. Group notes too.

A signed note never changes: the services refuse, and database triggers refuse as well
(migrations/0002_lock_triggers.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.accounts.models import Role, User
from bridge.audit.actions import Action
from bridge.clinical import similarity
from bridge.clinical.models import Addendum, Goal, GroupNoteEntry, Intervention, Note
from bridge.clinical.services.common import audit, can_cosign, is_licensed
from bridge.participants.models import Participant
from bridge.scheduling.models import Attendance, Session, SessionKind

# Session kinds each note kind may document.
KIND_SESSIONS: dict[str, set[SessionKind]] = {
    Note.Kind.INDIVIDUAL: {SessionKind.INDIVIDUAL, SessionKind.MEDICATION},
    Note.Kind.FAMILY: {SessionKind.FAMILY},
    Note.Kind.CASE_MANAGEMENT: {SessionKind.INDIVIDUAL, SessionKind.FAMILY, SessionKind.MEDICATION},
}
MIN_PART_CHARS = 20  # an individualized part shorter than this is not a part ("fine", "ok")


def _require_draft(note: Note) -> None:
    if note.error_at:
        raise ValidationError("This note was marked entered in error.")
    if note.signed_at:
        raise ValidationError("This note is signed and locked; add an addendum instead.")


def _require_author(actor: User, note: Note) -> None:
    if actor.pk != note.author_id:
        raise PermissionDenied("Only the note's author changes or signs a draft.")


def _goals_of(participant: Participant | None, goals: Iterable[Goal]) -> list[Goal]:
    """The goals, when all are from `participant`'s own plan (a group note's, of no one, has none)."""
    goals = list(goals)
    if any(participant is None or g.version.plan.participant_id != participant.pk for g in goals):
        raise ValidationError({"goals": "Choose goals from this participant's own plan."})
    return goals


def note_create(*, actor: User, participant: Participant, session: Session, kind: str, template: str) -> Note:
    """Start a draft note about `participant` at `session` (they must be on its roster)."""
    if kind == Note.Kind.GROUP or template == Note.Template.GROUP:
        raise ValidationError({"kind": "Group notes are written from the group session."})
    if session.program_id != participant.program_id:
        raise ValidationError({"session": "Choose a session of this participant's program."})
    if session.kind not in KIND_SESSIONS.get(kind, set()):
        raise ValidationError(
            {"session": f"A {Note.Kind(kind).label.lower()} note documents a matching session."}
        )
    if not Attendance.objects.filter(session=session, participant=participant).exists():
        raise ValidationError({"session": "The participant is not on this session's roster."})
    if Note.objects.filter(session=session, participant=participant, error_at__isnull=True).exists():
        raise ValidationError({"session": "This session already has a note for this participant."})
    with transaction.atomic(durable=True):
        note = Note(
            program=participant.program,
            kind=kind,
            template=template,
            participant=participant,
            session=session,
            author=actor,
        )
        note.full_clean()
        note.save()
        audit(Action.CREATE, actor=actor, participant=participant, obj=note, detail={"kind": kind})
    return note


def note_update(*, actor: User, note: Note, goals: Iterable[Goal] | None = None, **text: str) -> Note:
    """Save a draft's text (the template's fields) and the plan goals it addressed."""
    _require_draft(note)
    _require_author(actor, note)
    allowed = set(Note.TEMPLATE_FIELDS[note.template])
    unknown = set(text) - allowed
    if unknown:
        raise ValidationError(f"Fields {sorted(unknown)} are not part of this note's template.")
    with transaction.atomic(durable=True):
        for name, value in text.items():
            setattr(note, name, value.strip())
        note.updated_at = timezone.now()
        note.full_clean()
        note.save()
        if goals is not None:
            note.goals.set(_goals_of(note.participant, goals))
        audit(
            Action.UPDATE,
            actor=actor,
            participant=note.participant,
            obj=note,
            detail={"fields": sorted(text)},
        )
    return note


def note_problems(note: Note) -> list[str]:
    """Why an individual/family/case-management draft cannot be signed yet."""
    found = [f"Write the {label.lower()} part." for label, text in note.sections() if not text.strip()]
    attendance = Attendance.objects.filter(session=note.session, participant=note.participant).first()
    if attendance is None or not attendance.attended:
        found.append("Attendance for this session is not recorded as attended; record it before signing.")
    return found


def group_note_problems(note: Note) -> list[str]:
    """Why a group note cannot be signed yet: attendance not taken, missing parts, near-identical parts."""
    found = [
        f"Write the {label.lower()} of the shared part."
        for label, text in note.sections()
        if not text.strip()
    ]
    roster = list(Attendance.objects.filter(session=note.session).select_related("participant"))
    entries = {e.participant_id: e for e in note.entries.all()}
    untaken = [a.participant.display_name for a in roster if a.status == Attendance.Status.EXPECTED]
    if untaken:
        found.append(f"Record attendance first (not yet recorded for {', '.join(untaken)}).")
    attending = [a for a in roster if a.attended]
    if not attending:
        found.append("No one is recorded as attending this session.")
    missing = [
        a.participant.display_name
        for a in attending
        if a.participant_id not in entries or len(entries[a.participant_id].text.strip()) < MIN_PART_CHARS
    ]
    if missing:
        found.append(f"Write an individualized part for {', '.join(missing)}.")
    names = {a.participant_id: a.participant.display_name for a in roster}
    parts = [(names.get(pid, "?"), e.text) for pid, e in entries.items() if e.text.strip()]
    for pair in similarity.near_identical_pairs(parts):
        found.append(
            f"The parts for {pair.first} and {pair.second} are nearly identical "
            f"({pair.ratio:.0%} alike); individualize each one."
        )
    return found


def note_sign(*, actor: User, note: Note) -> Note:
    """Sign and lock. An author without a current license needs a supervisor's co-signature afterwards."""
    _require_draft(note)
    _require_author(actor, note)
    problems = group_note_problems(note) if note.is_group else note_problems(note)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    with transaction.atomic(durable=True):
        licensed = is_licensed(actor, timezone.localdate(now))
        note.signed_at = now
        note.author_licensed = licensed
        note.cosign_required = not licensed
        if note.is_group:
            note.participant_count = Attendance.objects.filter(
                session=note.session, status__in=Attendance.ATTENDED
            ).count()
        note.save(update_fields=["signed_at", "author_licensed", "cosign_required", "participant_count"])
        _audit_note(Action.SIGN, actor, note, {"cosign_required": not licensed})
    return note


def note_cosign(*, actor: User, note: Note) -> Note:
    if note.error_at:
        raise ValidationError("This note was marked entered in error.")
    if not note.signed_at or not note.cosign_required:
        raise ValidationError("Only a signed note that needs a co-signature can be co-signed.")
    if note.cosigned_at:
        raise ValidationError("This note is already co-signed.")
    if actor.pk == note.author_id:
        raise PermissionDenied("An author cannot co-sign their own note.")
    if not can_cosign(actor, note.program_id):
        raise PermissionDenied(
            "Co-signing needs a licensed clinical supervisor (a program director with a license)."
        )
    with transaction.atomic(durable=True):
        note.cosigned_at = timezone.now()
        note.cosigned_by = actor
        note.save(update_fields=["cosigned_at", "cosigned_by"])
        _audit_note(Action.COSIGN, actor, note)
    return note


def note_addendum_add(
    *, actor: User, note: Note, reason: str, text: str, entry: GroupNoteEntry | None = None
) -> Addendum:
    if note.error_at:
        raise ValidationError("This note was marked entered in error.")
    if not note.signed_at:
        raise ValidationError("A draft is still open: change it directly; addenda follow signing.")
    if entry is not None and entry.note_id != note.pk:
        raise ValidationError({"entry": "That part is not in this note."})
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why the addendum is needed."
    if not text.strip():
        errors["text"] = "Write the addendum."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        addendum = Addendum(note=note, entry=entry, author=actor, reason=reason.strip(), text=text.strip())
        addendum.full_clean()
        addendum.save()
        participant = entry.participant if entry else note.participant
        audit(
            Action.ADDENDUM, actor=actor, participant=participant, obj=addendum, detail={"note": str(note.pk)}
        )
    return addendum


def note_mark_error(*, actor: User, note: Note, reason: str) -> Note:
    """Mark a note entered in error (its author or a program director); it stays readable, struck through."""
    if note.error_at:
        raise ValidationError("This note is already marked entered in error.")
    if actor.pk != note.author_id and not actor.has_role(Role.DIRECTOR, note.program_id):
        raise PermissionDenied("Only the author or a program director marks a note entered in error.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the note is wrong."})
    with transaction.atomic(durable=True):
        note.error_at = timezone.now()
        note.error_by = actor
        note.error_reason = reason.strip()
        note.save(update_fields=["error_at", "error_by", "error_reason"])
        _audit_note(Action.ENTERED_IN_ERROR, actor, note)
    return note


def _audit_note(action: Action, actor: User, note: Note, detail: dict | None = None) -> None:
    if not note.is_group:
        audit(action, actor=actor, participant=note.participant, obj=note, detail=detail)
        return
    # A group note touches every member's chart: one event per participant with a part, plus the note.
    audit(action, actor=actor, participant=None, obj=note, detail=detail)
    for participant_id in note.entries.values_list("participant_id", flat=True):
        audit(action, actor=actor, participant=Participant(pk=participant_id), obj=note, detail=detail)


# --- Group notes -----------------------------------------------------------------------------------


def group_note_start(*, actor: User, session: Session) -> Note:
    if session.kind != SessionKind.GROUP:
        raise ValidationError("Group notes document group sessions.")
    existing = Note.objects.filter(session=session, kind=Note.Kind.GROUP, error_at__isnull=True).first()
    if existing is not None:
        return existing
    with transaction.atomic(durable=True):
        note = Note(
            program=session.program,
            kind=Note.Kind.GROUP,
            template=Note.Template.GROUP,
            session=session,
            author=actor,
            curriculum=session.session_type,
            topic=session.title or (session.session_type.name if session.session_type else ""),
        )
        note.full_clean()
        note.save()
        audit(Action.CREATE, actor=actor, participant=None, obj=note, detail={"session": str(session.pk)})
    return note


def group_note_update_shared(
    *, actor: User, note: Note, topic: str, shared_text: str, interventions: list[str], curriculum=None
) -> Note:
    _require_draft(note)
    _require_author(actor, note)
    bad = set(interventions) - set(Intervention.Modality.values)
    if bad:
        raise ValidationError({"interventions": "Choose interventions from the list."})
    with transaction.atomic(durable=True):
        note.topic = topic.strip()
        note.shared_text = shared_text.strip()
        note.interventions = sorted(set(interventions))
        note.curriculum = curriculum
        note.updated_at = timezone.now()
        note.full_clean()
        note.save()
        audit(Action.UPDATE, actor=actor, participant=None, obj=note, detail={"part": "shared"})
    return note


def group_entry_save(
    *,
    actor: User,
    note: Note,
    participant: Participant,
    participation: str,
    response: str,
    progress: str,
    goals: Iterable[Goal] = (),
) -> GroupNoteEntry:
    """Write or rewrite one participant's individualized part of a draft group note."""
    _require_draft(note)
    _require_author(actor, note)
    if not Attendance.objects.filter(session=note.session, participant=participant).exists():
        raise ValidationError({"participant": "This participant is not on the session's roster."})
    goals = _goals_of(participant, goals)
    with transaction.atomic(durable=True):
        entry = GroupNoteEntry.objects.filter(note=note, participant=participant).first()
        if entry is None:
            entry = GroupNoteEntry(note=note, participant=participant, author=actor)
        entry.participation = participation.strip()
        entry.response = response.strip()
        entry.progress = progress.strip()
        entry.updated_at = timezone.now()
        entry.full_clean()
        entry.save()
        entry.goals.set(goals)
        audit(Action.UPDATE, actor=actor, participant=participant, obj=entry, detail={"note": str(note.pk)})
    return entry
