"""Every write about clinical safety, each in one transaction with its audit event.

`safety_signal_raise` is the one way any channel says "a sign of risk was raised": the public
self-check, a private measure link, a measure or instrument entered by staff, an intake screening,
an aftercare check-in, and later the participant app. It records the signal, puts a work item on
the list of each person who must act (urgent ones first), and tells them through `notify`'s
pluggable senders — all or nothing, in the caller's transaction.

Who is told:
  * urgency "now": the supervising clinician (the primary clinician; before there is one, the
    program's licensed clinical supervisors) and every director of the program;
  * "same_day": the primary clinician (before there is one, whoever was given the task), and the
    directors too when that clinician is off shift now;
  * public self-check leads: the intake coordinators on duty now (all of them when none is on
    duty by the timetable; the directors when the program has no intake coordinator);
  * "routine": the primary clinician, on the work list only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from bridge.accounts.models import Role, User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import registry
from bridge.core.tokens import new_token, token_hash
from bridge.notify.staff import staff_notify
from bridge.participants.models import CareTeamMember, Participant
from bridge.safety.models import SafetyPlan, SafetyPlanLink, SafetyPlanVersion, SafetySignal, Source, Urgency
from bridge.worklist.models import WorkItem
from bridge.worklist.services import work_item_open, work_item_resolve

WORK_KIND = "safety_signal"
NOW_MINUTES = 60  # an act-now signal is due within the hour


# --- Who ------------------------------------------------------------------------------------------


def primary_clinician(participant: Participant) -> User | None:
    """The current primary clinician, else the most recent one (an alumnus keeps theirs)."""
    member = (
        CareTeamMember.objects.filter(
            participant=participant,
            team_role=CareTeamMember.TeamRole.PRIMARY_CLINICIAN,
            ended_at__isnull=False,
        )
        .select_related("staff")
        .order_by("-ended_at")
        .first()
    )
    current = (
        CareTeamMember.objects.filter(
            participant=participant,
            team_role=CareTeamMember.TeamRole.PRIMARY_CLINICIAN,
            ended_at__isnull=True,
        )
        .select_related("staff")
        .first()
    )
    found = current or member
    return found.staff if found is not None and found.staff.is_active else None


def _with_role(program_id, *roles: str) -> list[User]:
    return list(
        User.objects.filter(is_active=True, roles__program_id=program_id, roles__role__in=roles)
        .distinct()
        .order_by("last_name", "username")
    )


def directors(program_id) -> list[User]:
    return _with_role(program_id, Role.DIRECTOR)


def clinical_supervisors(program_id) -> list[User]:
    """The program's licensed clinical supervisors (licensed directors; else the prescribers)."""
    from bridge.clinical.services.common import can_cosign, can_prescribe

    found = [u for u in directors(program_id) if can_cosign(u, program_id)]
    return found or [u for u in _with_role(program_id, Role.PRESCRIBER) if can_prescribe(u, program_id)]


def on_shift(user: User, program, when: datetime | None = None) -> bool | None:
    """Whether `user` is working at `program` now by their weekly hours; None when none are recorded."""
    # Weekly hours come from whoever registered them (the planner), through core's registry.
    hours = [block for source in registry.STAFF_WORKING_HOURS for block in source(program, [user.pk])]
    if not hours:
        return None
    local = timezone.localtime(when or timezone.now(), program.tz)
    return any(day == local.weekday() and start <= local.time() < end for _, day, start, end, _ in hours)


def intake_on_duty(program, when: datetime | None = None) -> list[User]:
    coordinators = _with_role(program.pk, Role.INTAKE)
    working = [u for u in coordinators if on_shift(u, program, when)]
    return working or coordinators or directors(program.pk)


def recipients_for(signal: SafetySignal, assign_to: Iterable[User] = ()) -> list[User]:
    participant, program = signal.participant, signal.program
    if signal.source == Source.SELF_CHECK:
        found = intake_on_duty(program)
    else:
        clinician = primary_clinician(participant)
        first = [clinician] if clinician else [u for u in assign_to if u is not None]
        if signal.urgency == Urgency.NOW:
            found = (first or clinical_supervisors(program.pk)) + directors(program.pk)
        elif signal.urgency == Urgency.SAME_DAY:
            found = first or clinical_supervisors(program.pk) or directors(program.pk)
            if clinician is not None and on_shift(clinician, program) is not True:
                found = found + directors(program.pk)
        else:
            found = first or directors(program.pk)[:1]
    unique: list[User] = []
    for user in found:
        if user is not None and user not in unique:
            unique.append(user)
    return unique


