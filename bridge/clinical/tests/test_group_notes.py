"""Group notes: a shared part plus an individualized part per attendee, and the anti-cloning guard."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bridge.clinical.models import GroupNoteEntry
from bridge.clinical.services import notes
from bridge.clinical.tests.conftest import attend
from bridge.scheduling.models import Attendance
from bridge.testing.personas import make_participant

ALEX_PART = (
    "Alex shared about a high-risk weekend at a family party.",
    "Named two people to call; practiced a refusal script with a peer.",
    "Goal: stay off pills. Used the craving log four of seven days.",
)
BLAIR_PART = (
    "Blair arrived 20 minutes late and listened quietly at first.",
    "Later described stress at work as a trigger for drinking.",
    "Goal: sober evenings. Has kept three alcohol-free evenings this week.",
)


@pytest.fixture
def group_note(group_session, admitted):
    note = notes.group_note_start(actor=admitted.therapist_b, session=group_session)
    notes.group_note_update_shared(
        actor=admitted.therapist_b,
        note=note,
        topic="Relapse prevention: high-risk situations",
        shared_text="Psychoeducation on high-risk situations; role-play of refusal skills.",
        interventions=["relapse_prevention", "cbt"],
    )
    return note


def _part(note, actor, participant, texts):
    return notes.group_entry_save(
        actor=actor,
        note=note,
        participant=participant,
        participation=texts[0],
        response=texts[1],
        progress=texts[2],
    )


def test_signing_is_refused_while_an_attendee_lacks_a_part(group_note, admitted):
    _part(group_note, admitted.therapist_b, admitted.alex, ALEX_PART)
    with pytest.raises(ValidationError) as exc:
        notes.note_sign(actor=admitted.therapist_b, note=group_note)
    assert "Write an individualized part for Blair Sample" in " ".join(exc.value.messages)
    _part(group_note, admitted.therapist_b, admitted.blair, ("ok", "", ""))  # too thin to count
    with pytest.raises(ValidationError, match="Blair Sample"):
        notes.note_sign(actor=admitted.therapist_b, note=group_note)


def test_signing_is_refused_for_near_identical_parts_and_names_the_two(group_note, admitted):
    _part(group_note, admitted.therapist_b, admitted.alex, ALEX_PART)
    cloned = (ALEX_PART[0].replace("Alex", "Blair"), ALEX_PART[1], ALEX_PART[2])
    _part(group_note, admitted.therapist_b, admitted.blair, cloned)
    with pytest.raises(ValidationError) as exc:
        notes.note_sign(actor=admitted.therapist_b, note=group_note)
    message = " ".join(exc.value.messages)
    assert "Alex Sample and Blair Sample are nearly identical" in message
    _part(group_note, admitted.therapist_b, admitted.blair, BLAIR_PART)
    notes.note_sign(actor=admitted.therapist_b, note=group_note)
    group_note.refresh_from_db()
    assert group_note.participant_count == 2
    assert group_note.cosign_required  # therapist B is a CADC: a supervisor co-signs


def test_attendance_must_be_taken_before_signing(group_note, admitted, group_session):
    casey_like = make_participant(admitted.program, "Drew")
    attend(group_session, casey_like, Attendance.Status.EXPECTED)
    _part(group_note, admitted.therapist_b, admitted.alex, ALEX_PART)
    _part(group_note, admitted.therapist_b, admitted.blair, BLAIR_PART)
    with pytest.raises(ValidationError, match="Record attendance first"):
        notes.note_sign(actor=admitted.therapist_b, note=group_note)
    Attendance.objects.filter(participant=casey_like).update(status="excused")
    notes.note_sign(actor=admitted.therapist_b, note=group_note)  # an absentee needs no part


def test_roster_changes_never_erase_a_written_part(group_note, admitted, group_session):
    entry = _part(group_note, admitted.therapist_b, admitted.blair, BLAIR_PART)
    # Blair is taken off the session afterwards (recorded as an excused absence): the part stays.
    Attendance.objects.filter(session=group_session, participant=admitted.blair).update(
        status="excused", minutes=None
    )
    _part(group_note, admitted.therapist_b, admitted.alex, ALEX_PART)
    notes.note_sign(actor=admitted.therapist_b, note=group_note)
    entry.refresh_from_db()
    assert entry.progress == BLAIR_PART[2]
    assert group_note.participant_count == 1


def test_parts_cannot_be_added_or_changed_after_signing(group_note, admitted):
    entry = _part(group_note, admitted.therapist_b, admitted.alex, ALEX_PART)
    _part(group_note, admitted.therapist_b, admitted.blair, BLAIR_PART)
    notes.note_sign(actor=admitted.therapist_b, note=group_note)
    with pytest.raises(ValidationError):
        _part(group_note, admitted.therapist_b, admitted.alex, BLAIR_PART)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupNoteEntry.objects.filter(pk=entry.pk).update(progress="edited")


def test_a_participant_not_on_the_roster_gets_no_part(group_note, admitted):
    stranger = make_participant(admitted.program, "Quinn")
    with pytest.raises(ValidationError, match="roster"):
        _part(group_note, admitted.therapist_b, stranger, ALEX_PART)
