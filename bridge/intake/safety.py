"""Intake's side of clinical safety: alerts on a screening become safety signals, and the admission
gate reads the record into the pure rule (bridge/placement/gate.py)."""

from __future__ import annotations

from bridge.intake.models import Screening
from bridge.intake.queries import current_administrations, recommendation_for
from bridge.placement.gate import GateFacts, admission_problems
from bridge.placement.rules import NOW, SAME_DAY
from bridge.safety.models import SafetySignal, Source
from bridge.safety.services import safety_signal_raise


def screening_alerts_raise(*, actor, screening: Screening) -> list[SafetySignal]:
    """Raise a signal for every act-now and same-day alert the screening shows now (once each)."""
    recommendation = recommendation_for(screening)
    raised = []
    for alert in recommendation.alerts:
        if alert.urgency not in (NOW, SAME_DAY):
            continue
        raised.append(
            safety_signal_raise(
                participant=screening.participant,
                source=Source.INTAKE,
                code=alert.code,
                urgency=alert.urgency,
                title=alert.message.split(". ")[0][:200],
                detail=alert.message,
                route=alert.route,
                screening=screening,
                dedup_key=f"screening:{screening.pk}",
                actor=actor,
                assign_to=[actor],
            )
        )
    return raised


def unacknowledged_now(screening: Screening) -> tuple[str, ...]:
    """Act-now alerts of this screening without a recorded disposition (shown now, or raised earlier)."""
    closed = set(
        SafetySignal.objects.filter(screening=screening, status=SafetySignal.Status.CLOSED).values_list(
            "code", flat=True
        )
    )
    open_now = set(
        SafetySignal.objects.filter(
            screening=screening, status=SafetySignal.Status.OPEN, urgency=NOW
        ).values_list("code", flat=True)
    )
    shown = {a.code for a in recommendation_for(screening).now_alerts}
    return tuple(sorted((shown - closed) | open_now))


def admission_gate(screening: Screening, decision) -> list[str]:
    """Every reason this screening's person may not be admitted to IOP now (empty: go ahead)."""
    current = current_administrations(screening)
    given = {a.instrument for a in current}
    diagnosis = next((a for a in current if a.instrument == "DSM-5-SUD"), None)
    if diagnosis is None and screening.follows is not None:
        # After withdrawal management the diagnosis made before it still stands.
        earlier = current_administrations(screening.follows)
        diagnosis = next((a for a in earlier if a.instrument == "DSM-5-SUD"), None)
        if diagnosis is not None:
            given.add("DSM-5-SUD")
    substances = list(screening.substances or [])
    if screening.primary_substance:
        substances.append(screening.primary_substance)
    if diagnosis is not None and isinstance(diagnosis.responses, dict):
        substances.append(str(diagnosis.responses.get("substance_class", "")))
    return admission_problems(
        GateFacts(
            edition=decision.edition,
            level=decision.level,
            withdrawal_management=decision.withdrawal_management,
            substances=tuple(substances),
            given=frozenset(given),
            diagnosis_band=diagnosis.band if diagnosis is not None else None,
            unacknowledged_now=unacknowledged_now(screening),
            rules_withdrawal_management=(
                recommendation_for(screening, with_clinician_ratings=False).withdrawal_management or ""
            ),
        )
    )