# --- Raise ----------------------------------------------------------------------------------------


def _due_by(urgency: str, program, now: datetime) -> datetime:
    if urgency == Urgency.NOW:
        return now + timedelta(minutes=NOW_MINUTES)
    local = timezone.localtime(now, program.tz)
    end_of_day = datetime.combine(local.date(), time(23, 59), tzinfo=program.tz)
    return end_of_day if urgency == Urgency.SAME_DAY else end_of_day + timedelta(days=2)


def signal_url(signal: SafetySignal) -> str:
    return reverse("safety:signal", args=[signal.participant_id, signal.pk])


def safety_signal_raise(
    *,
    participant: Participant,
    source: str,
    code: str,
    urgency: str,
    title: str,
    detail: str = "",
    route: str = "",
    screening=None,
    administration=None,
    dedup_key: str = "",
    actor: User | None = None,
    actor_label: str = "",
    assign_to: Iterable[User] = (),
) -> SafetySignal:
    """A sign of risk was raised about `participant` (an enrolled participant or an intake lead).

    Records it, opens a work item for each person who must act and notifies them (urgency "now" and
    "same_day"). The same `code` with the same `dedup_key` never raises twice: the first signal is
    returned. Call inside the transaction that stores what raised it.
    """
    if source not in Source.values:
        raise ValueError(f"unknown safety signal source {source!r}")
    if urgency not in Urgency.values:
        raise ValueError(f"unknown urgency {urgency!r}")
    if dedup_key:
        existing = SafetySignal.objects.filter(
            participant=participant, code=code, dedup_key=dedup_key
        ).first()
        if existing is not None:
            return existing
    now = timezone.now()
    program = participant.program
    with transaction.atomic():
        signal = SafetySignal(
            program=program,
            participant=participant,
            source=source,
            code=code,
            urgency=urgency,
            title=title[:200],
            detail=detail,
            route=route,
            screening=screening,
            administration=administration,
            dedup_key=dedup_key,
            raised_at=now,
            raised_by=actor if getattr(actor, "is_authenticated", False) else None,
            due_by=_due_by(urgency, program, now),
        )
        signal.full_clean()
        try:
            with transaction.atomic():
                signal.save()
        except IntegrityError:  # raised at the same moment by another request: one signal only
            return SafetySignal.objects.get(participant=participant, code=code, dedup_key=dedup_key)
        people = recipients_for(signal, assign_to)
        labels: dict[str, str] = {
            Urgency.NOW: "Act now",
            Urgency.SAME_DAY: "Today",
            Urgency.ROUTINE: "Safety",
        }
        label = labels[urgency]
        for person in people:
            work_item_open(
                participant=participant,
                assigned_to=person,
                kind=WORK_KIND,
                title=f"{label}: {signal.title}"[:200],
                detail=(f"{detail}\n{route}".strip())[:4000],
                due_on=timezone.localdate(signal.due_by, program.tz),
                source_type="safety_signal",
                source_id=f"{signal.pk}/{person.pk}",
                actor=actor,
                urgent=urgency == Urgency.NOW,
            )
        if urgency in (Urgency.NOW, Urgency.SAME_DAY):
            base = getattr(settings, "BRIDGE_BASE_URL", "") or ""
            when = "within the hour" if urgency == Urgency.NOW else "today"
            staff_notify(
                recipients=people,
                subject="Bridge: urgent safety item"
                if urgency == Urgency.NOW
                else "Bridge: safety task for today",
                # No name, nothing clinical: only that there is work and where to look.
                body=(
                    f"A safety item on your Bridge work list needs you {when}. "
                    f"Open it: {base}{signal_url(signal)}"
                ),
                about_type="safety_signal",
                about_id=str(signal.pk),
            )
        audit_record(
            action=Action.SAFETY_SIGNAL,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_label=actor_label or ("" if getattr(actor, "is_authenticated", False) else source),
            participant=participant,
            object_type="safety_signal",
            object_id=str(signal.pk),
            detail={
                "code": code,
                "urgency": urgency,
                "source": source,
                "notified": [str(p.pk) for p in people],
            },
        )
    return signal


