"""Home-page panels: plan reviews due, my unsigned notes, notes to co-sign, injections due."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from bridge.accounts.models import Role
from bridge.clinical import cadence
from bridge.clinical.models import Administration, MedicationOrder, Note, TreatmentPlan
from bridge.clinical.services.common import can_cosign
from bridge.core.panels import Panel
from bridge.participants.models import CareTeamMember, EpisodeOfCare

UNSIGNED_HOURS = 24
CLINICAL_ROLES = {Role.DIRECTOR, Role.INTAKE, Role.THERAPIST, Role.PRESCRIBER, Role.NURSE}
INJECTION_ROLES = {Role.NURSE, Role.PRESCRIBER}
LIMIT = 50


def _primary_of(user) -> Q:
    return Q(
        participant__care_team__staff=user,
        participant__care_team__team_role=CareTeamMember.TeamRole.PRIMARY_CLINICIAN,
        participant__care_team__ended_at__isnull=True,
    )


def reviews_for(user, today):
    """My primary participants in an active episode whose plan is missing, unsigned, due or overdue."""
    soon = today + timedelta(days=cadence.DUE_SOON_DAYS)
    plans = list(
        TreatmentPlan.objects.filter(_primary_of(user), episode__status=EpisodeOfCare.Status.ACTIVE)
        .filter(Q(next_review_on__lte=soon) | Q(current_version__isnull=True))
        .select_related("participant")
        .order_by("next_review_on")[:LIMIT]
    )
    unplanned = list(
        EpisodeOfCare.objects.filter(
            _primary_of(user), status=EpisodeOfCare.Status.ACTIVE, treatment_plan__isnull=True
        )
        .select_related("participant")
        .order_by("admitted_on")[:LIMIT]
    )
    return plans, unplanned


def panels(request) -> list[Panel]:
    user = request.user
    roles = user.role_names()
    if not roles & CLINICAL_ROLES:
        return []
    today = timezone.localdate()
    now = timezone.now()
    found: list[Panel] = []
    plans, unplanned = reviews_for(user, today)
    if plans or unplanned:
        found.append(Panel("clinical/panels/reviews.html", {"plans": plans, "unplanned": unplanned}, order=4))
    drafts = list(
        Note.objects.filter(author=user, signed_at__isnull=True, error_at__isnull=True)
        .select_related("participant", "session")
        .order_by("session__starts_at")[:LIMIT]
    )
    if drafts:
        stale = now - timedelta(hours=UNSIGNED_HOURS)
        found.append(Panel("clinical/panels/drafts.html", {"drafts": drafts, "stale": stale}, order=5))
    supervised = [pid for pid in user.programs_with_role(Role.DIRECTOR) if can_cosign(user, pid, today)]
    if supervised:
        awaiting = list(
            Note.objects.filter(
                program_id__in=supervised,
                cosign_required=True,
                cosigned_at__isnull=True,
                error_at__isnull=True,
            )
            .exclude(author=user)
            .select_related("participant", "session", "author")
            .order_by("signed_at")[:LIMIT]
        )
        overdue = list(
            Note.objects.filter(
                program_id__in=supervised,
                signed_at__isnull=True,
                error_at__isnull=True,
                created_at__lt=now - timedelta(hours=UNSIGNED_HOURS),
            )
            .exclude(author=user)
            .select_related("participant", "session", "author")
            .order_by("created_at")[:LIMIT]
        )
        if awaiting or overdue:
            found.append(
                Panel("clinical/panels/supervision.html", {"awaiting": awaiting, "overdue": overdue}, order=6)
            )
    if Role.PRESCRIBER in roles:
        caseload = medication_caseload(user)
        if caseload:
            found.append(
                Panel("clinical/panels/medication_caseload.html", {"rows": caseload, "today": today}, order=6)
            )
    if roles & INJECTION_ROLES:
        due = injections_due(user, today)
        if due:
            found.append(Panel("clinical/panels/injections.html", {"due": due, "today": today}, order=7))
    return found


def injections_due(user, today, within: int = 7):
    """Active injectable orders of my participants whose next dose is due within a week (or never given)."""
    from bridge.clinical.medication import DRUGS

    injectable = [code for code, d in DRUGS.items() if d.injectable]
    orders = list(
        MedicationOrder.objects.filter(
            drug__in=injectable,
            stop_on__isnull=True,
            participant__care_team__staff=user,
            participant__care_team__ended_at__isnull=True,
        )
        .select_related("participant")
        .distinct()[:200]
    )
    last = {}
    for dose in Administration.objects.filter(order__in=orders, error_at__isnull=True).order_by("given_at"):
        last[dose.order_id] = dose
    due = []
    for o in orders:
        latest = last.get(o.pk)
        next_on = latest.next_due_on if latest else o.start_on
        if next_on is None or next_on <= today + timedelta(days=within):
            due.append((next_on, o))
    return sorted(due, key=lambda pair: (pair[0] or today, pair[1].participant.last_name))[:LIMIT]


def medication_caseload(user, limit: int = LIMIT) -> list:
    """The prescriber's caseload at a glance: each participant in care on their team with active
    orders, next injection due, last PDMP check, last drug screen and whether naloxone was offered.

    Three queries whatever the caseload's size (participants with annotations, their active orders
    with the next injection due, nothing else): the home page stays fast.
    """
    from django.db.models import Exists, Max, OuterRef, Subquery

    from bridge.clinical.models import DrugScreen, NaloxoneOffer
    from bridge.participants.models import Participant

    last_screen = DrugScreen.objects.filter(participant=OuterRef("pk"), error_at__isnull=True).order_by(
        "-collected_on", "-recorded_at"
    )
    participants = list(
        Participant.objects.filter(
            care_team__staff=user,
            care_team__ended_at__isnull=True,
            status__in=[Participant.Status.ACTIVE, Participant.Status.STEP_DOWN, Participant.Status.ON_HOLD],
        )
        .annotate(
            last_pdmp=Max("medication_orders__pdmp_checked_at"),
            last_screen_on=Subquery(last_screen.values("collected_on")[:1]),
            last_screen_unexpected=Subquery(last_screen.values("unexpected_positive")[:1]),
            last_screen_negative=Subquery(last_screen.values("unexpected_negative")[:1]),
            naloxone_offered=Exists(NaloxoneOffer.objects.filter(participant=OuterRef("pk"))),
        )
        .distinct()
        .order_by("last_name", "first_name")[:limit]
    )
    next_due = (
        Administration.objects.filter(order=OuterRef("pk"), error_at__isnull=True)
        .order_by("-given_at")
        .values("next_due_on")[:1]
    )
    orders: dict = {}
    for order in (
        MedicationOrder.objects.filter(participant__in=participants, stop_on__isnull=True)
        .annotate(next_due_on=Subquery(next_due))
        .order_by("drug")
    ):
        orders.setdefault(order.participant_id, []).append(order)
    rows = []
    for p in participants:
        active = orders.get(p.pk, [])
        injections = [o.next_due_on or o.start_on for o in active if o.spec.injectable]
        rows.append(
            {"participant": p, "orders": active, "next_injection": min(injections) if injections else None}
        )
    return rows
