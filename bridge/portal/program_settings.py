"""The program's settings of its participants' app, set by a director (bridge/portal/staff_views.py):
office hours for messages, whether participants see their measures, and which kinds of signed notes
they read (i19n). One write, audited."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.accounts.models import User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.portal.models import RELEASABLE_NOTE_KINDS, ParticipantAppSettings


def app_settings_update(
    *,
    actor: User,
    program,
    office_days: list[int],
    opens_at: time,
    closes_at: time,
    show_measures: bool,
    released_note_kinds: list[str] | None = None,
) -> ParticipantAppSettings:
    """A director sets their program's office hours and whether participants see their measures.
    The audit event keeps what changed, from what to what."""
    with transaction.atomic():
        current = ParticipantAppSettings.objects.select_for_update().filter(program=program).first()
        row = current or ParticipantAppSettings(program=program)
        before = _app_settings_values(row)
        row.office_days = sorted(set(office_days))
        row.opens_at, row.closes_at, row.show_measures = opens_at, closes_at, show_measures
        if released_note_kinds is not None:
            row.released_note_kinds = [k for k in RELEASABLE_NOTE_KINDS if k in released_note_kinds]
            if len(row.released_note_kinds) != len(set(released_note_kinds)):
                raise ValidationError({"released_note_kinds": "Choose among the kinds of notes listed."})
        row.updated_at = timezone.now()
        row.full_clean()
        row.save()
        after = _app_settings_values(row)
        audit_record(
            action=Action.CREATE if current is None else Action.UPDATE,
            actor=actor,
            object_type="participant_app_settings",
            object_id=str(row.pk),
            detail={
                "program": str(program.pk),
                "changed": {k: [before[k], after[k]] for k in after if before[k] != after[k]},
            },
        )
    return row


def _app_settings_values(row: ParticipantAppSettings) -> dict[str, Any]:
    return {
        "office_days": sorted(row.office_days),
        "opens_at": row.opens_at.strftime("%H:%M"),
        "closes_at": row.closes_at.strftime("%H:%M"),
        "show_measures": row.show_measures,
        "released_note_kinds": row.note_kinds,
    }
