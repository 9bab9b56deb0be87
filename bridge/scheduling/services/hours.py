"""Writes behind the hours ledger: step-down exceptions, payer rules and which payer an episode uses."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.participants.models import EpisodeOfCare, Participant
from bridge.scheduling.models import EpisodePayer, PayerRule, StepDownException


def step_down_grant(
    *, actor, participant: Participant, first_week: date, weeks: int, floor_minutes: int, reason: str
) -> StepDownException:
    """Allow fewer weekly hours for one or two weeks during step-down (warn, do not block)."""
    exc = StepDownException(
        participant=participant,
        first_week=first_week,
        weeks=weeks,
        floor_minutes=floor_minutes,
        reason=reason.strip(),
        granted_by=actor,
    )
    exc.full_clean()
    with transaction.atomic():
        exc.save()
        audit_record(
            action=Action.STEP_DOWN_EXCEPTION,
            actor=actor,
            participant=participant,
            object_type="step_down_exception",
            object_id=str(exc.pk),
            detail={"first_week": first_week.isoformat(), "weeks": weeks, "floor_minutes": floor_minutes},
        )
    return exc


def payer_rule_save(*, actor, rule: PayerRule) -> PayerRule:
    created = rule._state.adding
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        audit_record(
            action=Action.CREATE if created else Action.UPDATE,
            actor=actor,
            object_type="payer_rule",
            object_id=str(rule.pk),
            detail={
                "code": rule.code,
                "min_minutes_per_day": rule.min_minutes_per_day,
                "min_days": rule.min_days,
            },
        )
    return rule


def episode_payer_set(*, actor, episode: EpisodeOfCare, rule: PayerRule | None) -> EpisodePayer | None:
    """Say which payer rule the episode is billed under (None: no day rule is checked)."""
    if rule is not None and rule.program_id != episode.program_id:
        raise ValidationError({"rule": "That payer rule belongs to another program."})
    with transaction.atomic():
        current = EpisodePayer.objects.select_for_update().filter(episode=episode).first()
        if rule is None:
            if current is None:
                return None
            # The assignment is configuration, not a clinical record: the audit event keeps the history.
            current.delete()
            result = None
        elif current is None:
            result = EpisodePayer.objects.create(episode=episode, rule=rule, set_by=actor)
        else:
            current.rule, current.set_by = rule, actor
            current.save(update_fields=["rule", "set_by"])
            result = current
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=episode.participant,
            object_type="episode_payer",
            object_id=str(episode.pk),
            detail={"rule": str(rule.pk) if rule else None, "code": rule.code if rule else None},
        )
    return result