# --- Disposition ---------------------------------------------------------------------------------


def safety_signal_close(*, actor: User, signal: SafetySignal, action_taken: str) -> SafetySignal:
    """Record the disposition: who (actor), when (now) and what was done (required).

    Resolves the signal's work items with the same words; a signal raised by a measure also
    acknowledges that measure's chart alert.
    """
    action_taken = action_taken.strip()
    if not action_taken:
        raise ValidationError({"action_taken": "Say what was done (who was reached, what was decided)."})
    with transaction.atomic():
        signal = SafetySignal.objects.select_for_update().get(pk=signal.pk)
        if not signal.is_open:
            raise ValidationError("A disposition is already recorded for this signal.")
        signal.status = SafetySignal.Status.CLOSED
        signal.closed_at = timezone.now()
        signal.closed_by = actor
        signal.action_taken = action_taken
        signal.full_clean()
        signal.save(update_fields=["status", "closed_at", "closed_by", "action_taken"])
        _resolve_work(actor, signal, action_taken)
        if signal.administration_id is not None:
            from bridge.measures.models import AlertAcknowledgement

            if not AlertAcknowledgement.objects.filter(administration_id=signal.administration_id).exists():
                AlertAcknowledgement.objects.create(
                    administration_id=signal.administration_id,
                    participant_id=signal.participant_id,
                    acknowledged_by=actor,
                    note=action_taken,
                )
        audit_record(
            action=Action.SAFETY_DISPOSITION,
            actor=actor,
            participant=signal.participant,
            object_type="safety_signal",
            object_id=str(signal.pk),
            detail={"code": signal.code, "urgency": signal.urgency},
        )
    return signal


def _resolve_work(actor: User, signal: SafetySignal, action_taken: str) -> None:
    for item in WorkItem.objects.filter(
        kind=WORK_KIND, source_id__startswith=f"{signal.pk}/", status=WorkItem.Status.OPEN
    ):
        work_item_resolve(actor=actor, item=item, resolution=action_taken[:2000])


def signals_close_for_administration(*, actor: User, administration, action_taken: str) -> int:
    """Close every open signal a measure raised, when its chart alert is acknowledged."""
    count = 0
    for signal in SafetySignal.objects.filter(administration=administration, status=SafetySignal.Status.OPEN):
        with transaction.atomic():
            signal.status = SafetySignal.Status.CLOSED
            signal.closed_at, signal.closed_by, signal.action_taken = timezone.now(), actor, action_taken
            signal.save(update_fields=["status", "closed_at", "closed_by", "action_taken"])
            _resolve_work(actor, signal, action_taken)
            audit_record(
                action=Action.SAFETY_DISPOSITION,
                actor=actor,
                participant=signal.participant,
                object_type="safety_signal",
                object_id=str(signal.pk),
                detail={"code": signal.code, "urgency": signal.urgency, "via": "alert_acknowledged"},
            )
        count += 1
    return count


def same_day_screens_done(*, actor: User | None, administration) -> int:
    """A C-SSRS screener was given: today's "give the C-SSRS" tasks (PHQ-9 item 9) are done.

    The disposition says what happened (the C-SSRS was given, by whom, its result); the C-SSRS
    result raises its own signal when it is high risk.
    """
    if administration.instrument != "C-SSRS-Screener":
        return 0
    who = (
        actor.get_full_name() or actor.username
        if actor is not None and actor.is_authenticated
        else "the participant"
    )
    local = timezone.localtime(administration.administered_at, administration.participant.program.tz)
    text = f"C-SSRS screener given {local:%Y-%m-%d %H:%M} by {who}: {administration.band} risk."
    count = 0
    for signal in SafetySignal.objects.filter(
        participant=administration.participant,
        code="phq9_item9_positive",
        status=SafetySignal.Status.OPEN,
    ):
        closer = actor if getattr(actor, "is_authenticated", False) else None
        if closer is None:
            continue  # a C-SSRS the participant answered alone still needs a clinician's disposition
        safety_signal_close(actor=closer, signal=signal, action_taken=text)
        count += 1
    return count


# --- Safety plan ---------------------------------------------------------------------------------

