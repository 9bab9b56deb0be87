"""Treatment plans: start, write the draft, sign (lock), revise, review. Every write audited."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.accounts.models import User
from bridge.audit.actions import Action
from bridge.clinical import icd10
from bridge.clinical.models import (
    Goal,
    Intervention,
    Objective,
    PlanReview,
    PlanVersion,
    Problem,
    ReviewPolicy,
    TreatmentPlan,
)
from bridge.clinical.services.common import audit
from bridge.participants.models import EpisodeOfCare, Participant
from bridge.programs.models import Program


def _draft(version: PlanVersion) -> None:
    if not version.is_draft:
        raise ValidationError("This version is signed and locked; revise the plan to change it.")


def _save(obj) -> None:
    obj.full_clean()
    obj.save()


def plan_start(
    *, actor: User, participant: Participant, review_policy: ReviewPolicy | None = None
) -> TreatmentPlan:
    """Open the plan for the participant's active episode of care, with an empty first draft."""
    episode = participant.episodes.filter(status=EpisodeOfCare.Status.ACTIVE).first()
    if episode is None:
        raise ValidationError("Admit the participant (open an episode of care) before writing a plan.")
    if TreatmentPlan.objects.filter(episode=episode).exists():
        raise ValidationError("This episode of care already has a treatment plan.")
    if review_policy is None:
        review_policy = ReviewPolicy.objects.filter(program=participant.program, is_default=True).first()
    elif review_policy.program_id != participant.program_id:
        raise ValidationError({"review_policy": "Choose one of this program's review policies."})
    with transaction.atomic(durable=True):
        plan = TreatmentPlan(
            participant=participant, episode=episode, review_policy=review_policy, created_by=actor
        )
        _save(plan)
        version = PlanVersion(plan=plan, number=1, created_by=actor)
        _save(version)
        audit(Action.CREATE, actor=actor, participant=participant, obj=plan, detail={"version": 1})
    return plan


def plan_problem_add(*, actor: User, version: PlanVersion, code: str, description: str = "") -> Problem:
    _draft(version)
    code = icd10.normalize(code)
    if not icd10.is_well_formed(code):
        raise ValidationError({"code": "Enter an ICD-10-CM code such as F11.20 or F32.A."})
    known = icd10.lookup(code)
    description = description.strip() or (known.description if known else "")
    if not description:
        raise ValidationError(
            {"description": "This code is not in Bridge's short list: describe the problem."}
        )
    if version.problems.filter(code=code).exists():
        raise ValidationError({"code": f"{code} is already a problem on this plan."})
    with transaction.atomic():
        problem = Problem(
            version=version, code=code, description=description, position=version.problems.count()
        )
        _save(problem)
        audit(
            Action.UPDATE,
            actor=actor,
            participant=version.plan.participant,
            obj=version,
            detail={"added": "problem", "code": code},
        )
    return problem


def plan_goal_add(*, actor: User, version: PlanVersion, problem: Problem, statement: str) -> Goal:
    _draft(version)
    if problem.version_id != version.pk:
        raise ValidationError({"problem": "Choose a problem of this plan version."})
    with transaction.atomic():
        goal = Goal(
            version=version, problem=problem, statement=statement.strip(), position=version.goals.count()
        )
        _save(goal)
        audit(
            Action.UPDATE,
            actor=actor,
            participant=version.plan.participant,
            obj=version,
            detail={"added": "goal"},
        )
    return goal


def plan_objective_add(
    *, actor: User, version: PlanVersion, goal: Goal, text: str, target_on: date
) -> Objective:
    _draft(version)
    if goal.version_id != version.pk:
        raise ValidationError({"goal": "Choose a goal of this plan version."})
    if target_on < timezone.localdate():
        raise ValidationError({"target_on": "A target date is in the future."})
    with transaction.atomic():
        objective = Objective(
            version=version,
            goal=goal,
            text=text.strip(),
            target_on=target_on,
            position=version.objectives.count(),
        )
        _save(objective)
        audit(
            Action.UPDATE,
            actor=actor,
            participant=version.plan.participant,
            obj=version,
            detail={"added": "objective"},
        )
    return objective


