"""Demo intake data: screenings for prospects and people in screening, completed ones for admissions.

Deterministic (ctx.rng) and bulk-inserted so `bridge demo --scale 50` stays quick. Per 40 people:
two prospects have a screening under way, one asked for a call-back on the self-check, one is not
screened yet; the four in screening are at each later step (one of them referred out to
residential care); everyone admitted has the completed screening that led to it.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from bridge import instruments
from bridge.demo.builder import DemoContext
from bridge.intake.models import (
    DimensionRating,
    InstrumentAdministration,
    IntakeSettings,
    PlacementDecision,
    Referral,
    Screening,
)
from bridge.participants.models import EpisodeOfCare, Participant
from bridge.placement import parse_context, recommend

S = Participant.Status
SUBSTANCE_CLASS = {
    "alcohol": "alcohol",
    "opioids": "opioid",
    "stimulants": "stimulant",
    "cannabis": "cannabis",
    "sedatives": "sedative_hypnotic_anxiolytic",
}
GOOD_HOME = {
    "home_active_substance_use": False,
    "domestic_violence": False,
    "stable_housing": True,
    "supportive_relationships": True,
    "medical_condition": "none",
    "daily_functioning": "intact",
    "readiness": "preparation",
    "withdrawal_history_severe": False,
    "pregnant": False,
    "recent_return_to_use_after_treatment": False,
    "needs_24h_structure": False,
}


def _answers(ctx: DemoContext, code: str, severity: float) -> list[int]:
    """Plausible answers for `code`, heavier as severity (0-1) rises, obeying the skip logic."""
    inst = instruments.get(code)
    values = []
    for item in inst.items:
        allowed = item.allowed_values
        reach = ctx.rng.random() * severity * 1.4
        values.append(allowed[min(len(allowed) - 1, int(reach * len(allowed)))])
    if inst.skip_rule:
        skipped = inst.skip_rule(values)
        values = [0 if item.key in skipped else v for item, v in zip(inst.items, values, strict=True)]
    return values


def _dsm(ctx: DemoContext, substance: str, met: int) -> dict[str, Any]:
    criteria = [item.key for item in instruments.get("DSM-5-SUD").items]
    chosen = set(ctx.rng.sample(criteria[:10], min(met, 10)))
    return {
        "substance_class": SUBSTANCE_CLASS.get(substance, "other"),
        "taken_solely_under_appropriate_medical_supervision": False,
        **{key: key in chosen for key in criteria},
    }


def _details(ctx: DemoContext) -> dict[str, Any]:
    rng = ctx.rng
    primary = rng.choice(["alcohol", "alcohol", "opioids", "stimulants", "cannabis", "sedatives"])
    others = [
        s for s in ("alcohol", "cannabis", "tobacco", "stimulants") if s != primary and rng.random() < 0.25
    ]
    works = rng.random() < 0.7
    start = rng.choice([7, 8, 9, 10])
    return {
        "referral_source": rng.choice(
            ["self", "family", "physician", "hospital", "criminal_justice", "employer", "treatment_program"]
        ),
        "substances": [primary, *others],
        "primary_substance": primary,
        "insurance_type": rng.choice(
            ["medicaid", "medicaid", "commercial", "commercial", "medicare", "self_pay"]
        ),
        "insurance_plan": rng.choice(["Medi-Cal", "Kaiser Permanente", "Blue Shield", "Anthem", ""]),
        "preferred_schedule": ["evenings"]
        if works
        else rng.choice([["daytime"], ["weekends"], ["daytime", "weekends"]]),
        "work_days": [0, 1, 2, 3, 4] if works else [],
        "work_start": time(start) if works else None,
        "work_end": time(start + 8, 30) if works else None,
    }


def _given(
    ctx: DemoContext, primary: str, severity: float, *, withdrawal: str | None = None
) -> dict[str, Any]:
    """code -> responses for a typical intake set."""
    given: dict[str, Any] = {
        "PHQ-9": _answers(ctx, "PHQ-9", severity * 0.8),
        "GAD-7": _answers(ctx, "GAD-7", severity * 0.7),
        "C-SSRS-Screener": [0] * 7,
        "DSM-5-SUD": _dsm(ctx, primary, 4 + int(severity * 4)),
    }
    given["AUDIT" if primary == "alcohol" else "DAST-10"] = (
        _answers(ctx, "AUDIT", 0.4 + severity * 0.5)
        if primary == "alcohol"
        else [1, 1, 0] + [int(ctx.rng.random() < severity) for _ in range(7)]
    )
    if withdrawal:
        given[withdrawal] = _answers(ctx, withdrawal, severity * 0.5)
    return given


def build(ctx: DemoContext) -> None:
    IntakeSettings.objects.get_or_create(program=ctx.program)
    intake = ctx.staff["intake"]
    episodes = {e.participant_id: e for e in EpisodeOfCare.objects.filter(program=ctx.program)}
    scoring = instruments.DEFAULT_SETTINGS
    screenings: list[Screening] = []
    administrations: list[InstrumentAdministration] = []
    ratings: list[DimensionRating] = []
    decisions: list[PlacementDecision] = []
    referrals: list[Referral] = []
    referred: list[Participant] = []
    stage_counter = {S.PROSPECT: 0, S.SCREENING: 0}
    admitted = 0

    def add_screening(p: Participant, status: str, context: dict[str, Any], **extra) -> Screening:
        screening = Screening(
            participant=p,
            program=ctx.program,
            status=status,
            started_at=p.created_at + timedelta(minutes=ctx.rng.randint(5, 90)),
            started_by=intake if extra.get("referral_source") != "self_check" else None,
            **{**_details(ctx), **extra},
            **context,
        )
        screenings.append(screening)
        return screening

    def administer(screening: Screening, given: dict[str, Any], *, source: str = "staff") -> dict:
        results = {}
        for minutes, (code, responses) in enumerate(given.items()):
            result = instruments.score(code, responses, sex="female" if code == "AUDIT-C" else None)
            results[code] = result
            administrations.append(
                InstrumentAdministration(
                    participant=screening.participant,
                    screening=screening,
                    instrument=code,
                    responses=responses,
                    sex="female" if code == "AUDIT-C" else "",
                    total=result.total,
                    band=result.band,
                    alerts=list(result.alerts),
                    scoring_settings=scoring.as_dict(),
                    source=source,
                    administered_at=screening.started_at + timedelta(minutes=10 + 6 * minutes),
                    administered_by=intake if source == "staff" else None,
                )
            )
        return results

    def decide(
        screening: Screening, results: dict, context: dict[str, Any], *, override: tuple | None = None
    ):
        rec = recommend(
            age=screening.participant.age_on(ctx.today), results=results, context=parse_context(context)
        )
        level, wm, reason = rec.level, rec.withdrawal_management or "", ""
        if override:
            level, wm, reason = override
        decision = PlacementDecision(
            screening=screening,
            recommended_level=rec.level,
            recommended_withdrawal_management=rec.withdrawal_management or "",
            recommendation=rec.as_dict(),
            rules_version=rec.rules_version,
            decision="override" if override else "accept",
            level=level,
            withdrawal_management=wm,
            reason=reason,
            decided_by=intake,
            decided_at=screening.started_at + timedelta(hours=1),
        )
        decisions.append(decision)
        return rec

    for p in ctx.participants:
        severity = ctx.rng.random()
        if p.status == S.PROSPECT:
            k = stage_counter[S.PROSPECT]
            stage_counter[S.PROSPECT] += 1
            if k % 4 == 3:
                continue  # not screened yet
            if k % 4 == 2:
                s = add_screening(
                    p,
                    Screening.Status.IN_PROGRESS,
                    {"home_active_substance_use": False, "withdrawal_history_severe": False},
                    referral_source="self_check",
                    notes="Call-back requested on the public self-check. Best time to call: after 5 pm.",
                )
                administer(
                    s,
                    {"AUDIT-C": [3, 2, 1], "DAST-10": [0, 0, 1, 0, 0, 0, 0, 0, 0, 0], "PHQ-2": [1, 1]},
                    source="self_report",
                )
                continue
            s = add_screening(p, Screening.Status.IN_PROGRESS, {})
            administer(
                s, {"PHQ-9": _answers(ctx, "PHQ-9", severity), "AUDIT": _answers(ctx, "AUDIT", severity)}
            )
        elif p.status == S.SCREENING:
            k = stage_counter[S.SCREENING]
            stage_counter[S.SCREENING] += 1
            if k % 4 == 0:
                s = add_screening(p, Screening.Status.IN_PROGRESS, {"readiness": "contemplation"})
                administer(s, _given(ctx, s.primary_substance, severity))
            elif k % 4 == 1:
                context = {**GOOD_HOME, "supportive_relationships": False}
                s = add_screening(p, Screening.Status.IN_PROGRESS, context, primary_substance="opioids")
                given = _given(ctx, "opioids", 0.6)
                given["COWS"] = [4, 4, 5, 5, 4, 2, 3, 0, 0, 0, 0]  # 27: moderately severe
                results = administer(s, given)
                rec = recommend(age=p.age_on(ctx.today), results=results, context=parse_context(context))
                for d, result in rec.dimensions.items():
                    ratings.append(
                        DimensionRating(
                            screening=s,
                            dimension=d,
                            rating=result.rating,
                            suggested_rating=result.rating,
                            rated_by=intake,
                            notes="",
                        )
                    )
            elif k % 4 == 2:
                s = add_screening(p, Screening.Status.DECIDED, GOOD_HOME)
                decide(s, administer(s, _given(ctx, s.primary_substance, 0.5)), GOOD_HOME)
            else:
                context = {**GOOD_HOME, "home_active_substance_use": True, "domestic_violence": True}
                s = add_screening(p, Screening.Status.REFERRED, context)
                s.closed_at = s.started_at + timedelta(hours=2)
                rec = decide(s, administer(s, _given(ctx, s.primary_substance, 0.6)), context)
                referrals.append(
                    Referral(
                        screening=s,
                        participant=p,
                        level=rec.level,
                        to_name="Eastbay Residential Recovery (demo)",
                        to_contact="(510) 555-0177",
                        notes="Warm hand-off by phone; bed available Monday.",
                        referred_on=ctx.today - timedelta(days=1),
                        referred_by=intake,
                    )
                )
                p.status = S.REFERRED
                referred.append(p)
        elif p.pk in episodes:
            admitted += 1
            # Every sixth admission came back to use soon after earlier treatment: the rules said
            # partial hospitalization, and the clinician chose evening IOP with a reason.
            context = {**GOOD_HOME, "recent_return_to_use_after_treatment": admitted % 6 == 0}
            s = add_screening(p, Screening.Status.ADMITTED, context, episode=episodes[p.pk])
            s.closed_at = s.started_at + timedelta(hours=2)
            results = administer(s, _given(ctx, s.primary_substance, severity * 0.8))
            rec = recommend(age=p.age_on(ctx.today), results=results, context=parse_context(context))
            override = None
            if (rec.level, rec.withdrawal_management) != ("2.1", None):
                override = ("2.1", "", "Keeps a day job; evening IOP with a review of progress at 30 days.")
            decide(s, results, context, override=override)

    Screening.objects.bulk_create(screenings, batch_size=500)
    InstrumentAdministration.objects.bulk_create(administrations, batch_size=1000)
    DimensionRating.objects.bulk_create(ratings, batch_size=1000)
    PlacementDecision.objects.bulk_create(decisions, batch_size=500)
    Referral.objects.bulk_create(referrals, batch_size=500)
    Participant.objects.bulk_update(referred, ["status"], batch_size=500)
