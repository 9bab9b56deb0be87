"""Every intake write, each atomic with its audit event (no PHI values in the event detail)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge import instruments
from bridge.accounts.models import Role, User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.intake.editions import edition_for
from bridge.intake.models import (
    CriteriaEditionSetting,
    DimensionRating,
    InstrumentAdministration,
    IntakeSettings,
    PlacementDecision,
    Referral,
    Screening,
    WithdrawalManagementCompletion,
)
from bridge.intake.queries import recommendation_for
from bridge.intake.safety import admission_gate, screening_alerts_raise
from bridge.participants import services as participant_services
from bridge.participants.models import CareTeamMember, EpisodeOfCare, LevelOfCare, Participant
from bridge.placement import DIMENSIONS, IOP_LEVEL
from bridge.programs.models import Program
from bridge.safety.services import same_day_screens_done

S = Participant.Status
# A screening can start for anyone not in an episode of care right now.
SCREENABLE = (S.PROSPECT, S.SCREENING, S.DISCHARGED, S.ALUMNI, S.REFERRED)


def _audit(action, actor, screening: Screening, object_type: str, object_id, detail=None) -> None:
    audit_record(
        action=action,
        actor=actor,
        participant=screening.participant,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )


def _require_open(screening: Screening) -> None:
    if not screening.is_open:
        raise ValidationError("This screening is finished; start a new one to change it.")


def screening_start(*, actor: User | None, participant: Participant, **details: Any) -> Screening:
    """Open a screening for `participant` (a prospect becomes "screening")."""
    unknown = set(details) - set(Screening.DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"screening_start got unknown fields {sorted(unknown)}")
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        if participant.status not in SCREENABLE:
            raise ValidationError("This participant is in an episode of care; there is nothing to screen.")
        if participant.screenings.filter(status__in=Screening.OPEN_STATUSES).exists():
            raise ValidationError("This participant already has a screening in progress.")
        screening = Screening(
            participant=participant,
            program=participant.program,
            started_by=actor,
            edition=edition_for(participant.program),
            **details,
        )
        screening.full_clean()
        screening.save()
        if participant.status != S.SCREENING:
            participant.status = S.SCREENING
            participant.save(update_fields=["status", "updated_at"])
        _audit(Action.CREATE, actor, screening, "screening", screening.pk, {"fields": sorted(details)})
    return screening


def caller_register(
    *,
    actor: User,
    program: Program,
    participant_fields: dict[str, Any],
    details: dict[str, Any],
    another_person: bool = False,
) -> Screening:
    """A new caller: the prospect's record and their screening, together or not at all. Someone with
    the same name and date of birth already in the program is asked about first: one person, one
    record (a second chart splits their history)."""
    born = participant_fields.get("date_of_birth")
    same = (
        Participant.objects.filter(
            program=program,
            first_name__iexact=(participant_fields.get("first_name") or "").strip(),
            last_name__iexact=(participant_fields.get("last_name") or "").strip(),
            date_of_birth=born,
        ).first()
        if isinstance(born, date)
        else None
    )
    if same is not None and not another_person:
        raise ValidationError(
            {
                "another_person": f"{same.display_name}, born {same.date_of_birth:%b %-d, %Y}, is already on "
                f"record ({same.get_status_display().lower()}): open their record from the intake list or "
                "the participants list. If the caller is someone else, tick the box and save again."
            }
        )
    with transaction.atomic():
        participant = participant_services.participant_create(
            actor=actor, program=program, **participant_fields
        )
        return screening_start(actor=actor, participant=participant, **details)


def screening_update(*, actor: User, screening: Screening, **changes: Any) -> list[str]:
    """Change caller details or intake answers; returns the names of fields that changed."""
    allowed = set(Screening.DETAIL_FIELDS) | set(Screening.CONTEXT_FIELDS)
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"screening_update got unknown fields {sorted(unknown)}")
    _require_open(screening)
    changed = [name for name, value in changes.items() if getattr(screening, name) != value]
    if not changed:
        return []
    with transaction.atomic():
        for name in changed:
            setattr(screening, name, changes[name])
        screening.full_clean()
        screening.save(update_fields=[*changed, "updated_at"])
        _audit(Action.UPDATE, actor, screening, "screening", screening.pk, {"fields": sorted(changed)})
        if set(changed) & set(Screening.CONTEXT_FIELDS):
            screening_alerts_raise(actor=actor, screening=screening)
    return changed


def administration_record(
    *, actor: User, screening: Screening, instrument: str, responses: Any, sex: str | None = None
) -> InstrumentAdministration:
    """Score `responses` with the program's cut-offs and keep answers and score together.

    Raises instruments.ResponseError (naming the item) when the answers cannot be scored.
    """
    _require_open(screening)
    definition = instruments.get(instrument)
    scoring = IntakeSettings.for_program(screening.program).scoring()
    result = definition.score(responses, sex=sex, settings=scoring)
    checked, _ = definition.validate(responses, sex=sex)  # skipped items stored as the 0 they score
    with transaction.atomic():
        administration = InstrumentAdministration(
            participant=screening.participant,
            screening=screening,
            instrument=definition.code,
            responses=checked,
            sex=sex if definition.needs_sex and sex else "",
            total=result.total,
            band=result.band,
            alerts=list(result.alerts),
            scoring_settings=scoring.as_dict(),
            administered_by=actor,
        )
        administration.full_clean()
        administration.save()
        Screening.objects.filter(pk=screening.pk).update(updated_at=timezone.now())
        _audit(
            Action.CREATE,
            actor,
            screening,
            "instrument_administration",
            administration.pk,
            {"instrument": definition.code},
        )
        fresh = Screening.objects.select_related("participant__program").get(pk=screening.pk)
        screening_alerts_raise(actor=actor, screening=fresh)
        same_day_screens_done(actor=actor, administration=administration)
    return administration


def administration_mark_error(
    *, actor: User, administration: InstrumentAdministration, reason: str
) -> InstrumentAdministration:
    if not reason.strip():
        raise ValidationError({"reason": "Say why this was entered in error."})
    if administration.is_entered_in_error:
        raise ValidationError("This administration is already marked entered in error.")
    with transaction.atomic():
        administration.entered_in_error_at = timezone.now()
        administration.entered_in_error_by = actor
        administration.entered_in_error_reason = reason.strip()
        administration.save(
            update_fields=["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason"]
        )
        audit_record(
            action=Action.ENTERED_IN_ERROR,
            actor=actor,
            participant=administration.participant,
            object_type="instrument_administration",
            object_id=str(administration.pk),
            detail={"instrument": administration.instrument},
        )
    return administration


def dimensions_rate(
    *, actor: User, screening: Screening, ratings: dict[int, int], notes: dict[int, str]
) -> list[DimensionRating]:
    """Save the clinician's six ratings (each 0-4) and notes; the rules' suggestion is kept beside each."""
    _require_open(screening)
    if set(ratings) != set(DIMENSIONS):
        raise ValidationError("Rate all six dimensions.")
    if any(not isinstance(r, int) or not 0 <= r <= 4 for r in ratings.values()):
        raise ValidationError("Each rating is a whole number from 0 to 4.")
    suggested = recommendation_for(screening, with_clinician_ratings=False)
    # A rating below the rules' is the clinician's judgement against what was found (a lowered
    # dimension 1 can drop the withdrawal management the findings call for): it is written down.
    lowered = {
        f"notes_{d}": (
            f"You rated dimension {d} {rating}, lower than the rules' {suggested.dimensions[d].rating}: "
            "say why in a sentence in its notes."
        )
        for d, rating in sorted(ratings.items())
        if rating < suggested.dimensions[d].rating and not _is_a_reason(notes.get(d, ""))
    }
    if lowered:
        raise ValidationError(lowered)
    now = timezone.now()
    with transaction.atomic():
        saved = []
        for dimension, rating in sorted(ratings.items()):
            row, _ = DimensionRating.objects.update_or_create(
                screening=screening,
                dimension=dimension,
                defaults={
                    "rating": rating,
                    "suggested_rating": suggested.dimensions[dimension].rating,
                    "notes": notes.get(dimension, "").strip(),
                    "rated_by": actor,
                    "rated_at": now,
                },
            )
            saved.append(row)
        Screening.objects.filter(pk=screening.pk).update(updated_at=now)
        _audit(
            Action.UPDATE,
            actor,
            screening,
            "dimension_ratings",
            screening.pk,
            {"differs_from_rules": [r.dimension for r in saved if r.rating != r.suggested_rating]},
        )
    return saved


def _is_a_reason(text: str) -> bool:
    """At least a few words: "." or "ok" is not a reason."""
    return len(re.findall(r"\w+", text)) >= 3


def placement_decide(
    *,
    actor: User,
    screening: Screening,
    decision: str,
    level: str = "",
    withdrawal_management: str = "",
    reason: str = "",
) -> PlacementDecision:
    """Record the decision on the recommendation shown now (kept whole, with the rules version)."""
    _require_open(screening)
    if screening.status != Screening.Status.IN_PROGRESS:
        raise ValidationError("A decision is already recorded for this screening.")
    recommendation = recommendation_for(screening)
    recommended_wm = recommendation.withdrawal_management or ""
    if decision == PlacementDecision.Decision.ACCEPT:
        level, withdrawal_management, reason = recommendation.level, recommended_wm, reason.strip()
    elif decision == PlacementDecision.Decision.OVERRIDE:
        if level not in LevelOfCare.values:
            raise ValidationError({"level": "Choose the level of care you decided on."})
        if (level, withdrawal_management) == (recommendation.level, recommended_wm):
            raise ValidationError({"level": "That is the recommendation; choose “accept” instead."})
        if not reason.strip():
            raise ValidationError({"reason": "Say why you are overriding the recommendation."})
        reason = reason.strip()
    else:
        raise ValidationError({"decision": "Accept the recommendation or override it."})
    with transaction.atomic():
        record = PlacementDecision(
            screening=screening,
            recommended_level=recommendation.level,
            recommended_withdrawal_management=recommended_wm,
            recommendation=recommendation.as_dict(),
            rules_version=recommendation.rules_version,
            edition=screening.edition,
            decision=decision,
            level=level,
            withdrawal_management=withdrawal_management,
            reason=reason,
            decided_by=actor,
        )
        record.full_clean(exclude=["screening"])
        record.save()
        screening.status = Screening.Status.DECIDED
        screening.save(update_fields=["status", "updated_at"])
        _audit(
            Action.PLACEMENT_DECIDED,
            actor,
            screening,
            "placement_decision",
            record.pk,
            {
                "decision": decision,
                "level": level,
                "recommended_level": recommendation.level,
                "rules_version": recommendation.rules_version,
                "edition": screening.edition,
            },
        )
    return record


def _decided(screening: Screening) -> PlacementDecision:
    decision = PlacementDecision.objects.filter(screening=screening).first()
    if screening.status != Screening.Status.DECIDED or decision is None:
        raise ValidationError("Record the placement decision first.")
    return decision


def screening_admit(
    *,
    actor: User,
    screening: Screening,
    primary_clinician: User,
    admitted_on: date,
    consent_to_treatment_signed_on: date,
) -> EpisodeOfCare:
    """Admit to this program's IOP: an episode at level 2.1, the primary clinician, the consent date.

    Refused, with every reason, while the admission gate (bridge/placement/gate.py) says no: the level
    is not 2.1, withdrawal management of 3.2-WM or more comes first, an act-now alert has no
    disposition, or the minimum assessment set is missing.
    """
    decision = _decided(screening)
    problems = admission_gate(screening, decision)
    if problems:
        raise ValidationError(problems)
    if not primary_clinician.has_role(Role.THERAPIST, screening.program_id):
        raise ValidationError({"primary_clinician": "Choose a therapist of this program."})
    if consent_to_treatment_signed_on > timezone.localdate():
        raise ValidationError({"consent_to_treatment_signed_on": "The consent date cannot be in the future."})
    if consent_to_treatment_signed_on > admitted_on:
        raise ValidationError(
            {"consent_to_treatment_signed_on": "Consent to treatment comes before admission."}
        )
    with transaction.atomic():
        episode = participant_services.episode_open(
            actor=actor,
            participant=screening.participant,
            level_of_care=LevelOfCare.INTENSIVE_OUTPATIENT,
            admitted_on=admitted_on,
            reason="Admission after intake screening",
            consent_to_treatment_signed_on=consent_to_treatment_signed_on,
            edition=decision.edition,
        )
        participant_services.care_team_add(
            actor=actor,
            participant=screening.participant,
            staff=primary_clinician,
            team_role=CareTeamMember.TeamRole.PRIMARY_CLINICIAN,
        )
        # The insurance the intake form asked for becomes the primary coverage (front desk completes it).
        from bridge.billing.services import coverage_from_screening

        coverage_from_screening(actor=actor, screening=screening, admitted_on=admitted_on)
        screening.status = Screening.Status.ADMITTED
        screening.episode = episode
        screening.closed_at = timezone.now()
        screening.save(update_fields=["status", "episode", "closed_at", "updated_at"])
        _audit(
            Action.ADMIT,
            actor,
            screening,
            "screening",
            screening.pk,
            {
                "episode": str(episode.pk),
                "level_of_care": IOP_LEVEL,
                "primary_clinician": str(primary_clinician.pk),
            },
        )
    return episode


def screening_refer(
    *,
    actor: User,
    screening: Screening,
    to_name: str,
    referred_on: date,
    to_contact: str = "",
    notes: str = "",
    level: str | None = None,
    withdrawal_management: str | None = None,
) -> Referral:
    """Refer out to another provider at the decided level (or one given here); the screening closes."""
    decision = _decided(screening)
    if not to_name.strip():
        raise ValidationError({"to_name": "Say where the person is referred to."})
    with transaction.atomic():
        referral = Referral(
            screening=screening,
            participant=screening.participant,
            level=level or decision.level,
            edition=decision.edition,
            withdrawal_management=decision.withdrawal_management
            if withdrawal_management is None
            else withdrawal_management,
            to_name=to_name.strip(),
            to_contact=to_contact.strip(),
            notes=notes.strip(),
            referred_on=referred_on,
            referred_by=actor,
        )
        referral.full_clean(exclude=["screening"])
        referral.save()
        screening.status = Screening.Status.REFERRED
        screening.closed_at = timezone.now()
        screening.save(update_fields=["status", "closed_at", "updated_at"])
        participant = screening.participant
        participant.status = S.REFERRED
        participant.save(update_fields=["status", "updated_at"])
        _audit(
            Action.REFER_OUT,
            actor,
            screening,
            "referral",
            referral.pk,
            {
                "level": referral.level,
                "withdrawal_management": referral.withdrawal_management,
                "edition": referral.edition,
            },
        )
    return referral


def withdrawal_management_complete(
    *, actor: User, screening: Screening, completed_on: date, where: str, note: str = ""
) -> Screening:
    """A prescriber records that the decided withdrawal management is complete.

    The decided screening closes as "reassessed" and a new screening opens that follows it, with the
    caller's details and situation answers carried over, so a new placement decision is made on how
    the person is now (instruments are given again; the DSM-5 diagnosis made before still stands).
    Returns the new screening.
    """
    from bridge.clinical.services.common import can_prescribe

    decision = _decided(screening)
    if not can_prescribe(actor, screening.program_id):
        raise ValidationError(
            "A prescriber with a current license records that withdrawal management is complete."
        )
    if not decision.withdrawal_management:
        raise ValidationError("The decision called for no withdrawal management.")
    errors = {}
    if completed_on > timezone.localdate():
        errors["completed_on"] = "The completion date cannot be in the future."
    elif completed_on < decision.decided_at.date() - timedelta(days=1):
        errors["completed_on"] = "Withdrawal management is completed after the decision that called for it."
    if not where.strip():
        errors["where"] = "Say where (or how) withdrawal management was done."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = WithdrawalManagementCompletion(
            screening=screening,
            withdrawal_management=decision.withdrawal_management,
            completed_on=completed_on,
            where=where.strip(),
            note=note.strip(),
            recorded_by=actor,
        )
        record.full_clean()
        record.save()
        screening.status = Screening.Status.REASSESSED
        screening.closed_at = timezone.now()
        screening.save(update_fields=["status", "closed_at", "updated_at"])
        _audit(
            Action.UPDATE,
            actor,
            screening,
            "withdrawal_management_completion",
            record.pk,
            {"withdrawal_management": decision.withdrawal_management},
        )
        carried = {
            name: getattr(screening, name) for name in (*Screening.DETAIL_FIELDS, *Screening.CONTEXT_FIELDS)
        }
        follow_up = Screening(
            participant=screening.participant,
            program=screening.program,
            started_by=actor,
            edition=edition_for(screening.program),
            follows=screening,
            **carried,
        )
        follow_up.notes = (
            f"{screening.notes}\n" if screening.notes else ""
        ) + f"Reassessment after {decision.withdrawal_management} completed on {completed_on:%Y-%m-%d}."
        follow_up.full_clean()
        follow_up.save()
        _audit(Action.CREATE, actor, follow_up, "screening", follow_up.pk, {"follows": str(screening.pk)})
    return follow_up


HANDOFF_KIND = "prescriber_handoff"
HANDOFF_REASONS = {
    "induction": "Start buprenorphine induction alongside IOP",
    "wm_complete": "Record that withdrawal management is complete, so a new placement decision is made",
    "wm_plan": "Plan the withdrawal management the decision calls for",
    "medication": "Medication review at intake",
}


def prescribers_for(program) -> list[User]:
    """The program's prescribers with a current license (who may take a hand-off)."""
    from bridge.clinical.services.common import can_prescribe

    people = (
        User.objects.filter(is_active=True, roles__program=program, roles__role=Role.PRESCRIBER)
        .distinct()
        .order_by("last_name", "username")
    )
    return [u for u in people if can_prescribe(u, program.pk)]


