"""The privacy complaint log (42 CFR 2.4; 45 CFR 164.530(d)): record a complaint and close it with what
was done. Atomic and audited; nobody is retaliated against for complaining (notices.NON_RETALIATION)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.accounts.models import User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.privacy.models import Complaint
from bridge.programs.models import Program


def complaint_record(
    *,
    actor: User,
    program: Program,
    received_on: date,
    complainant: str,
    received_how: str,
    summary: str,
    participant=None,
) -> Complaint:
    problems = {}
    if received_on > timezone.localdate(timezone=program.tz):
        problems["received_on"] = "The date cannot be in the future."
    if not summary.strip():
        problems["summary"] = "Write down the complaint."
    if not complainant.strip():
        problems["complainant"] = "Say who complained (or “anonymous”)."
    if not received_how.strip():
        problems["received_how"] = "Say how it came (in person, phone, letter, email)."
    if participant is not None and participant.program_id != program.pk:
        problems["participant"] = "Choose a participant of this program."
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        complaint = Complaint(
            program=program,
            participant=participant,
            received_on=received_on,
            complainant=complainant.strip(),
            received_how=received_how.strip(),
            summary=summary.strip(),
            recorded_by=actor,
        )
        complaint.full_clean()
        complaint.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="privacy_complaint",
            object_id=str(complaint.pk),
        )
    return complaint


def complaint_close(*, actor: User, complaint: Complaint, action_taken: str, closed_on: date) -> Complaint:
    if complaint.closed_on is not None:
        raise ValidationError({"__all__": "This complaint is already closed."})
    if not action_taken.strip():
        raise ValidationError({"action_taken": "Say what was done."})
    if closed_on < complaint.received_on or closed_on > timezone.localdate(timezone=complaint.program.tz):
        raise ValidationError({"closed_on": "Give a date between the complaint and today."})
    with transaction.atomic():
        complaint.action_taken = action_taken.strip()
        complaint.closed_on = closed_on
        complaint.full_clean()
        complaint.save(update_fields=["action_taken", "closed_on"])
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=complaint.participant,
            object_type="privacy_complaint",
            object_id=str(complaint.pk),
            detail={"closed_on": closed_on},
        )
    return complaint