# A participant's private safety-plan link works for a year; staff make a new one when it runs out.
PLAN_LINK_DAYS = 365
DEFAULT_PROFESSIONALS = (
    "988 Suicide & Crisis Lifeline: call or text 988, any time\n"
    "Emergency: 911, or the nearest emergency department"
)


# Saves of one plan in a minute: a person editing saves a few times; more is a script or a stuck key,
# and every save that changes the plan is kept as a version (as for the relapse-prevention plan).
PLAN_SAVES_PER_MINUTE = 10


def safety_plan_save(*, actor: User, participant: Participant, **fields) -> SafetyPlan:
    """Write (or revise) the safety plan with the participant.

    Each part is at most PLAN_TEXT_LIMIT characters. A save that changes something is kept as a
    version; one that changes nothing keeps no version and writes no audit event. More than
    PLAN_SAVES_PER_MINUTE saves of one plan in a minute are refused (ValidationError)."""
    unknown = set(fields) - set(SafetyPlan.FIELDS)
    if unknown:
        raise TypeError(f"safety_plan_save got unknown fields {sorted(unknown)}")
    values = {k: (v or "").strip() for k, v in fields.items()}
    if not values.get("warning_signs") or not values.get("professionals"):
        raise ValidationError(
            {
                name: "Write at least one line with the participant."
                for name in ("warning_signs", "professionals")
                if not values.get(name)
            }
        )
    with transaction.atomic():
        plan = SafetyPlan.objects.select_for_update().filter(participant=participant).first()
        created = plan is None
        plan = plan or SafetyPlan(participant=participant, updated_by=actor)
        before = None if created else {name: getattr(plan, name) for name in SafetyPlan.FIELDS}
        for name, value in values.items():
            setattr(plan, name, value)
        plan.updated_by, plan.updated_at = actor, timezone.now()
        plan.full_clean()  # each part's limit (PLAN_TEXT_LIMIT), whoever calls
        if before is not None and {name: getattr(plan, name) for name in SafetyPlan.FIELDS} == before:
            return plan
        if not created:
            recent = plan.versions.filter(saved_at__gte=timezone.now() - timedelta(minutes=1)).count()
            if recent >= PLAN_SAVES_PER_MINUTE:
                raise ValidationError(
                    "This plan was saved many times in the last minute; wait a minute and save again."
                )
        plan.save()
        number = (plan.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        SafetyPlanVersion.objects.create(
            plan=plan,
            number=number,
            content={name: getattr(plan, name) for name in SafetyPlan.FIELDS},
            saved_by=actor,
            saved_at=plan.updated_at,
        )
        audit_record(
            action=Action.CREATE if created else Action.UPDATE,
            actor=actor,
            participant=participant,
            object_type="safety_plan",
            object_id=str(plan.pk),
            detail={"version": number},
        )
    return plan


def safety_plan_link_create(*, actor: User, plan) -> tuple:
    """A new private link to the plan (revoking any live one). The token is shown once."""
    token = new_token()
    with transaction.atomic():
        for live in SafetyPlanLink.objects.select_for_update().filter(plan=plan, revoked_at__isnull=True):
            _plan_link_revoke(actor=actor, link=live)
        link = SafetyPlanLink(plan=plan, token_hash=token_hash(token), hint=token[-6:], created_by=actor)
        link.full_clean()
        link.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=plan.participant,
            object_type="safety_plan_link",
            object_id=str(link.pk),
        )
    return link, token


def _plan_link_revoke(*, actor: User, link) -> None:
    link.revoked_at, link.revoked_by = timezone.now(), actor
    link.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        action=Action.LINK_REVOKE,
        actor=actor,
        participant=link.plan.participant,
        object_type="safety_plan_link",
        object_id=str(link.pk),
    )


def safety_plan_link_revoke(*, actor: User, link):
    with transaction.atomic():
        if link.revoked_at is None:
            _plan_link_revoke(actor=actor, link=link)
    return link


def safety_plan_for_token(token: str):
    """The plan a live, unexpired link opens (recording that it was used), else None."""
    if not token or len(token) > 100:
        return None
    link = (
        SafetyPlanLink.objects.filter(
            token_hash=token_hash(token),
            revoked_at__isnull=True,
            created_at__gte=timezone.now() - timedelta(days=PLAN_LINK_DAYS),
        )
        .select_related("plan__participant__program")
        .first()
    )
    if link is None:
        return None
    SafetyPlanLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    return link