def screening_hand_to_prescriber(
    *, actor: User, screening: Screening, prescriber: User, why: str, note: str = ""
):
    """Hand the person to a prescriber for what only a prescriber may do: start buprenorphine induction
    alongside IOP, record that withdrawal management is complete (which asks for a new decision), plan
    the withdrawal management the decision calls for, or review medication.

    Puts the prescriber on the person's care team (as prescriber) when they are not on it yet — that
    is what lets them open the screening — opens a work item on their list (due today; the same
    hand-off for the same reason is never opened twice while open), notifies them (no name, nothing
    clinical: only where to look), and records it in the audit log. Returns the work item.
    """
    from bridge.clinical.services.common import can_prescribe
    from bridge.notify.staff import staff_notify
    from bridge.worklist.services import work_item_open

    if why not in HANDOFF_REASONS:
        raise ValidationError({"why": "Choose what the prescriber is asked to do."})
    if prescriber is None or not can_prescribe(prescriber, screening.program_id):
        raise ValidationError({"prescriber": "Choose a prescriber of this program with a current license."})
    if not screening.is_open:
        raise ValidationError("This screening is finished; hand-offs belong to an open or decided screening.")
    decision = getattr(screening, "decision", None)
    if why == "wm_complete" and (decision is None or not decision.withdrawal_management):
        raise ValidationError({"why": "The decision calls for no withdrawal management to complete."})
    participant = screening.participant
    title = f"Prescriber: {HANDOFF_REASONS[why]}"
    detail = (note.strip() + "\n" if note.strip() else "") + (
        f"Handed over by {actor.get_full_name() or actor.username} from the intake screening."
    )
    with transaction.atomic():
        on_team = CareTeamMember.objects.filter(
            participant=participant, staff=prescriber, ended_at__isnull=True
        )
        if not on_team.exists():
            participant_services.care_team_add(
                actor=actor,
                participant=participant,
                staff=prescriber,
                team_role=CareTeamMember.TeamRole.PRESCRIBER,
            )
        item = work_item_open(
            participant=participant,
            assigned_to=prescriber,
            kind=HANDOFF_KIND,
            title=title[:200],
            detail=detail[:4000],
            due_on=timezone.localdate(),
            source_type="screening",
            source_id=f"{screening.pk.hex}/{why}/{prescriber.pk.hex}",  # within the 80 characters
            actor=actor,
            urgent=why == "induction",
        )
        from django.conf import settings
        from django.urls import reverse

        base = getattr(settings, "BRIDGE_BASE_URL", "") or ""
        staff_notify(
            recipients=[prescriber],
            subject="Bridge: an intake is handed to you",
            body=(
                "An intake screening on your Bridge work list needs a prescriber today. "
                f"Open it: {base}{reverse('intake:screening', args=[participant.pk])}"
            ),
            about_type="work_item",
            about_id=str(item.pk),
        )
        _audit(
            Action.CREATE,
            actor,
            screening,
            "prescriber_handoff",
            item.pk,
            {"why": why, "prescriber": str(prescriber.pk)},
        )
    return item


