"""Reads used by more than one intake view."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from bridge.instruments import ScoreResult
from bridge.intake.models import DimensionRating, InstrumentAdministration, IntakeSettings, Screening
from bridge.participants.models import Participant
from bridge.placement import Recommendation, recommend

WAITING_STATUSES = (Participant.Status.PROSPECT, Participant.Status.SCREENING)


def current_administrations(screening: Screening) -> list[InstrumentAdministration]:
    """The latest valid administration of each instrument in this screening (uses a prefetch if present)."""
    rows = [a for a in screening.administrations.all() if a.entered_in_error_at is None]
    latest: dict[str, InstrumentAdministration] = {}
    for row in sorted(rows, key=lambda a: a.administered_at):
        latest[row.instrument] = row
    return sorted(latest.values(), key=lambda a: a.administered_at)


def recommendation_for(screening: Screening, *, with_clinician_ratings: bool = True) -> Recommendation:
    current = current_administrations(screening)
    results: dict[str, ScoreResult] = {a.instrument: a.result() for a in current}
    ratings = (
        {r.dimension: r.rating for r in screening.dimension_ratings.all()} if with_clinician_ratings else {}
    )
    dsm5 = next((a.responses for a in current if a.instrument == "DSM-5-SUD"), None)
    return recommend(
        age=screening.participant.age_on(timezone.localdate()),
        results=results,
        context=screening.context(),
        clinician_ratings=ratings,
        edition=screening.edition,
        dsm5_substance=dsm5.get("substance_class") if isinstance(dsm5, dict) else None,
    )


def screening_for_page(screening_id, participant: Participant) -> Screening | None:
    return (
        Screening.objects.filter(pk=screening_id, participant=participant)
        .select_related("participant", "program", "decision", "referral", "episode")
        .prefetch_related(
            Prefetch(
                "administrations",
                queryset=InstrumentAdministration.objects.select_related("administered_by").order_by(
                    "-administered_at"
                ),
            ),
            Prefetch("dimension_ratings", queryset=DimensionRating.objects.order_by("dimension")),
        )
        .first()
    )


def intake_queue(user) -> QuerySet[Participant]:
    """Prospects and people in screening this user may see, longest waiting first.

    Each carries `.open_screenings` (0 or 1) with `instrument_count` and its decision, in a fixed
    number of queries however long the list.
    """
    open_screenings = (
        Screening.objects.filter(status__in=Screening.OPEN_STATUSES)
        .select_related("decision")
        .defer("decision__recommendation")  # the whole recommendation is for the decision page
        .annotate(
            instrument_count=Count(
                "administrations", filter=Q(administrations__entered_in_error_at__isnull=True)
            )
        )
    )
    from bridge.safety.models import SafetySignal

    urgent = SafetySignal.objects.filter(participant=OuterRef("pk"), status="open", urgency="now")
    return (
        Participant.objects.visible_to(user)
        .filter(status__in=WAITING_STATUSES)
        .select_related("program")
        .prefetch_related(Prefetch("screenings", queryset=open_screenings, to_attr="open_screenings"))
        # An open act-now safety signal (e.g. a self-check suicide answer) puts the lead on top,
        # with the time the call-back is due.
        .annotate(
            urgent=Exists(urgent),
            urgent_due_by=Subquery(urgent.order_by("due_by").values("due_by")[:1]),
            urgent_title=Subquery(urgent.order_by("due_by").values("title")[:1]),
        )
        .order_by("-urgent", "urgent_due_by", "created_at", "id")
    )


def settings_for(program) -> IntakeSettings:
    return IntakeSettings.for_program(program)
