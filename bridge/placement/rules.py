"""The placement rules, as data. Written by us from the public descriptions summarised in
reference/instruments.md §13.3 (dimension names and level numbers only; no criteria text).

Each rule rates one dimension 0-4 when its condition holds and says why in plain words. A
dimension's rating is the highest rating among the rules that fire; the level of care is the most
intensive level any dimension's rating calls for (ratings are never averaged). Dimension 1 sets
withdrawal management, not the level: someone can need withdrawal management first and IOP after.

Change a rule → bump RULES_VERSION; the version is stored with every placement decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bridge.placement.conditions import (
    Alert,
    Condition,
    Rule,
    TotalAtLeast,
    TotalAtMost,
    UseDisorder,
    all_of,
    answer,
    any_of,
    band,
    not_,
)
from bridge.placement.editions import THIRD_EDITION

RULES_VERSION = "bridge-placement-2026.2"

CIWA, COWS = "CIWA-Ar", "COWS"
COWS_MODERATE_OR_WORSE = band(COWS, "moderate", "moderately_severe", "severe")
CIWA_MODERATE_OR_WORSE = band(CIWA, "moderate", "severe")
OUD = UseDisorder("opioid")
# Severe withdrawal for the "medically unstable" rule and alert.
SEVERE_WITHDRAWAL = any_of(band(COWS, "moderately_severe", "severe"), band(CIWA, "severe"))

RULES: tuple[Rule, ...] = (
    # D1 — intoxication and withdrawal: sets withdrawal management (default by rating, see engine).
    Rule(
        "D1.ciwa.none",
        1,
        0,
        all_of(band(CIWA, "mild"), TotalAtMost(CIWA, 0)),
        "CIWA-Ar 0: no alcohol withdrawal signs",
    ),
    Rule(
        "D1.ciwa.mild",
        1,
        1,
        all_of(band(CIWA, "mild"), TotalAtLeast(CIWA, 1)),
        "CIWA-Ar {total:CIWA-Ar}, mild alcohol withdrawal → check-ins while it settles, alongside "
        "outpatient care",
    ),
    Rule(
        "D1.ciwa.moderate",
        1,
        2,
        band(CIWA, "moderate"),
        "CIWA-Ar {total:CIWA-Ar}, moderate alcohol withdrawal → withdrawal management with all-day "
        "monitoring before IOP",
    ),
    Rule(
        "D1.ciwa.moderate_with_history",
        1,
        3,
        all_of(band(CIWA, "moderate"), answer("withdrawal_history_severe", True)),
        "CIWA-Ar {total:CIWA-Ar}, moderate withdrawal and past seizures or delirium tremens → medically "
        "monitored withdrawal management before IOP",
        withdrawal_management="3.7-WM",
    ),
    Rule(
        "D1.ciwa.severe",
        1,
        3,
        band(CIWA, "severe"),
        "CIWA-Ar {total:CIWA-Ar}, severe alcohol withdrawal → medically monitored withdrawal management "
        "before IOP",
        withdrawal_management="3.7-WM",
    ),
    Rule(
        "D1.ciwa.severe_with_history",
        1,
        4,
        all_of(band(CIWA, "severe"), answer("withdrawal_history_severe", True)),
        "CIWA-Ar {total:CIWA-Ar}, severe withdrawal and past seizures or delirium tremens → hospital "
        "withdrawal management now",
    ),
    Rule("D1.cows.none", 1, 0, band(COWS, "none"), "COWS {total:COWS}: below the mild withdrawal range"),
    Rule(
        "D1.cows.mild",
        1,
        1,
        band(COWS, "mild"),
        "COWS {total:COWS}, mild opioid withdrawal → ambulatory withdrawal management with the prescriber, "
        "alongside outpatient care",
    ),
    Rule(
        "D1.cows.moderate",
        1,
        2,
        all_of(band(COWS, "moderate"), not_(OUD)),
        "COWS {total:COWS}, moderate opioid withdrawal → withdrawal management with all-day monitoring "
        "before IOP",
    ),
    Rule(
        "D1.cows.moderately_severe",
        1,
        3,
        all_of(band(COWS, "moderately_severe"), not_(OUD)),
        "COWS {total:COWS}, moderately severe withdrawal → withdrawal management before IOP",
    ),
    Rule(
        "D1.cows.severe",
        1,
        3,
        all_of(band(COWS, "severe"), not_(OUD)),
        "COWS {total:COWS}, severe opioid withdrawal → medically monitored withdrawal management before IOP",
        withdrawal_management="3.7-WM",
    ),
    # Opioid withdrawal in someone with an opioid use disorder is the moment to start medication:
    # buprenorphine is started once withdrawal is at least moderate (ASAM National Practice Guideline
    # for the Treatment of OUD, 2020 focused update), alongside the program rather than instead of it.
    Rule(
        "D1.cows.induction",
        1,
        2,
        all_of(COWS_MODERATE_OR_WORSE, OUD),
        "COWS {total:COWS}, {band:COWS} opioid withdrawal with an opioid use disorder → medically managed "
        "withdrawal with buprenorphine induction offered now, alongside IOP (withdrawal is when "
        "buprenorphine can be started; national OUD practice guideline, 2020 update)",
        withdrawal_management="2-WM",
        tags=("buprenorphine_induction",),
    ),
    Rule(
        "D1.history_severe",
        1,
        2,
        answer("withdrawal_history_severe", True),
        "past withdrawal seizures or delirium tremens → stopping can be dangerous; plan supervised "
        "withdrawal",
    ),
    Rule(
        "D1.pregnant_in_withdrawal",
        1,
        3,
        all_of(answer("pregnant", True), any_of(COWS_MODERATE_OR_WORSE, CIWA_MODERATE_OR_WORSE)),
        "pregnant and in moderate or worse withdrawal → medically monitored care for mother and baby",
        withdrawal_management="3.7-WM",
    ),
    Rule(
        "D1.unstable_medical_in_withdrawal",
        1,
        4,
        all_of(answer("medical_condition", "unstable"), SEVERE_WITHDRAWAL),
        "severe withdrawal with an unstable medical condition → hospital withdrawal management",
    ),
    # D2 — biomedical.
    Rule("D2.none", 2, 0, answer("medical_condition", "none"), "no medical conditions reported"),
    Rule(
        "D2.stable",
        2,
        1,
        answer("medical_condition", "stable"),
        "a stable medical condition → IOP works alongside the person's own doctor",
    ),
    Rule(
        "D2.unstable",
        2,
        3,
        answer("medical_condition", "unstable"),
        "an unstable medical condition → 24-hour medical monitoring first",
    ),
    Rule(
        "D2.pregnant",
        2,
        1,
        answer("pregnant", True),
        "pregnant → coordinate prenatal care; pregnancy is a priority for admission",
    ),
    # D3 — emotional, behavioural or cognitive.
    Rule(
        "D3.cssrs.high",
        3,
        4,
        band("C-SSRS-Screener", "high"),
        "C-SSRS high risk → same-day safety evaluation; 24-hour care until safe",
    ),
    Rule(
        "D3.cssrs.moderate",
        3,
        3,
        band("C-SSRS-Screener", "moderate"),
        "C-SSRS moderate risk → safety plan and near-daily contact",
    ),
    Rule(
        "D3.cssrs.low",
        3,
        2,
        band("C-SSRS-Screener", "low"),
        "C-SSRS low risk → safety plan; ask again at every visit",
    ),
    Rule(
        "D3.phq9.item9",
        3,
        2,
        Alert("PHQ-9", "phq9_item9_positive"),
        "PHQ-9 item 9 positive (thoughts of death or self-harm) → C-SSRS screen today",
    ),
    Rule(
        "D3.phq9.severe",
        3,
        2,
        band("PHQ-9", "moderately_severe", "severe"),
        "PHQ-9 {total:PHQ-9}, {band:PHQ-9} depression → dual-diagnosis care with close monitoring",
    ),
    Rule(
        "D3.phq9.moderate",
        3,
        1,
        band("PHQ-9", "mild", "moderate"),
        "PHQ-9 {total:PHQ-9}, {band:PHQ-9} depression → treat alongside substance use",
    ),
    Rule(
        "D3.gad7.severe",
        3,
        2,
        band("GAD-7", "severe"),
        "GAD-7 {total:GAD-7}, severe anxiety → dual-diagnosis care with close monitoring",
    ),
    Rule(
        "D3.gad7.moderate",
        3,
        1,
        band("GAD-7", "moderate"),
        "GAD-7 {total:GAD-7}, moderate anxiety → treat alongside substance use",
    ),
    Rule(
        "D3.pcl5.probable",
        3,
        2,
        any_of(band("PCL-5", "probable_ptsd"), Alert("PCL-5", "pcl5_dsm5_provisional_ptsd")),
        "PCL-5 {total:PCL-5}, probable PTSD → trauma-informed dual-diagnosis care",
    ),
    Rule(
        "D3.phq2.positive",
        3,
        1,
        band("PHQ-2", "positive"),
        "PHQ-2 {total:PHQ-2}, positive depression screen → give the full PHQ-9",
    ),
    Rule(
        "D3.gad2.positive",
        3,
        1,
        band("GAD-2", "positive"),
        "GAD-2 {total:GAD-2}, positive anxiety screen → give the full GAD-7",
    ),
    Rule("D3.functioning.intact", 3, 0, answer("daily_functioning", "intact"), "daily functioning intact"),
    Rule(
        "D3.functioning.impaired",
        3,
        2,
        answer("daily_functioning", "impaired"),
        "daily functioning impaired → needs structure several times a week",
    ),
    Rule(
        "D3.functioning.unable",
        3,
        3,
        answer("daily_functioning", "unable"),
        "unable to manage daily life → near-daily structure or more",
    ),
    # D4 — readiness to change. Readiness alone never sends someone to residential care.
    Rule(
        "D4.precontemplation",
        4,
        2,
        answer("readiness", "precontemplation"),
        "not yet considering change → motivational work inside a structured program several times a week",
    ),
    Rule(
        "D4.contemplation",
        4,
        1,
        answer("readiness", "contemplation"),
        "thinking about change, still unsure → motivational work",
    ),
    Rule("D4.preparation", 4, 1, answer("readiness", "preparation"), "preparing to change"),
    Rule("D4.action", 4, 0, answer("readiness", "action", "maintenance"), "already making changes"),
    # D5 — relapse, continued use or continued problem potential.
    Rule(
        "D5.dsm5.none",
        5,
        0,
        band("DSM-5-SUD", "none"),
        "DSM-5: {total:DSM-5-SUD} criteria met, no use disorder → early intervention at most",
    ),
    Rule(
        "D5.dsm5.mild",
        5,
        1,
        band("DSM-5-SUD", "mild"),
        "DSM-5: {total:DSM-5-SUD} criteria met, mild use disorder → outpatient may be enough",
    ),
    Rule(
        "D5.dsm5.moderate_severe",
        5,
        2,
        band("DSM-5-SUD", "moderate", "severe"),
        "DSM-5: {total:DSM-5-SUD} criteria met, {band:DSM-5-SUD} use disorder → likely to keep using "
        "without support several times a week",
    ),
    Rule(
        "D5.audit.hazardous",
        5,
        0,
        band("AUDIT", "zone_II"),
        "AUDIT {total:AUDIT}, hazardous drinking → brief advice (early intervention)",
    ),
    Rule(
        "D5.audit.harmful",
        5,
        1,
        band("AUDIT", "zone_III"),
        "AUDIT {total:AUDIT}, harmful drinking → counselling",
    ),
    Rule(
        "D5.audit.dependence",
        5,
        2,
        band("AUDIT", "zone_IV"),
        "AUDIT {total:AUDIT}, possible dependence → specialist treatment",
    ),
    Rule(
        "D5.auditc.positive",
        5,
        0,
        band("AUDIT-C", "positive"),
        "AUDIT-C {total:AUDIT-C}, positive alcohol screen → assess with the AUDIT or DSM-5 criteria",
    ),
    Rule(
        "D5.auditc.high",
        5,
        1,
        Alert("AUDIT-C", "auditc_score_ge8"),
        "AUDIT-C {total:AUDIT-C} (8 or more) → heavy drinking; assess for a use disorder",
    ),
    Rule("D5.dast.low", 5, 0, band("DAST-10", "low"), "DAST-10 {total:DAST-10}, low → monitor"),
    Rule(
        "D5.dast.moderate",
        5,
        1,
        band("DAST-10", "moderate"),
        "DAST-10 {total:DAST-10}, moderate drug problems → further assessment",
    ),
    Rule(
        "D5.dast.substantial",
        5,
        2,
        band("DAST-10", "substantial", "severe"),
        "DAST-10 {total:DAST-10}, {band:DAST-10} drug problems → intensive assessment and treatment",
    ),
    Rule(
        "D5.bam.use",
        5,
        1,
        band("BAM", "any_use", subscale="use"),
        "BAM: alcohol or drug use in the past 30 days",
    ),
    Rule(
        "D5.bam.use_and_risk",
        5,
        2,
        all_of(band("BAM", "any_use", subscale="use"), band("BAM", "elevated", subscale="risk")),
        "BAM: recent use and elevated risk factors → close support several times a week",
    ),
    Rule(
        "D5.return_after_treatment",
        5,
        3,
        answer("recent_return_to_use_after_treatment", True),
        "returned to use soon after earlier treatment → near-daily support",
    ),
    Rule(
        "D5.needs_24h_structure",
        5,
        4,
        answer("needs_24h_structure", True),
        "cannot stop using without 24-hour structure → residential treatment",
    ),
    # D6 — recovery environment.
    Rule(
        "D6.home_supportive",
        6,
        0,
        all_of(
            answer("home_active_substance_use", False),
            answer("domestic_violence", False),
            answer("stable_housing", True),
            answer("supportive_relationships", True),
        ),
        "stable, supportive home",
    ),
    Rule(
        "D6.few_supports",
        6,
        2,
        answer("supportive_relationships", False),
        "few supportive relationships → IOP's structure and peer support help",
    ),
    Rule(
        "D6.bam.low_protective",
        6,
        2,
        band("BAM", "low", subscale="protective"),
        "BAM: few protective factors → build supports (peer support, mutual-help meetings)",
    ),
    Rule(
        "D6.no_stable_housing",
        6,
        3,
        answer("stable_housing", False),
        "no stable housing → a place with 24-hour structure (3.1) or recovery housing",
    ),
    Rule(
        "D6.active_use_at_home",
        6,
        3,
        answer("home_active_substance_use", True),
        "lives with someone actively using → residential (3.1)",
    ),
    Rule(
        "D6.domestic_violence",
        6,
        3,
        answer("domestic_violence", True),
        "domestic violence → safety first; residential (3.1)",
    ),
    Rule(
        "D6.active_use_and_violence",
        6,
        4,
        all_of(answer("home_active_substance_use", True), answer("domestic_violence", True)),
        "lives with someone actively using, and domestic violence → residential",
    ),
)

# The least intensive level that can address each dimension at each rating, per edition: see
# editions.py (the 3rd edition's table is the one these rules were written against).
LEVEL_FOR_RATING: dict[int, dict[int, str]] = THIRD_EDITION.level_for_rating

# Withdrawal management for a dimension-1 rating, unless a firing rule names a more specific level.
WM_FOR_RATING: dict[int, str | None] = {0: None, 1: "1-WM", 2: "2-WM", 3: "3.2-WM", 4: "4-WM"}

# The inputs each dimension draws on, to say which dimensions are unknown.
DIMENSION_INPUTS: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {
    1: ((CIWA, COWS), ("withdrawal_history_severe",)),
    2: ((), ("medical_condition", "pregnant")),
    3: (("PHQ-9", "PHQ-2", "GAD-7", "GAD-2", "PCL-5", "C-SSRS-Screener"), ("daily_functioning",)),
    4: ((), ("readiness",)),
    5: (
        ("DSM-5-SUD", "AUDIT", "AUDIT-C", "DAST-10", "BAM"),
        ("recent_return_to_use_after_treatment", "needs_24h_structure"),
    ),
    6: (
        ("BAM",),
        ("home_active_substance_use", "domestic_violence", "stable_housing", "supportive_relationships"),
    ),
}

# --- Alerts ------------------------------------------------------------------------------------
#
# Every alert has an urgency: "now" (act before anything else: the route says where to), "same_day"
# (a task for today) or "routine". The public API marks "imminent" exactly when urgency is "now".

NOW, SAME_DAY, ROUTINE = "now", "same_day", "routine"
URGENCIES = (NOW, SAME_DAY, ROUTINE)

CRISIS_LINE = "In a crisis call or text 988 (Suicide & Crisis Lifeline); in an emergency call 911."
ROUTE_SUICIDE = (
    "Stay with the person; a licensed clinician evaluates them within the hour. If they cannot keep "
    "themselves safe: 988 and the county mobile crisis team, or 911 / the nearest emergency department "
    "if danger is immediate."
)
ROUTE_WITHDRAWAL = (
    "Emergency department now (call 911 for a seizure, confusion, hallucinations or if they cannot be "
    "moved safely); do not send them home to withdraw alone."
)
ROUTE_UNSTABLE = "Call 911 or take them to the emergency department now; medically managed care first."
ROUTE_SAME_DAY_SCREEN = "Give the C-SSRS screener today; its result decides the urgency."


@dataclass(frozen=True)
class AlertSpec:
    urgency: str
    message: str
    route: str = ""


# Alerts read from an instrument's own alert codes.
INSTRUMENT_ALERTS: dict[str, AlertSpec] = {
    "cssrs_q4_intent": AlertSpec(
        NOW, "C-SSRS high risk: intent to act on suicidal thoughts in the past month.", ROUTE_SUICIDE
    ),
    "cssrs_q5_plan": AlertSpec(
        NOW, "C-SSRS high risk: a suicide plan with intent in the past month.", ROUTE_SUICIDE
    ),
    "cssrs_q6_behavior_past_3_months": AlertSpec(
        NOW, "C-SSRS high risk: suicidal behaviour in the past 3 months.", ROUTE_SUICIDE
    ),
    "phq9_item9_positive": AlertSpec(
        SAME_DAY,
        "PHQ-9 item 9: thoughts of being better off dead or of self-harm. Screen with the C-SSRS today.",
        ROUTE_SAME_DAY_SCREEN,
    ),
    "audit_dependence_item_ge2": AlertSpec(
        ROUTINE, "AUDIT: a dependence item (4, 5 or 6) at 2 or more → next level of care."
    ),
    "audit_harm_item_eq4": AlertSpec(ROUTINE, "AUDIT: alcohol-related injury or concern in the last year."),
    "auditc_points_from_q1_only": AlertSpec(
        ROUTINE, "AUDIT-C: all points from frequency alone; likely within limits."
    ),
    "auditc_score_ge8": AlertSpec(ROUTINE, "AUDIT-C 8 or more: high-risk drinking."),
    "pcl5_dsm5_provisional_ptsd": AlertSpec(
        ROUTINE, "PCL-5: the DSM-5 symptom-cluster rule for provisional PTSD is met."
    ),
    "dsm5_tolerance_withdrawal_excluded_medical_supervision": AlertSpec(
        ROUTINE, "DSM-5: tolerance or withdrawal under medical supervision was not counted."
    ),
}


@dataclass(frozen=True)
class DerivedAlert:
    """An alert the rules derive from several facts (not from one instrument's alert codes)."""

    code: str
    when: Condition
    spec: AlertSpec


DERIVED_ALERTS: tuple[DerivedAlert, ...] = (
    DerivedAlert(
        "withdrawal_severe_complicated",
        any_of(
            band(CIWA, "severe"), all_of(band(CIWA, "moderate"), answer("withdrawal_history_severe", True))
        ),
        AlertSpec(
            NOW,
            "Severe or complicated alcohol withdrawal: CIWA-Ar {total:CIWA-Ar} ({band:CIWA-Ar}), or moderate "
            "withdrawal with past seizures or delirium tremens. Withdrawal can turn to seizures or delirium "
            "within hours.",
            ROUTE_WITHDRAWAL,
        ),
    ),
    DerivedAlert(
        "withdrawal_severe_medically_unstable",
        all_of(answer("medical_condition", "unstable"), SEVERE_WITHDRAWAL),
        AlertSpec(NOW, "Severe withdrawal with an unstable medical condition.", ROUTE_UNSTABLE),
    ),
    DerivedAlert(
        "domestic_violence",
        answer("domestic_violence", True),
        AlertSpec(
            SAME_DAY,
            "Domestic violence reported: ask about safety now. National Domestic Violence Hotline: "
            "1-800-799-7233.",
            "Make a safety plan with the person before they leave today.",
        ),
    ),
)

ALERT_CODES: tuple[str, ...] = (*INSTRUMENT_ALERTS, *(d.code for d in DERIVED_ALERTS))
NOW_CODES: frozenset[str] = frozenset(
    [c for c, a in INSTRUMENT_ALERTS.items() if a.urgency == NOW]
    + [d.code for d in DERIVED_ALERTS if d.spec.urgency == NOW]
)


def alert_spec(code: str) -> AlertSpec:
    """The urgency, message and route of any alert code (unknown codes are routine)."""
    if code in INSTRUMENT_ALERTS:
        return INSTRUMENT_ALERTS[code]
    for derived in DERIVED_ALERTS:
        if derived.code == code:
            return derived.spec
    return AlertSpec(ROUTINE, code.replace("_", " "))


def alert_labels(codes: Iterable[str] | None) -> list[str]:
    """Alert codes in plain words, for pages (the codes themselves are for the API)."""
    return [alert_spec(code).message for code in codes or ()]


# Kept for callers of the earlier names.
IMMINENT_ALERTS: dict[str, str] = {c: a.message for c, a in INSTRUMENT_ALERTS.items() if a.urgency == NOW}
OTHER_ALERTS: dict[str, str] = {c: a.message for c, a in INSTRUMENT_ALERTS.items() if a.urgency != NOW}