def plan_intervention_add(
    *,
    actor: User,
    version: PlanVersion,
    goal: Goal,
    modality: str,
    responsible: User,
    frequency: str,
    description: str = "",
) -> Intervention:
    _draft(version)
    if goal.version_id != version.pk:
        raise ValidationError({"goal": "Choose a goal of this plan version."})
    if not responsible.is_active or version.plan.participant.program_id not in responsible.program_ids():
        raise ValidationError({"responsible": "Choose an active staff member of this program."})
    with transaction.atomic():
        item = Intervention(
            version=version,
            goal=goal,
            modality=modality,
            responsible=responsible,
            frequency=frequency.strip(),
            description=description.strip(),
            position=version.interventions.count(),
        )
        _save(item)
        audit(
            Action.UPDATE,
            actor=actor,
            participant=version.plan.participant,
            obj=version,
            detail={"added": "intervention"},
        )
    return item


def plan_item_remove(
    *, actor: User, version: PlanVersion, item: Problem | Goal | Objective | Intervention
) -> None:
    """Take a part out of a draft (a draft is still being written; signed versions are never touched)."""
    _draft(version)
    if item.version_id != version.pk:
        raise ValidationError("That part is not in this version.")
    if isinstance(item, Problem) and item.goals.exists():
        raise ValidationError("Remove this problem's goals first.")
    if isinstance(item, Goal) and (item.objectives.exists() or item.interventions.exists()):
        raise ValidationError("Remove this goal's objectives and interventions first.")
    with transaction.atomic(durable=True):
        kind = item._meta.model_name
        item.delete()
        audit(
            Action.UPDATE,
            actor=actor,
            participant=version.plan.participant,
            obj=version,
            detail={"removed": kind},
        )


def plan_problems(version: PlanVersion) -> list[str]:
    """What keeps a draft from being signed: every problem needs a goal, every goal an objective and an
    intervention."""
    problems = list(version.problems.all())
    goals = list(version.goals.all())
    objectives = {o.goal_id for o in version.objectives.all()}
    interventions = {i.goal_id for i in version.interventions.all()}
    found = []
    if not problems:
        found.append("Add at least one problem (diagnosis).")
    with_goals = {g.problem_id for g in goals}
    found += [f"{p.code} has no goal yet." for p in problems if p.pk not in with_goals]
    for g in goals:
        if g.pk not in objectives:
            found.append(f"The goal “{g.statement[:40]}” has no measurable objective.")
        if g.pk not in interventions:
            found.append(f"The goal “{g.statement[:40]}” has no intervention.")
    return found


def _last_review_day(plan: TreatmentPlan) -> date | None:
    days = []
    current = plan.current_version
    if current is not None and current.signed_at is not None:
        days.append(timezone.localdate(current.signed_at))
    latest = plan.reviews.order_by("-reviewed_at").first()
    if latest is not None:
        days.append(timezone.localdate(latest.reviewed_at))
    return max(days) if days else None


def plan_version_sign(
    *,
    actor: User,
    version: PlanVersion,
    clinician_signature: str,
    participant_signature: str = "",
    change_summary: str = "",
) -> PlanVersion:
    """Sign a draft: it becomes the plan in force and is locked; the next review date follows the cadence."""
    _draft(version)
    errors: dict[str, list[str]] = {}
    if not clinician_signature.strip():
        errors["clinician_signature"] = ["Type your name to sign."]
    if version.number > 1 and not (change_summary.strip() or version.change_summary.strip()):
        errors["change_summary"] = ["Say what changed from the previous version and why."]
    incomplete = plan_problems(version)
    if incomplete:
        errors["__all__"] = incomplete
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic(durable=True):
        plan = (
            TreatmentPlan.objects.select_for_update(of=("self",))
            .select_related("review_policy")
            .get(pk=version.plan_id)
        )
        version.signed_at = now
        version.signed_by = actor
        version.clinician_signature = clinician_signature.strip()
        if change_summary.strip():
            version.change_summary = change_summary.strip()
        if participant_signature.strip():
            version.participant_signature = participant_signature.strip()
            version.participant_signed_at = now
        _save(version)
        plan.current_version = version
        plan.next_review_on = plan.next_review_from(timezone.localdate(now))
        plan.save(update_fields=["current_version", "next_review_on"])
        audit(
            Action.SIGN,
            actor=actor,
            participant=plan.participant,
            obj=version,
            detail={"number": version.number, "participant_signed": bool(version.participant_signed_at)},
        )
    return version


