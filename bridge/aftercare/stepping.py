"""Step-down (a taper of weekly floors) and step-up (the placement re-run, then a more intensive
level), each in one transaction with its audit event. The level history is never rewritten."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.accounts.models import User
from bridge.aftercare.models import Reassessment, TaperPlan
from bridge.aftercare.services import INTENSITY, _audit, active_episode
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.participants import services as participant_services
from bridge.participants.models import EpisodeOfCare, Participant
from bridge.placement import editions
from bridge.scheduling.models import SeriesMembership

S = Participant.Status


MAX_TAPER_WEEKS = 12


def taper_start(
    *,
    actor: User,
    participant: Participant,
    starts_on: date,
    weekly_hours: list[float],
    series=None,
    reason: str = "",
    level_of_care: str = "",
) -> TaperPlan:
    """Begin a step-down: weekly floors for the coming weeks while the person stays in a continuing group.

    With `level_of_care` (a less intensive level of the episode's edition, e.g. 2.1 → 1) the new level
    is recorded on the episode from the first taper week, with the reason; without it the level stays
    (a short taper may still count as IOP).
    """
    episode = active_episode(participant)
    if episode is None:
        raise ValidationError({"starts_on": "A step-down needs an active episode of care."})
    if participant.status == S.ON_HOLD:
        raise ValidationError({"starts_on": "They are on hold: record their return first."})
    if level_of_care:
        edition = editions.edition(episode.edition)
        current = episode.level_of_care
        if level_of_care not in edition.level_order or not edition.above(current, level_of_care):
            raise ValidationError(
                {"level_of_care": f"A step-down goes to a less intensive level than now ({current})."}
            )
        if not reason.strip():
            raise ValidationError({"reason": "Say why the level of care goes down."})
    if starts_on.weekday() != 0:
        raise ValidationError({"starts_on": "A taper week starts on a Monday."})
    if starts_on < episode.admitted_on:
        raise ValidationError({"starts_on": "The taper cannot start before admission."})
    if not weekly_hours or len(weekly_hours) > MAX_TAPER_WEEKS:
        raise ValidationError({"weekly_hours": f"Give between 1 and {MAX_TAPER_WEEKS} weekly floors."})
    if any(h <= 0 or h > 20 for h in weekly_hours):
        raise ValidationError({"weekly_hours": "Each weekly floor is more than 0 and at most 20 hours."})
    if any(b > a for a, b in pairwise(weekly_hours)):
        raise ValidationError(
            {"weekly_hours": "A taper lowers the hours: each week at most the week before."}
        )
    if (
        series is not None
        and not SeriesMembership.objects.filter(
            series=series, participant=participant, status=SeriesMembership.Status.ACTIVE
        ).exists()
    ):
        raise ValidationError({"series": "Choose a group the participant is a member of."})
    if TaperPlan.objects.filter(participant=participant, ended_on__isnull=True).exists():
        raise ValidationError({"starts_on": "A taper is already under way; end it first."})
    with transaction.atomic():
        taper = TaperPlan(
            participant=participant,
            episode=episode,
            series=series,
            starts_on=starts_on,
            weekly_minutes=[round(h * 60) for h in weekly_hours],
            reason=reason.strip(),
            created_by=actor,
        )
        taper.full_clean()
        taper.save()
        if level_of_care:
            participant_services.episode_change_level(
                actor=actor,
                episode=episode,
                level_of_care=level_of_care,
                effective_on=starts_on,
                reason=reason,
            )
        participant.status = S.STEP_DOWN
        participant.save(update_fields=["status", "updated_at"])
        _audit(
            Action.STEP_DOWN,
            actor=actor,
            participant=participant,
            obj=taper,
            detail={
                "starts_on": starts_on,
                "weekly_minutes": taper.weekly_minutes,
                "level_of_care": level_of_care or episode.level_of_care,
            },
        )
    return taper


def taper_end(*, actor: User, taper: TaperPlan, ended_on: date) -> TaperPlan:
    if taper.ended_on is not None:
        raise ValidationError("This taper has already ended.")
    if ended_on < taper.starts_on:
        raise ValidationError({"ended_on": "A taper ends after it starts."})
    with transaction.atomic():
        taper.ended_on = ended_on
        taper.save(update_fields=["ended_on"])
        _audit(
            Action.UPDATE,
            actor=actor,
            participant=taper.participant,
            obj=taper,
            detail={"ended_on": ended_on},
        )
    return taper


def latest_ratings(participant: Participant) -> dict[int, int]:
    """The six ratings of the participant's latest placement (intake), to start a reassessment from."""
    from bridge.intake.models import DimensionRating

    found: dict[int, int] = {}
    for r in DimensionRating.objects.filter(screening__participant=participant).order_by("rated_at"):
        found[r.dimension] = r.rating
    return found


def reassessment_recommend(participant: Participant, ratings: dict[int, int], edition: str | None = None):
    """Re-run the placement rules with today's six ratings, the latest instrument scores and the
    intake's situation answers (bridge/placement: the same rules that placed the person at intake)."""
    from bridge.intake.models import InstrumentAdministration, Screening
    from bridge.placement.context import Context
    from bridge.placement.engine import recommend

    results = {}
    for a in InstrumentAdministration.objects.filter(
        participant=participant, entered_in_error_at__isnull=True
    ).order_by("administered_at"):
        results[a.instrument] = a.result()
    screening = Screening.objects.filter(participant=participant).order_by("-started_at").first()
    if edition is None:
        episode = active_episode(participant)
        edition = episode.edition if episode is not None else "3"
    dsm5 = next(
        (
            a.responses.get("substance_class")
            for a in InstrumentAdministration.objects.filter(
                participant=participant, instrument="DSM-5-SUD", entered_in_error_at__isnull=True
            ).order_by("-administered_at")[:1]
            if isinstance(a.responses, dict)
        ),
        None,
    )
    return recommend(
        age=participant.age_on(timezone.localdate()),
        results=results,
        context=screening.context() if screening else Context(),
        clinician_ratings=ratings,
        edition=edition,
        dsm5_substance=dsm5,
    )


def step_up(
    *,
    actor: User,
    participant: Participant,
    level_of_care: str,
    effective_on: date,
    reason: str,
    ratings: dict[int, int] | None = None,
) -> EpisodeOfCare:
    """Move to a more intensive level within the active episode; the level history stays whole.

    With `ratings` (the six dimensions rated now) the placement assessment is re-run and kept as a
    Reassessment beside the decision. A taper under way ends the day before. Someone already
    discharged comes back through intake (a new screening, a new episode: a re-admission).
    """
    episode = active_episode(participant)
    if episode is None:
        raise ValidationError(
            {"level_of_care": "There is no active episode: re-admission starts with an intake screening."}
        )
    if participant.status == S.ON_HOLD:
        raise ValidationError({"level_of_care": "They are on hold: record their return first."})
    if level_of_care not in INTENSITY:
        raise ValidationError({"level_of_care": "Choose a level of care."})
    current = episode.level_on(effective_on)
    taper = TaperPlan.objects.filter(participant=participant, ended_on__isnull=True).first()
    if INTENSITY[level_of_care] < INTENSITY[current] or (
        INTENSITY[level_of_care] == INTENSITY[current] and taper is None
    ):
        raise ValidationError({"level_of_care": f"A step-up goes above the current level ({current})."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why (check-ins, screens or measures that show trouble)."})
    if ratings is not None and (
        set(ratings) != set(range(1, 7)) or not all(0 <= int(v) <= 4 for v in ratings.values())
    ):
        raise ValidationError({"ratings": "Rate each of the six dimensions 0 to 4."})
    with transaction.atomic():
        if ratings is not None:
            recommendation = reassessment_recommend(participant, ratings, episode.edition)
            reassessment = Reassessment(
                edition=episode.edition,
                participant=participant,
                episode=episode,
                ratings={str(k): int(v) for k, v in sorted(ratings.items())},
                recommended_level=recommendation.level,
                recommendation=recommendation.as_dict(),
                rules_version=recommendation.rules_version,
                level=level_of_care,
                reason=reason.strip(),
                decided_by=actor,
            )
            reassessment.full_clean()
            reassessment.save()
            _audit(
                Action.PLACEMENT_DECIDED,
                actor=actor,
                participant=participant,
                obj=reassessment,
                detail={"recommended_level": recommendation.level, "level": level_of_care},
            )
        if level_of_care != current:
            participant_services.episode_change_level(
                actor=actor,
                episode=episode,
                level_of_care=level_of_care,
                effective_on=effective_on,
                reason=reason,
            )
        if taper is not None:
            taper.ended_on = max(taper.starts_on, effective_on - timedelta(days=1))
            taper.save(update_fields=["ended_on"])
        participant.status = S.ACTIVE
        participant.save(update_fields=["status", "updated_at"])
        audit_record(
            action=Action.STEP_UP,
            actor=actor,
            participant=participant,
            object_type="episodeofcare",
            object_id=str(episode.pk),
            detail={"from": current, "to": level_of_care, "effective_on": effective_on},
        )
    return episode