def criteria_edition_set(
    *, actor: User, program: Program, edition: str, effective_on: date, payer_rule=None
) -> CriteriaEditionSetting:
    """From `effective_on`, `program` (or, with `payer_rule`, that payer) uses `edition`."""
    if edition not in ("3", "4"):
        raise ValidationError({"edition": "Choose the 3rd or the 4th edition."})
    if payer_rule is not None and payer_rule.program_id != program.pk:
        raise ValidationError({"payer_rule": "That payer belongs to another program."})
    with transaction.atomic():
        row = CriteriaEditionSetting.objects.filter(
            program=program, payer_rule=payer_rule, effective_on=effective_on
        ).first() or CriteriaEditionSetting(program=program, payer_rule=payer_rule, effective_on=effective_on)
        row.edition, row.set_by, row.set_at = edition, actor, timezone.now()
        row.full_clean()
        row.save()
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            object_type="criteria_edition",
            object_id=str(row.pk),
            detail={
                "program": str(program.pk),
                "payer_rule": str(payer_rule.pk) if payer_rule else None,
                "edition": edition,
                "effective_on": effective_on,
            },
        )
    return row


def intake_settings_update(*, actor: User, program: Program, **values: Any) -> IntakeSettings:
    unknown = set(values) - set(IntakeSettings.SCORING_FIELDS)
    if unknown:
        raise TypeError(f"intake_settings_update got unknown fields {sorted(unknown)}")
    with transaction.atomic():
        row = IntakeSettings.objects.select_for_update().filter(program=program).first() or IntakeSettings(
            program=program
        )
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        for name in changed:
            setattr(row, name, values[name])
        row.updated_by = actor
        row.full_clean()
        row.scoring()  # the pure module agrees the combination is valid
        row.save()
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            object_type="intake_settings",
            object_id=str(row.pk),
            detail={"program": str(program.pk), "fields": sorted(changed)},
        )
    return row
