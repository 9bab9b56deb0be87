"""Alcohol and drugs: AUDIT, AUDIT-C, DAST-10, BAM, DSM-5 SUD severity (reference §4-6, §9, §12)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bridge.instruments.definitions.common import options, static_bands
from bridge.instruments.model import (
    AuditCScheme,
    Band,
    CriteriaSpec,
    Instrument,
    Item,
    Option,
    ScoringSettings,
    Sex,
    Subscale,
)
from bridge.instruments.scoring import dsm5_scorer, subscale_scorer, sum_scorer

# --- AUDIT ---------------------------------------------------------------------------------------
AUDIT_FREQUENCY = options(
    (0, "Never"),
    (1, "Monthly or less"),
    (2, "2-4 times a month"),
    (3, "2-3 times a week"),
    (4, "4+ times a week"),
)
AUDIT_DRINKS = options((0, "1 or 2"), (1, "3 or 4"), (2, "5 or 6"), (3, "7 to 9"), (4, "10 or more"))
AUDIT_HOW_OFTEN = options(
    (0, "Never"), (1, "Less than monthly"), (2, "Monthly"), (3, "Weekly"), (4, "Daily or almost daily")
)
# Items 9 and 10 only take 0, 2 or 4.
AUDIT_HARM = options((0, "No"), (2, "Yes, but not in the last year"), (4, "Yes, during the last year"))

_AUDIT_ITEMS = [
    ("1", "How often one has a drink containing alcohol", AUDIT_FREQUENCY, "68518-0"),
    ("2", "Drinks on a typical drinking day", AUDIT_DRINKS, "68519-8"),
    ("3", "How often six or more drinks on one occasion", AUDIT_HOW_OFTEN, "68520-6"),
    ("4", "Could not stop drinking once started", AUDIT_HOW_OFTEN, "97734-8"),
    ("5", "Failed to do what was expected because of drinking", AUDIT_HOW_OFTEN, "97735-5"),
    ("6", "Needed a first drink in the morning", AUDIT_HOW_OFTEN, "97736-3"),
    ("7", "Guilt or remorse after drinking", AUDIT_HOW_OFTEN, "97737-1"),
    ("8", "Could not remember the night before", AUDIT_HOW_OFTEN, "97738-9"),
    ("9", "Someone injured because of one's drinking", AUDIT_HARM, "97739-7"),
    ("10", "Someone concerned, or suggested cutting down", AUDIT_HARM, "97740-5"),
]


def _audit_skips(values: Sequence[Any]) -> set[str]:
    # Q1 "Never" skips to Q9-10; Q2 + Q3 = 0 skips to Q9-10. Skipped items score 0.
    if values[0] == 0:
        return {f"audit_{n}" for n in range(2, 9)}
    if values[1] == 0 and values[2] == 0:
        return {f"audit_{n}" for n in range(4, 9)}
    return set()


def _audit_alerts(values: list[int], total: int, settings: ScoringSettings) -> list[str]:
    # WHO: next level of intervention for 2+ on Q4, Q5 or Q6 (read per item), or 4 on Q9 or Q10.
    alerts = []
    if any(values[i] >= 2 for i in (3, 4, 5)):
        alerts.append("audit_dependence_item_ge2")
    if values[8] == 4 or values[9] == 4:
        alerts.append("audit_harm_item_eq4")
    return alerts


AUDIT = Instrument(
    code="AUDIT",
    name="Alcohol Use Disorders Identification Test",
    summary="Alcohol use, dependence and harm",
    period="Last year",
    items=tuple(Item(f"audit_{n}", n, text, opts, loinc) for n, text, opts, loinc in _AUDIT_ITEMS),
    scorer=sum_scorer(_audit_alerts),
    bands=static_bands(
        Band("zone_I", "Zone I (low risk: alcohol education)", 0),
        Band("zone_II", "Zone II (hazardous: simple advice)", 8),
        Band("zone_III", "Zone III (harmful: advice, brief counselling, monitoring)", 16),
        Band("zone_IV", "Zone IV (possible dependence: specialist evaluation)", 20),
    ),
    band_codes=("zone_I", "zone_II", "zone_III", "zone_IV"),
    total_range=(0, 40),
    alert_codes=("audit_dependence_item_ge2", "audit_harm_item_eq4"),
    loinc_panel="72110-0",
    loinc_total="75624-7",
    skip_rule=_audit_skips,
    source="WHO/MSD/MSB/01.6a (Babor et al. 2001) Table 4; LOINC 72110-0",
    notes=(
        "Skip logic: if Q1 is Never, skip Q2-8; if Q2 + Q3 is 0, skip Q4-8. Skipped items score 0.",
        "The possible-dependence alert follows the WHO rule per item (any of Q4-Q6 at 2 or more).",
    ),
    guidance=(
        "If Q1 is Never, skip Q2-8; if Q2 and Q3 add up to 0, skip Q4-8. Skipped questions score 0.",
        "Any of Q4-Q6 answered at 2 or more raises the possible-dependence alert (the WHO rule).",
    ),
)

# --- AUDIT-C -------------------------------------------------------------------------------------


# Self-check wording (ours).
_AUDITC_ASK = (
    "How often do you have a drink with alcohol in it?",
    "On a day when you drink, how many drinks do you usually have?",
    "How often do you have six or more drinks at one time?",
)


def _auditc_cutoffs(settings: ScoringSettings) -> dict[Sex, int]:
    men = 5 if settings.auditc_scheme == AuditCScheme.MEN_5 else 4
    return {Sex.MALE: men, Sex.FEMALE: 3}


def _auditc_bands(settings: ScoringSettings, sex: Sex | None) -> tuple[Band, ...]:
    cutoff = _auditc_cutoffs(settings)[sex or Sex.FEMALE]
    return (
        Band("none", "No use", 0),
        Band("negative", "Negative", 1),
        Band("positive", f"Positive (≥ {cutoff} for {'men' if sex == Sex.MALE else 'women'})", cutoff),
    )


def _auditc_alerts(values: list[int], total: int, settings: ScoringSettings) -> list[str]:
    alerts = []
    if total > 0 and values[1] == 0 and values[2] == 0:
        alerts.append("auditc_points_from_q1_only")
    if total >= 8:
        alerts.append("auditc_score_ge8")
    return alerts


AUDITC = Instrument(
    code="AUDIT-C",
    name="AUDIT-Consumption",
    summary="Alcohol consumption screen (AUDIT items 1-3)",
    period="Last year",
    items=tuple(
        Item(f"auditc_{n}", n, text, opts, loinc, ask=ask)
        for (n, text, opts, loinc), ask in zip(_AUDIT_ITEMS[:3], _AUDITC_ASK, strict=True)
    ),
    scorer=sum_scorer(_auditc_alerts),
    bands=_auditc_bands,
    band_codes=("none", "negative", "positive"),
    total_range=(0, 12),
    alert_codes=("auditc_points_from_q1_only", "auditc_score_ge8"),
    loinc_panel="72109-2",
    loinc_total="75626-2",
    needs_sex=True,
    settings_used=("auditc_scheme",),
    source="Bush 1998; Bradley 2003 (PMID 12695273); LOINC 75626-2; VA QUERI (≥ 8, secondary)",
    notes=('Takes "sex": positive at ≥ 4 for men and ≥ 3 for women (default).',),
    guidance=("Positive at 4 or more for men and 3 or more for women.",),
)

# --- DAST-10 -------------------------------------------------------------------------------------
_DAST_ITEMS = [
    "Used drugs other than for medical reasons",
    "Used more than one drug at a time",
    "Always able to stop using when one wants to",
    "Blackouts or flashbacks from drug use",
    "Felt bad or guilty about drug use",
    "Spouse or parents complained about drug use",
    "Neglected family because of drug use",
    "Illegal activities to get drugs",
    "Withdrawal symptoms when stopping",
    "Medical problems from drug use",
]


# Self-check wording (ours), asked about the past 12 months, not counting alcohol or tobacco.
_DAST_ASK = (
    "Did you use drugs other than as a doctor directed?",
    "Did you use more than one drug at the same time?",
    "Could you always stop using drugs when you wanted to?",
    "Did you have blackouts or flashbacks because of drugs?",
    "Did you feel bad or guilty about using drugs?",
    "Did your partner or family complain about your drug use?",
    "Did you neglect your family because of drugs?",
    "Did you do anything illegal to get drugs?",
    "Did you feel sick (withdrawal) when you stopped using drugs?",
    "Did drugs cause you medical problems, such as memory loss, hepatitis or seizures?",
)


def _dast_item(number: int, text: str) -> Item:
    # Raw answers: 1 = Yes, 0 = No. Item 3 is reverse-scored: "No" scores the point.
    reverse = number == 3
    yes_points, no_points = (0, 1) if reverse else (1, 0)
    return Item(
        f"dast10_{number}",
        str(number),
        text,
        (Option(0, "No", no_points), Option(1, "Yes", yes_points)),
        reverse_scored=reverse,
        ask=_DAST_ASK[number - 1],
    )


DAST10 = Instrument(
    code="DAST-10",
    name="Drug Abuse Screening Test (10 items)",
    summary="Drug use problems, excluding alcohol and tobacco",
    period="Past 12 months",
    items=tuple(_dast_item(i, text) for i, text in enumerate(_DAST_ITEMS, start=1)),
    scorer=sum_scorer(),
    bands=static_bands(
        Band("none", "No problems reported", 0),
        Band("low", "Low (monitor)", 1),
        Band("moderate", "Moderate (further investigation)", 3),
        Band("substantial", "Substantial (intensive assessment)", 6),
        Band("severe", "Severe (intensive assessment)", 9),
    ),
    band_codes=("none", "low", "moderate", "substantial", "severe"),
    response_format="answers",
    total_range=(0, 10),
    loinc_panel="82666-9",
    loinc_total="82667-7",
    source="Skinner 1982; Yudko 2007 (PMID 17306727); NIDA CDE 3254089; LOINC 82667-7",
    notes=("Responses are raw answers (1 = Yes, 0 = No); item 3 is reversed by the scorer.",),
    guidance=("Question 3 counts the other way round: a “No” adds a point.",),
)

# --- BAM -----------------------------------------------------------------------------------------
BAM_DAYS = options((0, "0 days"), (1, "1-3 days"), (2, "4-8 days"), (3, "9-15 days"), (4, "16-30 days"))
BAM_HEALTH = options((0, "Excellent"), (1, "Very good"), (2, "Good"), (3, "Fair"), (4, "Poor"))
BAM_AMOUNT = options(
    (0, "Not at all"), (1, "Slightly"), (2, "Moderately"), (3, "Considerably"), (4, "Extremely")
)
BAM_YES_NO = (Option(0, "No", 0), Option(4, "Yes", 4))

_BAM_ITEMS = [
    ("Physical health", BAM_HEALTH, True),
    ("Nights with trouble sleeping", BAM_DAYS, True),
    ("Days feeling depressed, anxious, angry or very upset", BAM_DAYS, True),
    ("Days drinking any alcohol", BAM_DAYS, True),
    ("Days of heavy drinking", BAM_DAYS, True),
    ("Days using illegal drugs or misusing medication", BAM_DAYS, True),
    ("Days using each drug type (placeholder; not scored)", BAM_DAYS, False),
    ("Strength of cravings", BAM_AMOUNT, True),
    ("Confidence in staying off alcohol and drugs", BAM_AMOUNT, True),
    ("Days at self-help meetings", BAM_DAYS, True),
    ("Days in risky situations", BAM_DAYS, True),
    ("Religion or spirituality helps recovery", BAM_AMOUNT, True),
    ("Days at work, school or volunteering", BAM_DAYS, True),
    ("Enough income for necessities", BAM_YES_NO, True),
    ("Troubled by conflict with family or friends", BAM_AMOUNT, True),
    ("Days in contact with supportive family or friends", BAM_DAYS, True),
    ("Satisfied with recovery progress", BAM_AMOUNT, True),
]

BAM = Instrument(
    code="BAM",
    name="Brief Addiction Monitor",
    summary="Use, risk and protective factors (monitoring)",
    period="Past 30 days",
    items=tuple(
        Item(f"bam_{i}", str(i), text, opts, scored=scored)
        for i, (text, opts, scored) in enumerate(_BAM_ITEMS, start=1)
    ),
    scorer=subscale_scorer,
    # BAM's "band" is an object; the per-subscale codes are listed in `subscales`.
    bands=static_bands(Band("object", "Per subscale", 0)),
    band_codes=("use: no_use/any_use", "risk: not_elevated/elevated", "protective: adequate/low"),
    subscales=(
        Subscale("use", "Use", (4, 5, 6), ("no_use", "any_use")),
        Subscale("risk", "Risk factors", (1, 2, 3, 8, 11, 15), ("not_elevated", "elevated")),
        Subscale("protective", "Protective factors", (9, 10, 12, 13, 14, 16), ("adequate", "low")),
    ),
    settings_used=("bam_use_cutoff", "bam_risk_cutoff", "bam_protective_cutoff"),
    source="Cacciola et al. 2013 (PMC3602977); cut-offs from Blueprint BAM help [secondary]",
    notes=(
        "17 Likert codes 0-4; item 7 is a placeholder and is not scored; item 14 is No = 0, Yes = 4.",
        "Total and band are objects: use (4,5,6) ≥ 1 any_use; risk (1,2,3,8,11,15) ≥ 12 elevated; "
        "protective (9,10,12,13,14,16) ≤ 12 low. No single total is validated.",
    ),
    guidance=(
        "Question 7 is not scored. There is no single total: the results are three sums — use "
        "(questions 4-6, any use at 1 or more), risk factors (1, 2, 3, 8, 11, 15; elevated at 12 or more) "
        "and protective factors (9, 10, 12, 13, 14, 16; low at 12 or less).",
    ),
)

# --- DSM-5 SUD severity --------------------------------------------------------------------------
SUBSTANCE_CLASSES = (
    "alcohol",
    "cannabis",
    "phencyclidine",
    "other_hallucinogen",
    "inhalant",
    "opioid",
    "sedative_hypnotic_anxiolytic",
    "stimulant",
    "tobacco",
    "other",
)
_DSM5_CRITERIA = [
    ("c1_larger_or_longer", "Taken in larger amounts or for longer than intended"),
    ("c2_cut_down_unsuccessful", "Wants to cut down, or tried without success"),
    ("c3_time_spent", "Much time spent getting, using or recovering"),
    ("c4_craving", "Craving"),
    ("c5_role_failure", "Failing major duties at work, school or home"),
    ("c6_social_problems", "Continued use despite social or relationship problems"),
    ("c7_activities_given_up", "Important activities given up"),
    ("c8_hazardous_use", "Use in physically hazardous situations"),
    ("c9_physical_or_psych_problem", "Continued use despite a physical or psychological problem"),
    ("c10_tolerance", "Tolerance"),
    ("c11_withdrawal", "Withdrawal"),
]

DSM5_SUD = Instrument(
    code="DSM-5-SUD",
    name="DSM-5 substance use disorder severity",
    summary="Criteria count for one substance class",
    period="Past 12 months",
    items=tuple(
        Item(key, str(i), text, (Option(0, "Not met", 0), Option(1, "Met", 1)))
        for i, (key, text) in enumerate(_DSM5_CRITERIA, start=1)
    ),
    scorer=dsm5_scorer,
    bands=static_bands(
        Band("none", "No disorder (0-1 criteria)", 0),
        Band("mild", "Mild (2-3)", 2),
        Band("moderate", "Moderate (4-5)", 4),
        Band("severe", "Severe (6 or more)", 6),
    ),
    band_codes=("none", "mild", "moderate", "severe"),
    response_format="criteria",
    total_range=(0, 11),
    alert_codes=("dsm5_tolerance_withdrawal_excluded_medical_supervision",),
    clinician_rated=True,
    criteria=CriteriaSpec(
        class_field="substance_class",
        classes=SUBSTANCE_CLASSES,
        supervision_field="taken_solely_under_appropriate_medical_supervision",
        supervision_classes=("opioid", "sedative_hypnotic_anxiolytic", "stimulant"),
        no_withdrawal_classes=("phencyclidine", "other_hallucinogen", "inhalant"),
        excludable=("c10_tolerance", "c11_withdrawal"),
    ),
    source="DSM-5 (2013); Hasin et al. 2013; PMC7993020",
    notes=(
        "Tolerance and withdrawal do not count for opioids, sedatives/hypnotics/anxiolytics and stimulants "
        "taken solely under appropriate medical supervision.",
        "Phencyclidine, other hallucinogens and inhalants have no withdrawal criterion: c11_withdrawal must "
        "be false.",
    ),
    guidance=(
        "Tolerance and withdrawal do not count for opioids, sedatives, hypnotics, anxiolytics and stimulants "
        "taken only as prescribed under medical supervision.",
        "Phencyclidine, other hallucinogens and inhalants have no withdrawal criterion: leave withdrawal "
        "unmet for them.",
    ),
)
