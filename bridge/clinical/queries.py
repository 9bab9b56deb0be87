"""Reads of the clinical record used by more than one view: each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from bridge.clinical.models import (
    Addendum,
    DrugScreen,
    Goal,
    GroupNoteEntry,
    Intervention,
    MedicationOrder,
    Note,
    Objective,
    PlanVersion,
    Problem,
    TreatmentPlan,
)
from bridge.participants.models import EpisodeOfCare, Participant
from bridge.scheduling.models import Attendance

if TYPE_CHECKING:
    from typing import TypeAlias, TypedDict

    from django_stubs_ext import WithAnnotations

    class _OwnEntries(TypedDict):
        my_entries: list[GroupNoteEntry]

    # A note as a participant's chart reads it (`notes_for`): with their own group-note entries.
    ChartNote: TypeAlias = WithAnnotations[Note, _OwnEntries]


@dataclass
class GoalNode:
    goal: Goal
    objectives: list[Objective] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)


@dataclass
class ProblemNode:
    problem: Problem
    goals: list[GoalNode] = field(default_factory=list)


def version_tree(version: PlanVersion) -> list[ProblemNode]:
    """Problems -> goals -> objectives and interventions of one version, in four queries."""
    problems = {p.pk: ProblemNode(p) for p in Problem.objects.filter(version=version)}
    goals = {}
    for g in Goal.objects.filter(version=version):
        goals[g.pk] = GoalNode(g)
        problems[g.problem_id].goals.append(goals[g.pk])
    for o in Objective.objects.filter(version=version):
        goals[o.goal_id].objectives.append(o)
    for i in Intervention.objects.filter(version=version).select_related("responsible"):
        goals[i.goal_id].interventions.append(i)
    return list(problems.values())


def plan_for(participant: Participant) -> TreatmentPlan | None:
    """The plan of the active episode, else of the most recent episode."""
    return (
        TreatmentPlan.objects.filter(participant=participant)
        .select_related("episode", "review_policy", "current_version")
        .order_by("-episode__status", "-episode__admitted_on")  # "active" sorts after "finished"
        .first()
    )


def current_goals(participant: Participant) -> QuerySet[Goal]:
    """Goals of the plan version in force for the participant's active episode (what notes link to)."""
    return Goal.objects.filter(
        version__plan__participant=participant,
        version__plan__episode__status=EpisodeOfCare.Status.ACTIVE,
        version__plan__current_version=F("version"),
    ).order_by("position")


def notes_for(participant: Participant) -> QuerySet[ChartNote]:
    """Every note in the participant's chart: their own notes and the group notes they have a part in.

    Each group note carries `my_entries` (only this participant's part); nothing
    about other group members is loaded.
    """
    return (
        # A subquery rather than a join: no DISTINCT needed, and each side uses its own index.
        Note.objects.filter(
            Q(participant=participant)
            | Q(pk__in=GroupNoteEntry.objects.filter(participant=participant).values("note_id"))
        )
        .select_related("session", "author", "cosigned_by")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=GroupNoteEntry.objects.filter(participant=participant),
                to_attr="my_entries",
            ),
        )
        .order_by("-session__starts_at", "-created_at")
    )


def addenda_visible(note: Note, participant: Participant) -> list[Addendum]:
    """Addenda a participant's chart shows: the note's own; for a group note the shared ones and theirs."""
    qs = note.addenda.select_related("author")
    if note.is_group:
        qs = qs.filter(Q(entry__isnull=True) | Q(entry__participant=participant))
    return list(qs)


def attendance_for(note: Note, participant: Participant) -> Attendance | None:
    return Attendance.objects.filter(session_id=note.session_id, participant=participant).first()


def days_since_unexpected(
    participant: Participant, today: date | None = None
) -> tuple[int | None, DrugScreen | None]:
    today = today or timezone.localdate()
    last = (
        DrugScreen.objects.filter(participant=participant, unexpected_positive=True, error_at__isnull=True)
        .order_by("-collected_on")
        .first()
    )
    return ((today - last.collected_on).days, last) if last else (None, None)


def screens_with_results(participant: Participant, limit: int | None = None) -> list[DrugScreen]:
    qs = (
        DrugScreen.objects.filter(participant=participant)
        .prefetch_related("results")
        .order_by("-collected_on", "-recorded_at")
    )
    return list(qs[:limit] if limit else qs)


def active_orders(participant: Participant) -> QuerySet[MedicationOrder]:
    return MedicationOrder.objects.filter(participant=participant, stop_on__isnull=True).select_related(
        "prescriber"
    )


def due_soon(day: date, within: int = 7) -> Q:
    return Q(next_due_on__lte=day + timedelta(days=within))


@dataclass
class ChartSummary:
    """Everything the chart's sections show, read in a fixed number of queries."""

    episode: EpisodeOfCare | None
    plan: TreatmentPlan | None
    goals: list[Goal]
    recent_notes: list[Note]
    active_orders: list[MedicationOrder]
    last_doses: dict
    otp: object | None
    recent_screens: list[DrugScreen]
    days_since_unexpected: int | None
    open_reviews: list
    alerts: list[str] = field(default_factory=list)


