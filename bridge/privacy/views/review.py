"""Access review for auditors: who opened this chart, what this user opened, break-the-glass, disclosures.

Views over the tamper-evident audit log and the privacy tables, limited to the auditor's programs.
They take ids as query parameters (not `participant_id` in the path): auditors never open charts,
and these pages show who did, not what is in them.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bridge.accounts.http import StaffRequest
from bridge.audit.actions import Action
from bridge.audit.models import AuditEvent
from bridge.audit.services import audit_record
from bridge.participants.models import Participant
from bridge.privacy import queries
from bridge.privacy.access import auditor_programs
from bridge.privacy.forms import ChartReviewForm, UserReviewForm
from bridge.privacy.models import Disclosure

CHART_ACTIONS = [Action.READ, Action.ACCESS_DENIED, Action.BREAK_GLASS, Action.EXPORT, Action.DISCLOSE]


def _audit_read(request: StaffRequest, what: str, **detail) -> None:
    audit_record(action=Action.READ, actor=request.user, object_type=f"access_review:{what}", detail=detail)


@require_GET
def review_home(request: StaffRequest) -> HttpResponse:
    programs = auditor_programs(request)
    _audit_read(request, "home")
    return render(
        request,
        "privacy/review/home.html",
        {
            "chart_form": ChartReviewForm(),
            "user_form": UserReviewForm(program_ids=programs),
            "pending_emergency": queries.emergency_accesses(programs)
            .filter(reviewed_at__isnull=True)
            .count(),
        },
    )


@require_GET
def review_chart(request: StaffRequest) -> HttpResponse:
    """Who opened this chart: every person, how often, when, and whether under emergency access."""
    programs = auditor_programs(request)
    form = ChartReviewForm(request.GET or None)
    participant, people, events = None, [], None
    if form.is_valid():
        participant = Participant.objects.filter(
            pk=form.cleaned_data["participant"], program_id__in=programs
        ).first()
        if participant is None:
            form.add_error("participant", "No participant with this id in your programs.")
        else:
            qs = AuditEvent.objects.filter(participant=participant, action__in=CHART_ACTIONS)
            people = list(
                qs.values("actor_label")
                .annotate(
                    reads=Count("id", filter=Q(action=Action.READ)),
                    emergency=Count("id", filter=Q(action=Action.READ, detail__purpose="BTG")),
                    denials=Count("id", filter=Q(action=Action.ACCESS_DENIED)),
                    releases=Count("id", filter=Q(action__in=[Action.EXPORT, Action.DISCLOSE])),
                    first=Min("occurred_at"),
                    last=Max("occurred_at"),
                )
                .order_by("-last")
            )
            events = Paginator(qs.order_by("-seq"), 100).get_page(request.GET.get("page"))
            _audit_read(request, "chart", participant=str(participant.pk))
    return render(
        request,
        "privacy/review/chart.html",
        {"form": form, "participant": participant, "people": people, "events": events},
        status=400 if form.errors else 200,
    )


@require_GET
def review_user(request: StaffRequest) -> HttpResponse:
    """What this user opened: each participant's chart, how often and when, and refusals."""
    programs = auditor_programs(request)
    form = UserReviewForm(request.GET or None, program_ids=programs)
    actor, charts = None, []
    if form.is_valid():
        actor = form.cleaned_data["actor"]
        charts = list(
            AuditEvent.objects.filter(
                actor=actor, participant__program_id__in=programs, action__in=CHART_ACTIONS
            )
            .values("participant_id", "participant__first_name", "participant__last_name")
            .annotate(
                reads=Count("id", filter=Q(action=Action.READ)),
                emergency=Count("id", filter=Q(action=Action.READ, detail__purpose="BTG")),
                denials=Count("id", filter=Q(action=Action.ACCESS_DENIED)),
                releases=Count("id", filter=Q(action__in=[Action.EXPORT, Action.DISCLOSE])),
                first=Min("occurred_at"),
                last=Max("occurred_at"),
            )
            .order_by("-last")[:500]
        )
        _audit_read(request, "user", actor=actor.username)
    return render(
        request,
        "privacy/review/user.html",
        {"form": form, "actor": actor, "charts": charts},
        status=400 if form.errors else 200,
    )


@require_GET
def review_emergency(request: StaffRequest) -> HttpResponse:
    """Every break-the-glass use: who, whose chart, why, how long, how many pages, the review."""
    programs = auditor_programs(request)
    page = Paginator(queries.emergency_accesses(programs), 50).get_page(request.GET.get("page"))
    grants = list(page.object_list)
    reads = queries.reads_per_grant([g.pk for g in grants])
    for g in grants:
        g.reads = reads.get(str(g.pk), 0)
    _audit_read(request, "emergency_access", page=page.number)
    return render(request, "privacy/review/emergency.html", {"page": page, "grants": grants})


@require_GET
def review_disclosures(request: StaffRequest) -> HttpResponse:
    """Every disclosure and every refusal, newest first; filter by outcome."""
    programs = auditor_programs(request)
    outcome = request.GET.get("outcome", "")
    qs = (
        Disclosure.objects.filter(program_id__in=programs)
        .select_related("participant", "consent", "requested_by")
        .order_by("-created_at")
    )
    if outcome in Disclosure.Outcome.values:
        qs = qs.filter(outcome=outcome)
    else:
        outcome = ""
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    _audit_read(request, "disclosures", outcome=outcome, page=page.number)
    return render(
        request,
        "privacy/review/disclosures.html",
        {"page": page, "outcome": outcome, "outcomes": Disclosure.Outcome.choices},
    )
