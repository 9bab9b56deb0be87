"""Notes: sign locks them (service and database), addenda only afterwards, co-signature, entered in error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bridge.accounts.models import Credential
from bridge.audit.models import AuditEvent
from bridge.clinical.models import Addendum, Note
from bridge.clinical.services import notes
from bridge.clinical.tests.conftest import attend, make_session
from bridge.scheduling.models import Attendance


def _write(note, actor, goals=None):
    return notes.note_update(
        actor=actor,
        note=note,
        goals=goals,
        data="Alex reported two cravings this week, both managed with urge surfing.",
        assessment="Engaged, insight improving; no safety concerns voiced.",
        plan="Continue weekly CBT; practice the craving log daily.",
    )


@pytest.fixture
def draft(individual_session, admitted, alex_plan):
    note = notes.note_create(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        session=individual_session,
        kind="individual",
        template="dap",
    )
    return _write(note, admitted.therapist_a, goals=[alex_plan.current_version.goals.get()])


def test_signing_locks_the_note_and_only_addenda_follow(draft, admitted):
    signed = notes.note_sign(actor=admitted.therapist_a, note=draft)
    assert signed.status == "signed" and signed.author_licensed and not signed.cosign_required
    with pytest.raises(ValidationError, match="locked"):
        notes.note_update(actor=admitted.therapist_a, note=signed, data="changed")
    addendum = notes.note_addendum_add(
        actor=admitted.therapist_a,
        note=signed,
        reason="Late entry",
        text="Alex called after session: slept well.",
    )
    assert addendum.author == admitted.therapist_a and addendum.created_at
    signed.refresh_from_db()
    assert signed.data.startswith("Alex reported two cravings")
    assert AuditEvent.objects.filter(action="addendum", participant=admitted.alex).count() == 1
    assert AuditEvent.objects.filter(action="sign", object_id=str(signed.pk)).count() == 1


def test_database_refuses_changes_to_a_signed_note(draft, admitted):
    goal = draft.goals.get()
    draft.goals.clear()
    notes.note_sign(actor=admitted.therapist_a, note=draft)
    with pytest.raises(IntegrityError), transaction.atomic():
        Note.objects.filter(pk=draft.pk).update(assessment="quietly rewritten")
    with pytest.raises(IntegrityError), transaction.atomic():
        draft.goals.add(goal)  # the golden thread is fixed at signing too
    addendum = notes.note_addendum_add(
        actor=admitted.therapist_a, note=draft, reason="Clarify", text="More detail."
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Addendum.objects.filter(pk=addendum.pk).update(text="different")
    # What is still allowed after signing: marking it entered in error.
    notes.note_mark_error(actor=admitted.therapist_a, note=draft, reason="Wrong participant")
    draft.refresh_from_db()
    assert draft.status == "entered_in_error" and draft.assessment.startswith("Engaged")


def test_only_the_author_edits_and_signs_a_draft(draft, admitted):
    with pytest.raises(PermissionDenied):
        notes.note_sign(actor=admitted.director, note=draft)


def test_sign_needs_every_template_part_and_attendance(individual_session, admitted):
    note = notes.note_create(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        session=individual_session,
        kind="individual",
        template="soap",
    )
    Attendance.objects.filter(session=individual_session).update(status="no_show", minutes=None)
    with pytest.raises(ValidationError) as exc:
        notes.note_sign(actor=admitted.therapist_a, note=note)
    text = " ".join(exc.value.messages)
    assert "subjective" in text and "objective" in text and "not recorded as attended" in text


def test_note_must_match_the_session_and_roster(admitted, individual_session):
    with pytest.raises(ValidationError) as exc:
        notes.note_create(
            actor=admitted.therapist_b,
            participant=admitted.blair,
            session=individual_session,
            kind="individual",
            template="dap",
        )
    assert "roster" in str(exc.value)
    with pytest.raises(ValidationError):
        notes.note_create(
            actor=admitted.therapist_a,
            participant=admitted.alex,
            session=individual_session,
            kind="family",
            template="dap",
        )


def test_goals_must_come_from_the_participants_own_plan(admitted, individual_session):
    from bridge.clinical.tests.conftest import signed_plan

    blair_plan = signed_plan(admitted, admitted.blair, admitted.therapist_b)
    note = notes.note_create(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        session=individual_session,
        kind="individual",
        template="dap",
    )
    with pytest.raises(ValidationError):
        notes.note_update(
            actor=admitted.therapist_a, note=note, goals=[blair_plan.current_version.goals.get()], data="x"
        )


def test_unlicensed_counselor_note_needs_a_licensed_supervisors_cosign(admitted):
    w = admitted
    session = make_session(w, staff=w.therapist_b)
    attend(session, w.blair)
    note = notes.note_create(
        actor=w.therapist_b, participant=w.blair, session=session, kind="individual", template="dap"
    )
    notes.note_update(actor=w.therapist_b, note=note, data="d" * 30, assessment="a" * 30, plan="p" * 30)
    notes.note_sign(actor=w.therapist_b, note=note)  # therapist B holds a CADC only: no license
    assert note.cosign_required and note.status == "awaiting_cosign"
    with pytest.raises(PermissionDenied):
        notes.note_cosign(actor=w.therapist_b, note=note)  # not their own
    with pytest.raises(PermissionDenied):
        notes.note_cosign(actor=w.therapist_a, note=note)  # licensed, but not a supervisor
    Credential.objects.filter(user=w.director).update(expires_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        notes.note_cosign(actor=w.director, note=note)  # the director's license has lapsed
    Credential.objects.filter(user=w.director).update(expires_on=timezone.localdate() + timedelta(days=30))
    notes.note_cosign(actor=w.director, note=note)
    note.refresh_from_db()
    assert note.status == "signed" and note.cosigned_by == w.director
    assert AuditEvent.objects.filter(action="cosign", actor=w.director, participant=w.blair).exists()


def test_licensed_author_needs_no_cosign_and_cosign_is_refused(draft, admitted):
    notes.note_sign(actor=admitted.therapist_a, note=draft)
    with pytest.raises(ValidationError):
        notes.note_cosign(actor=admitted.director, note=draft)


def test_entered_in_error_keeps_the_note_and_frees_the_session(draft, admitted, individual_session):
    with pytest.raises(ValidationError):
        notes.note_mark_error(actor=admitted.therapist_a, note=draft, reason="  ")
    with pytest.raises(PermissionDenied):
        notes.note_mark_error(actor=admitted.nurse, note=draft, reason="not mine")
    notes.note_mark_error(actor=admitted.director, note=draft, reason="Written for the wrong session")
    assert Note.objects.filter(pk=draft.pk).exists()
    again = notes.note_create(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        session=individual_session,
        kind="individual",
        template="dap",
    )
    assert again.pk != draft.pk