CHART_NOTES = 5
CHART_SCREENS = 5


def chart_summary(participant: Participant) -> ChartSummary:
    from bridge.clinical.models import Administration, OtpEnrollment
    from bridge.clinical.services.screens import UDS_REVIEW
    from bridge.worklist.models import WorkItem

    today = timezone.localdate()
    episode = (
        EpisodeOfCare.objects.filter(participant=participant)
        .prefetch_related("level_changes")
        .order_by("-status", "-admitted_on")  # the active one first
        .first()
    )
    plan = plan_for(participant)
    goals: list[Goal] = []
    if plan is not None and plan.current_version_id:
        goals = list(Goal.objects.filter(version_id=plan.current_version_id).prefetch_related("objectives"))
    orders = list(active_orders(participant))
    injectable = [o.pk for o in orders if o.spec.injectable]
    last_doses: dict = {}
    if injectable:
        for dose in Administration.objects.filter(order_id__in=injectable, error_at__isnull=True).order_by(
            "given_at"
        ):
            last_doses[dose.order_id] = dose
    for o in orders:
        o.last_dose = last_doses.get(o.pk)
    screens = screens_with_results(participant, CHART_SCREENS)
    days, _ = days_since_unexpected(participant, today)
    reviews = list(
        WorkItem.objects.filter(
            participant=participant, kind=UDS_REVIEW, status=WorkItem.Status.OPEN
        ).select_related("assigned_to")
    )
    summary = ChartSummary(
        episode=episode,
        plan=plan,
        goals=goals,
        recent_notes=list(notes_for(participant)[:CHART_NOTES]),
        active_orders=orders,
        last_doses=last_doses,
        otp=OtpEnrollment.objects.filter(participant=participant, ended_on__isnull=True).first(),
        recent_screens=[s for s in screens if not s.error_at],
        days_since_unexpected=days,
        open_reviews=reviews,
    )
    summary.alerts = _alerts(episode, plan, reviews, orders, today)
    return summary


def _alerts(episode, plan, reviews: list, orders: list, today: date) -> list[str]:
    alerts = []
    if plan is not None and plan.review_state == "overdue":
        alerts.append(f"The treatment plan review was due {plan.next_review_on:%b %d, %Y}.")
    if (
        episode is not None
        and episode.status == EpisodeOfCare.Status.ACTIVE
        and (plan is None or not plan.current_version_id)
    ):
        alerts.append("No signed treatment plan for the current episode of care.")
    for item in reviews:
        alerts.append(f"{item.title} (for {item.assigned_to}).")
    for o in orders:
        if o.spec.injectable and o.last_dose and o.last_dose.next_due_on and o.last_dose.next_due_on < today:
            alerts.append(f"{o.get_drug_display()} injection overdue since {o.last_dose.next_due_on:%b %d}.")
    return alerts


def chart_alerts(participant: Participant) -> list[str]:
    """The chart's "Needs attention" lines alone (the same as `chart_summary(...).alerts`), for the
        first paint of the participant page: three queries with a signed plan (one more without, one more
    with an injectable order)."""
    from bridge.clinical.models import Administration
    from bridge.clinical.services.screens import UDS_REVIEW
    from bridge.worklist.models import WorkItem

    today = timezone.localdate()
    plan = plan_for(participant)
    # The episode matters only without a signed plan ("No signed treatment plan for the current…").
    episode = (
        EpisodeOfCare.objects.filter(participant=participant).order_by("-status", "-admitted_on").first()
        if plan is None or not plan.current_version_id
        else None
    )
    orders = list(active_orders(participant))
    injectable = [o.pk for o in orders if o.spec.injectable]
    last_doses: dict = {}
    if injectable:
        for dose in Administration.objects.filter(order_id__in=injectable, error_at__isnull=True).order_by(
            "given_at"
        ):
            last_doses[dose.order_id] = dose
    for o in orders:
        o.last_dose = last_doses.get(o.pk)
    reviews = list(
        WorkItem.objects.filter(
            participant=participant, kind=UDS_REVIEW, status=WorkItem.Status.OPEN
        ).select_related("assigned_to")
    )
    return _alerts(episode, plan, reviews, orders, today)


def has_opioid_use_disorder(participant: Participant) -> bool:
    """DSM-5 criteria met for an opioid use disorder, or medication for one (buprenorphine, methadone)."""
    from bridge.clinical.medication import OPIOID_AGONISTS
    from bridge.clinical.models import MedicationOrder, OtpEnrollment
    from bridge.intake.models import InstrumentAdministration

    if InstrumentAdministration.objects.filter(
        participant=participant,
        instrument="DSM-5-SUD",
        entered_in_error_at__isnull=True,
        responses__substance_class="opioid",
        band__in=["mild", "moderate", "severe"],
    ).exists():
        return True
    return (
        MedicationOrder.objects.filter(participant=participant, drug__in=OPIOID_AGONISTS).exists()
        or OtpEnrollment.objects.filter(participant=participant).exists()
    )