def plan_participant_sign(*, actor: User, version: PlanVersion, participant_signature: str) -> PlanVersion:
    """The participant signs a signed version later (once)."""
    if version.is_draft:
        raise ValidationError("The clinician signs the plan first.")
    if version.participant_signed_at:
        raise ValidationError("The participant has already signed this version.")
    if not participant_signature.strip():
        raise ValidationError({"participant_signature": "Type the participant's name as they sign."})
    with transaction.atomic(durable=True):
        version.participant_signature = participant_signature.strip()
        version.participant_signed_at = timezone.now()
        version.save(update_fields=["participant_signature", "participant_signed_at"])
        audit(
            Action.SIGN,
            actor=actor,
            participant=version.plan.participant,
            obj=version,
            detail={"participant": True},
        )
    return version


def plan_revise(*, actor: User, plan: TreatmentPlan) -> PlanVersion:
    """Start a new draft that copies the version in force; the signed one stays as it was."""
    source = plan.current_version
    if source is None:
        raise ValidationError("Sign the first version before revising.")
    if plan.versions.filter(signed_at__isnull=True).exists():
        raise ValidationError("A revision is already being drafted.")
    with transaction.atomic(durable=True):
        latest = plan.versions.order_by("-number").values_list("number", flat=True).first()
        number = (latest or 0) + 1
        draft = PlanVersion(plan=plan, number=number, based_on=source, created_by=actor)
        _save(draft)
        problems = {}
        for p in source.problems.all():
            problems[p.pk] = Problem.objects.create(
                version=draft, code=p.code, description=p.description, lineage=p.lineage, position=p.position
            )
        goals = {}
        for g in source.goals.all():
            goals[g.pk] = Goal.objects.create(
                version=draft,
                problem=problems[g.problem_id],
                statement=g.statement,
                lineage=g.lineage,
                position=g.position,
            )
        for o in source.objectives.all():
            Objective.objects.create(
                version=draft,
                goal=goals[o.goal_id],
                text=o.text,
                target_on=o.target_on,
                lineage=o.lineage,
                position=o.position,
            )
        for i in source.interventions.all():
            Intervention.objects.create(
                version=draft,
                goal=goals[i.goal_id],
                modality=i.modality,
                description=i.description,
                responsible_id=i.responsible_id,
                frequency=i.frequency,
                lineage=i.lineage,
                position=i.position,
            )
        audit(
            Action.CREATE,
            actor=actor,
            participant=plan.participant,
            obj=draft,
            detail={"number": number, "based_on": source.number},
        )
    return draft


def plan_review_record(*, actor: User, plan: TreatmentPlan, signature: str, summary: str) -> PlanReview:
    """A signed review that keeps the plan in force unchanged; the next review is due from today."""
    if plan.current_version_id is None:
        raise ValidationError("There is no signed plan to review yet.")
    errors = {}
    if not signature.strip():
        errors["signature"] = "Type your name to sign the review."
    if not summary.strip():
        errors["summary"] = "Summarize progress and why the plan continues unchanged."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        plan = (
            TreatmentPlan.objects.select_for_update(of=("self",))
            .select_related("review_policy")
            .get(pk=plan.pk)
        )
        version_id = plan.current_version_id
        if version_id is None:  # checked above; read again under the lock
            raise ValidationError("There is no signed plan to review yet.")
        today = timezone.localdate()
        review = PlanReview(
            plan=plan,
            version_id=version_id,
            reviewed_by=actor,
            signature=signature.strip(),
            summary=summary.strip(),
            next_review_on=plan.next_review_from(today),
        )
        _save(review)
        plan.next_review_on = review.next_review_on
        plan.save(update_fields=["next_review_on"])
        audit(Action.SIGN, actor=actor, participant=plan.participant, obj=review)
    return review


