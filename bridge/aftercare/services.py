"""Every aftercare write around the end of an episode: discharge, its summary, the aftercare plan and
its private link, the program's settings. Each in one transaction with its audit event.

Step-down and step-up are in stepping.py; follow-up after discharge (alumni, check-ins, outreach)
in followup.py.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from bridge.accounts.models import User
from bridge.aftercare import queries
from bridge.aftercare.models import (
    AftercarePlan,
    AftercarePlanVersion,
    AftercareSettings,
    CheckIn,
    Discharge,
    DischargeSummary,
    PlanLink,
    SummaryAddendum,
    TaperPlan,
)
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core.tokens import new_token, token_hash
from bridge.participants.models import EpisodeOfCare, LevelOfCare, Participant
from bridge.participants.services import hold_end_at_discharge
from bridge.scheduling.models import Attendance, SeriesMembership

S = Participant.Status
GOAL_OUTCOMES = {"met": "Met", "partly": "Partly met", "not_met": "Not met"}
# Levels by intensity; a step-up goes to a higher number.
INTENSITY = {level: float(level) for level in LevelOfCare.values}
CRISIS_LINES = [
    {"name": "988 Suicide & Crisis Lifeline (call or text)", "phone": "988"},
    {"name": "SAMHSA National Helpline (free, 24/7, treatment referral)", "phone": "1-800-662-4357"},
    {"name": "Emergency", "phone": "911"},
]


def _audit(action: Action, *, actor, participant, obj, detail: dict | None = None) -> None:
    audit_record(
        action=action,
        actor=actor,
        participant=participant,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        detail=detail,
    )


def active_episode(participant: Participant) -> EpisodeOfCare | None:
    return (
        EpisodeOfCare.objects.filter(participant=participant, status=EpisodeOfCare.Status.ACTIVE)
        .prefetch_related("level_changes")
        .first()
    )


# Discharge ---------------------------------------------------------------------------------------


def discharge_record(
    *,
    actor: User,
    participant: Participant,
    type: str,
    discharged_on: date,
    reason: str,
    destination: str,
    next_level: str = "",
) -> Discharge:
    """End the active episode: the discharge, the status, the check-in schedule and a summary draft.

    Group memberships end on the discharge day and the person leaves the rosters of later sessions
    (rows of past sessions, and anything already recorded, stay).
    """
    episode = active_episode(participant)
    if episode is None:
        raise ValidationError({"type": "This participant has no active episode of care to discharge."})
    if type not in Discharge.Type.values:
        raise ValidationError({"type": "Choose how the episode ended."})
    if discharged_on > timezone.localdate():
        raise ValidationError({"discharged_on": "The discharge date cannot be in the future."})
    if discharged_on < episode.admitted_on:
        raise ValidationError({"discharged_on": f"The episode began on {episode.admitted_on:%b %-d, %Y}."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the episode ends."})
    if not destination.strip():
        raise ValidationError({"destination": "Say where the person goes next."})
    if type == Discharge.Type.TRANSFERRED_UP and (
        not next_level or INTENSITY[next_level] <= INTENSITY[episode.level_of_care]
    ):
        raise ValidationError({"next_level": "A transfer up goes to a more intensive level than now."})
    with transaction.atomic(durable=True):
        discharge = Discharge(
            episode=episode,
            participant=participant,
            type=type,
            discharged_on=discharged_on,
            reason=reason.strip(),
            destination=destination.strip(),
            next_level=next_level,
            recorded_by=actor,
        )
        discharge.full_clean()
        discharge.save()
        episode.status = EpisodeOfCare.Status.FINISHED
        episode.discharged_on = discharged_on
        episode.save(update_fields=["status", "discharged_on"])
        participant.status = S.DISCHARGED
        participant.save(update_fields=["status", "updated_at"])
        hold_end_at_discharge(actor=actor, participant=participant, discharged_on=discharged_on)
        TaperPlan.objects.filter(participant=participant, ended_on__isnull=True).update(
            ended_on=discharged_on
        )
        _leave_groups(participant, discharged_on)
        settings = AftercareSettings.for_program(participant.program)
        CheckIn.objects.bulk_create(
            CheckIn(
                discharge=discharge,
                participant=participant,
                day_offset=days,
                due_on=discharged_on + timedelta(days=days),
            )
            for days in sorted(set(settings.checkin_days))
        )
        _audit(
            Action.DISCHARGE,
            actor=actor,
            participant=participant,
            obj=discharge,
            detail={"type": type, "episode": str(episode.pk), "discharged_on": discharged_on},
        )
        summary_draft(actor=actor, discharge=discharge)
    return discharge


def _leave_groups(participant: Participant, day: date) -> None:
    open_statuses = [
        SeriesMembership.Status.ACTIVE,
        SeriesMembership.Status.ON_HOLD,
        SeriesMembership.Status.WAITLISTED,
    ]
    for m in SeriesMembership.objects.filter(participant=participant, status__in=open_statuses):
        m.status = SeriesMembership.Status.DISCHARGED
        if m.joined_on is not None:
            m.left_on = max(day, m.joined_on)
        m.reason = "Discharged"
        m.save(update_fields=["status", "left_on", "reason"])
    # Only still-expected roster rows of later sessions go: nothing was recorded on them.
    Attendance.objects.filter(
        participant=participant,
        status=Attendance.Status.EXPECTED,
        session__starts_at__date__gt=day,
    ).delete()


# Discharge summary -------------------------------------------------------------------------------


def _plan_text(participant: Participant) -> str:
    plan = AftercarePlan.objects.filter(participant=participant).first()
    if plan is None:
        return ""
    lines = []
    for m in plan.meetings:
        where = f"{m.get('day', '')} {m.get('time', '')}, {m.get('place', '')}"
        lines.append(f"Meeting: {m.get('fellowship', '')} {m.get('name', '')}, {where}")
    if plan.mat_prescriber:
        when = (
            f", next appointment {timezone.localtime(plan.mat_next_appointment):%b %-d, %Y %H:%M}"
            if plan.mat_next_appointment
            else ""
        )
        lines.append(f"Continuing MAT with {plan.mat_prescriber}{when}")
    if plan.housing:
        lines.append(f"Housing: {plan.housing}")
    if plan.contacts:
        lines.append("People to call: " + "; ".join(f"{c['name']} {c['phone']}" for c in plan.contacts))
    return "\n".join(lines)


def summary_draft(*, actor: User, discharge: Discharge) -> DischargeSummary:
    """Draft the summary from the record (or return the existing one)."""
    existing = DischargeSummary.objects.filter(discharge=discharge).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        summary = DischargeSummary(
            discharge=discharge,
            participant=discharge.participant,
            figures=queries.summary_figures(discharge),
            goals=queries.goals_for(discharge.episode),
            aftercare=_plan_text(discharge.participant),
            author=actor,
        )
        summary.full_clean()
        summary.save()
        _audit(Action.CREATE, actor=actor, participant=discharge.participant, obj=summary)
    return summary


def _require_draft(summary: DischargeSummary) -> None:
    if summary.signed_at is not None:
        raise ValidationError("This summary is signed and locked; add an addendum instead.")


def summary_refresh(*, actor: User, summary: DischargeSummary) -> DischargeSummary:
    """Recompute the figures of a draft from the record as it is now (late attendance, a late screen)."""
    _require_draft(summary)
    with transaction.atomic(durable=True):
        summary.figures = queries.summary_figures(summary.discharge)
        summary.updated_at = timezone.now()
        summary.save(update_fields=["figures", "updated_at"])
        _audit(
            Action.UPDATE, actor=actor, participant=summary.participant, obj=summary, detail={"figures": True}
        )
    return summary


SUMMARY_TEXT = ("course", "condition", "aftercare", "recommendations")


def summary_update(
    *, actor: User, summary: DischargeSummary, goal_outcomes: list[str] | None = None, **text: str
) -> DischargeSummary:
    _require_draft(summary)
    unknown = set(text) - set(SUMMARY_TEXT)
    if unknown:
        raise TypeError(f"summary_update got unknown fields {sorted(unknown)}")
    with transaction.atomic(durable=True):
        for name, value in text.items():
            setattr(summary, name, value.strip())
        if goal_outcomes is not None:
            if len(goal_outcomes) != len(summary.goals):
                raise ValidationError("The plan goals changed; reload the page.")
            for goal, outcome in zip(summary.goals, goal_outcomes, strict=True):
                if outcome and outcome not in GOAL_OUTCOMES:
                    raise ValidationError({"goals": "Choose met, partly met or not met."})
                goal["outcome"] = outcome
        summary.updated_at = timezone.now()
        summary.full_clean()
        summary.save()
        _audit(
            Action.UPDATE,
            actor=actor,
            participant=summary.participant,
            obj=summary,
            detail={"fields": sorted(text)},
        )
    return summary


def summary_problems(summary: DischargeSummary) -> list[str]:
    """Why a draft cannot be signed yet."""
    found = []
    if not summary.course.strip():
        found.append("Write the course of treatment.")
    if not summary.condition.strip():
        found.append("Describe the condition at discharge.")
    if not summary.aftercare.strip():
        found.append("Write the aftercare plan.")
    missing = [g["statement"] for g in summary.goals if not g.get("outcome")]
    if missing:
        found.append(f"Say whether each plan goal was met ({len(missing)} not marked).")
    return found


def summary_sign(*, actor: User, summary: DischargeSummary) -> DischargeSummary:
    """Sign and lock: afterwards only addenda (the database refuses changes too)."""
    _require_draft(summary)
    problems = summary_problems(summary)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic(durable=True):
        summary.signed_at = timezone.now()
        summary.signed_by = actor
        summary.signature = actor.get_full_name() or actor.get_username()
        summary.save(update_fields=["signed_at", "signed_by", "signature"])
        _audit(Action.SIGN, actor=actor, participant=summary.participant, obj=summary)
    return summary


def summary_addendum_add(
    *, actor: User, summary: DischargeSummary, reason: str, text: str
) -> SummaryAddendum:
    if summary.signed_at is None:
        raise ValidationError("Edit the draft instead: addenda follow signing.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why you add to the signed summary."})
    if not text.strip():
        raise ValidationError({"text": "Write the addendum."})
    with transaction.atomic(durable=True):
        addendum = SummaryAddendum(summary=summary, author=actor, reason=reason.strip(), text=text.strip())
        addendum.full_clean()
        addendum.save()
        _audit(Action.ADDENDUM, actor=actor, participant=summary.participant, obj=addendum)
    return addendum


# Aftercare plan ----------------------------------------------------------------------------------

PLAN_FIELDS = (
    "triggers",
    "warning_signs",
    "coping",
    "contacts",
    "meetings",
    "mat_prescriber",
    "mat_next_appointment",
    "housing",
    "crisis_lines",
)


# A relapse-prevention plan is read on a phone in a hard moment: each text part stays short enough to
# read there. Limits the form shows as the person types (bridge/aftercare/forms.py uses these).
PLAN_TEXT_LIMIT = 2000  # characters in one text part, or in one list (contacts, meetings, crisis lines)
# Saves of one plan in a minute: a person editing saves a few times; more is a script or a stuck key,
# and every save is kept as a version.
PLAN_SAVES_PER_MINUTE = 10


def _plan_size_check(plan: AftercarePlan) -> None:
    for name in PLAN_FIELDS:
        value = getattr(plan, name)
        if not isinstance(value, str | list):
            continue  # the next MAT appointment (a datetime) has no length to limit
        size = len(value) if isinstance(value, str) else len(json.dumps(value or [], ensure_ascii=False))
        if size > PLAN_TEXT_LIMIT * (2 if isinstance(value, list) else 1):
            raise ValidationError({name: f"Keep this part under {PLAN_TEXT_LIMIT} characters."})


def aftercare_plan_save(*, actor: User, participant: Participant, **fields: Any) -> AftercarePlan:
    """Create or change the participant's aftercare plan (the form has validated contacts and meetings).

    A save that changes nothing keeps no new version and writes no audit event; more than
    PLAN_SAVES_PER_MINUTE saves of one plan in a minute are refused (ValidationError)."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"aftercare_plan_save got unknown fields {sorted(unknown)}")
    with transaction.atomic(durable=True):
        plan = AftercarePlan.objects.select_for_update().filter(participant=participant).first()
        created = plan is None
        if plan is None:
            plan = AftercarePlan(participant=participant, updated_by=actor, crisis_lines=list(CRISIS_LINES))
        before = None if created else {name: getattr(plan, name) for name in PLAN_FIELDS}
        for name, value in fields.items():
            setattr(plan, name, value.strip() if isinstance(value, str) else value)
        if not plan.crisis_lines:
            plan.crisis_lines = list(CRISIS_LINES)
        _plan_size_check(plan)
        if before is not None and {name: getattr(plan, name) for name in PLAN_FIELDS} == before:
            return plan
        if not created:
            recent = plan.versions.filter(saved_at__gte=timezone.now() - timedelta(minutes=1)).count()
            if recent >= PLAN_SAVES_PER_MINUTE:
                raise ValidationError(
                    "This plan was saved many times in the last minute; wait a minute and save again."
                )
        plan.updated_by = actor
        plan.updated_at = timezone.now()
        plan.full_clean()
        plan.save()
        version = AftercarePlanVersion.objects.create(
            plan=plan,
            number=(plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1,
            content=plan_content(plan),
            saved_by=actor,
            saved_at=plan.updated_at,
        )
        _audit(
            Action.CREATE if created else Action.UPDATE,
            actor=actor,
            participant=participant,
            obj=plan,
            detail={"fields": sorted(fields), "version": version.number},
        )
    return plan


def plan_content(plan: AftercarePlan) -> dict:
    """The plan's fields as JSON (the datetime as ISO text), for its version history."""
    content = {name: getattr(plan, name) for name in PLAN_FIELDS}
    when = content.get("mat_next_appointment")
    content["mat_next_appointment"] = when.isoformat() if when else None
    return content


def plan_signature_request(*, actor: User, plan: AftercarePlan, channel: str):
    """The participant signs the plan's current version on a screen (the privacy app's signature link):
    the document is that version as they read it; the signature event names the plan and version."""
    from bridge.privacy import signing
    from bridge.privacy.models import SignatureRequest

    version = plan.versions.order_by("-number").first()
    if version is None:
        raise ValidationError({"__all__": "Save the plan first."})
    content = version.content
    participant = plan.participant

    def lines(rows, keys) -> str:
        return "; ".join(" ".join(str(r.get(k) or "") for k in keys).strip() for r in rows or [])

    parts = [
        ("What can trigger a relapse", content.get("triggers")),
        ("My warning signs", content.get("warning_signs")),
        ("What helps me (coping)", content.get("coping")),
        ("People I can call", lines(content.get("contacts"), ("name", "relationship", "phone"))),
        ("Meetings", lines(content.get("meetings"), ("name", "day", "time", "place"))),
        ("Continuing MAT prescriber", content.get("mat_prescriber")),
        ("Housing support", content.get("housing")),
        ("Crisis lines", lines(content.get("crisis_lines"), ("name", "phone"))),
    ]
    document = {
        "title": f"Relapse-prevention and aftercare plan (version {version.number})",
        "elements": [
            ["Participant", participant.legal_name],
            ["Program", participant.program.name],
            ["Version", f"{version.number}, saved {version.saved_at:%Y-%m-%d}"],
        ]
        + [[label, value] for label, value in parts if value],
        "statements": [
            "By signing you say that you wrote this plan with your care team and that it is your plan. "
            "You can change it with them at any time."
        ],
    }
    return signing.document_signature_request(
        actor=actor,
        participant=participant,
        channel=channel,
        kind=SignatureRequest.Kind.AFTERCARE,
        payload={"plan": str(plan.pk), "version": version.number},
        document=document,
    )


def plan_link_create(*, actor: User, plan: AftercarePlan) -> tuple[PlanLink, str]:
    """A new private link to the plan (revoking any live one). The token is shown once."""
    token = new_token()
    with transaction.atomic(durable=True):
        for live in PlanLink.objects.select_for_update().filter(plan=plan, revoked_at__isnull=True):
            _link_revoke(actor=actor, link=live)
        link = PlanLink(plan=plan, token_hash=token_hash(token), hint=token[-6:], created_by=actor)
        link.full_clean()
        link.save()
        _audit(Action.CREATE, actor=actor, participant=plan.participant, obj=link)
    return link, token


def _link_revoke(*, actor: User, link: PlanLink) -> None:
    link.revoked_at = timezone.now()
    link.revoked_by = actor
    link.save(update_fields=["revoked_at", "revoked_by"])
    _audit(Action.LINK_REVOKE, actor=actor, participant=link.plan.participant, obj=link)


def plan_link_revoke(*, actor: User, link: PlanLink) -> PlanLink:
    if link.revoked_at is not None:
        return link
    with transaction.atomic(durable=True):
        _link_revoke(actor=actor, link=link)
    return link


# A participant's private plan link works for a year; staff make a new one when it runs out.
PLAN_LINK_DAYS = 365


def plan_for_token(token: str) -> AftercarePlan | None:
    if not token or len(token) > 100:
        return None
    link = (
        PlanLink.objects.filter(
            token_hash=token_hash(token),
            revoked_at__isnull=True,
            created_at__gte=timezone.now() - timedelta(days=PLAN_LINK_DAYS),
        )
        .select_related("plan__participant__program")
        .first()
    )
    if link is None:
        return None
    PlanLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    return link.plan


def aftercare_settings_update(
    *, actor: User, program, checkin_days: list[int], grace_days: int
) -> AftercareSettings:
    with transaction.atomic(durable=True):
        settings, _ = AftercareSettings.objects.get_or_create(
            program=program, defaults={"checkin_days": checkin_days}
        )
        settings.checkin_days = checkin_days
        settings.grace_days = grace_days
        settings.full_clean()
        settings.save()
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            object_type="aftercaresettings",
            object_id=str(settings.pk),
            detail={"checkin_days": checkin_days, "grace_days": grace_days},
        )
    return settings
