"""The breach register (42 CFR 2.16; 45 CFR 164.400-414): record an incident, draw the people affected
from the audit log, assess the risk, and record the notices, with the deadlines and thresholds the
rule sets. Every write atomic and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.accounts.models import User
from bridge.audit.actions import Action
from bridge.audit.models import AuditEvent
from bridge.audit.services import audit_record
from bridge.participants.models import Participant
from bridge.privacy.models import BreachIncident, BreachNotice
from bridge.programs.models import Program

NOTICE_DAYS = 60  # 164.404(b): without unreasonable delay, at the latest 60 days after discovery
MEDIA_THRESHOLD = 500  # more than 500 residents of a state: notify the media (164.406)
HHS_IMMEDIATE_THRESHOLD = 500  # 500 or more: notify HHS with the individuals; fewer: the annual log (164.408)


def affected_from_audit(*, program: Program, user: User, start: datetime, end: datetime) -> list[Participant]:
    """The participants of `program` whose records `user` touched between `start` and `end`, from the log."""
    ids = (
        AuditEvent.objects.filter(
            actor=user, occurred_at__gte=start, occurred_at__lt=end, participant__program=program
        )
        .exclude(participant__isnull=True)
        .values_list("participant_id", flat=True)
        .distinct()
    )
    return list(Participant.objects.filter(pk__in=list(ids)).order_by("last_name", "first_name"))


@dataclass(frozen=True)
class Obligations:
    individuals_due: date
    hhs: str
    hhs_due: date
    media: bool
    media_due: date | None


def obligations(incident: BreachIncident, affected_count: int) -> Obligations:
    """What the rule asks for this incident, from its discovery date and the number of people affected."""
    due = incident.discovered_on + timedelta(days=NOTICE_DAYS)
    if affected_count >= HHS_IMMEDIATE_THRESHOLD:
        hhs, hhs_due = "Notify HHS now, with the individual notices (500 or more affected).", due
    else:
        # 164.408(c): not later than 60 days after the end of the calendar year of discovery
        # (1 March, or 29 February when the next year is a leap year).
        hhs_due = date(incident.discovered_on.year, 12, 31) + timedelta(days=NOTICE_DAYS)
        hhs = "Log it and report it to HHS within 60 days of the end of the calendar year (fewer than 500)."
    media = affected_count > MEDIA_THRESHOLD
    return Obligations(due, hhs, hhs_due, media, due if media else None)


def breach_record(
    *,
    actor: User,
    program: Program,
    title: str,
    description: str,
    discovered_on: date,
    user: User | None,
    window_start: datetime,
    window_end: datetime,
) -> BreachIncident:
    problems = {}
    if not title.strip():
        problems["title"] = "Name the incident."
    if not description.strip():
        problems["description"] = "Say what happened."
    if discovered_on > timezone.localdate(timezone=program.tz):
        problems["discovered_on"] = "The date cannot be in the future."
    if window_end <= window_start:
        problems["window_end"] = "The end of the time range is before its start."
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        incident = BreachIncident(
            program=program,
            title=title.strip(),
            description=description.strip(),
            discovered_on=discovered_on,
            notice_due_on=discovered_on + timedelta(days=NOTICE_DAYS),
            user=user,
            window_start=window_start,
            window_end=window_end,
            recorded_by=actor,
        )
        incident.full_clean()
        incident.save()
        affected = (
            affected_from_audit(program=program, user=user, start=window_start, end=window_end)
            if user
            else []
        )
        incident.affected.set(affected)
        audit_record(
            action=Action.CREATE,
            actor=actor,
            object_type="breach_incident",
            object_id=str(incident.pk),
            detail={"affected": len(affected), "notice_due_on": incident.notice_due_on},
        )
    return incident


def breach_assess(
    *, actor: User, incident: BreachIncident, assessment: str, risk_assessment: str
) -> BreachIncident:
    if assessment not in (BreachIncident.Assessment.BREACH, BreachIncident.Assessment.LOW_PROBABILITY):
        raise ValidationError({"assessment": "Say whether it is a breach."})
    if not risk_assessment.strip():
        raise ValidationError({"risk_assessment": "Write the four-factor risk assessment."})
    with transaction.atomic():
        incident.assessment = assessment
        incident.risk_assessment = risk_assessment.strip()
        incident.full_clean()
        incident.save(update_fields=["assessment", "risk_assessment"])
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            object_type="breach_incident",
            object_id=str(incident.pk),
            detail={"assessment": assessment},
        )
    return incident


def breach_notice_record(
    *, actor: User, incident: BreachIncident, kind: str, sent_on: date, method: str, participant=None
) -> BreachNotice:
    if kind not in BreachNotice.Kind.values:
        raise ValidationError({"kind": "Choose who was notified."})
    if kind == BreachNotice.Kind.INDIVIDUAL and (
        participant is None or not incident.affected.filter(pk=participant.pk).exists()
    ):
        raise ValidationError({"participant": "Choose one of the people affected."})
    if not method.strip():
        raise ValidationError({"method": "Say how the notice was sent (first-class mail, email, phone)."})
    with transaction.atomic():
        notice = BreachNotice(
            incident=incident,
            kind=kind,
            participant=participant if kind == BreachNotice.Kind.INDIVIDUAL else None,
            sent_on=sent_on,
            method=method.strip(),
            recorded_by=actor,
        )
        notice.full_clean()
        notice.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=notice.participant,
            object_type="breach_notice",
            object_id=str(notice.pk),
            detail={"incident": str(incident.pk), "kind": kind},
        )
    return notice