def plan_set_review_policy(*, actor: User, plan: TreatmentPlan, policy: ReviewPolicy | None) -> TreatmentPlan:
    if policy is not None and policy.program_id != plan.participant.program_id:
        raise ValidationError({"review_policy": "Choose one of this program's review policies."})
    with transaction.atomic(durable=True):
        plan.review_policy = policy
        last = _last_review_day(plan)
        plan.next_review_on = plan.next_review_from(last) if last else None
        plan.save(update_fields=["review_policy", "next_review_on"])
        audit(
            Action.UPDATE,
            actor=actor,
            participant=plan.participant,
            obj=plan,
            detail={"review_policy": str(policy.pk) if policy else None},
        )
    return plan


def review_policy_create(
    *,
    actor: User,
    program: Program,
    name: str,
    interval_days: int = 0,
    interval_months: int = 0,
    is_default: bool = False,
) -> ReviewPolicy:
    with transaction.atomic(durable=True):
        if is_default:
            ReviewPolicy.objects.filter(program=program, is_default=True).update(is_default=False)
        policy = ReviewPolicy(
            program=program,
            name=name.strip(),
            interval_days=interval_days or 0,
            interval_months=interval_months or 0,
            is_default=is_default,
        )
        policy.full_clean()
        policy.save()
        from bridge.audit.services import audit_record

        audit_record(action=Action.CREATE, actor=actor, object_type="reviewpolicy", object_id=str(policy.pk))
    return policy


def plan_signature_request(*, actor: User, version: PlanVersion, channel: str):
    """The participant signs a signed version of their treatment plan on a screen (their phone through
    a private link, a tablet at the desk, or in their app): the privacy app's signature event, the
    document being the version exactly as they read it. Returns (request, token)."""
    from bridge.privacy import signing
    from bridge.privacy.models import SignatureRequest

    if version.is_draft:
        raise ValidationError({"__all__": "The clinician signs the plan first."})
    if version.participant_signed_at:
        raise ValidationError({"__all__": "The participant has already signed this version."})
    participant = version.plan.participant
    elements = [
        ["Participant", participant.legal_name],
        ["Program", participant.program.name],
        [
            "Version",
            f"{version.number}, signed by {version.clinician_signature} on {version.signed_at:%Y-%m-%d}",
        ],
    ]
    goals: dict = {}
    for goal in version.goals.all().order_by("position", "id"):
        goals.setdefault(goal.problem_id, []).append(goal)
    objectives: dict = {}
    for o in version.objectives.all().order_by("position", "id"):
        objectives.setdefault(o.goal_id, []).append(f"{o.text} (by {o.target_on.isoformat()})")
    interventions: dict = {}
    for i in version.interventions.select_related("responsible").order_by("position", "id"):
        interventions.setdefault(i.goal_id, []).append(f"{i.get_modality_display()}, {i.frequency}")
    for problem in version.problems.all().order_by("position", "id"):
        elements.append(["Problem", f"{problem.code} {problem.description}"])
        for goal in goals.get(problem.pk, []):
            elements.append(["Goal (in my words)", goal.statement])
            for text in objectives.get(goal.pk, []):
                elements.append(["Step towards it", text])
            for text in interventions.get(goal.pk, []):
                elements.append(["What the program does", text])
    document = {
        "title": f"Treatment plan (version {version.number})",
        "elements": elements,
        "statements": [
            "By signing you say that you took part in writing this plan and that you agree with it. "
            "You can ask your care team to change it at any time."
        ],
    }
    return signing.document_signature_request(
        actor=actor,
        participant=participant,
        channel=channel,
        kind=SignatureRequest.Kind.PLAN,
        payload={"plan": str(version.plan_id), "version": str(version.pk), "number": version.number},
        document=document,
    )


def plan_participant_signed(signature) -> None:
    """The participant signed a version of their plan on a screen (the privacy app's signature event,
    in its transaction): the version takes their typed name and the time, as a signature at the desk."""
    version = PlanVersion.objects.select_for_update().get(pk=signature.payload["version"])
    if version.participant_signed_at:
        raise ValidationError({"__all__": "You have already signed this version of your plan."})
    version.participant_signature = signature.signer_name[:150]
    version.participant_signed_at = signature.signed_at
    version.save(update_fields=["participant_signature", "participant_signed_at"])
