"""Every instrument at every band boundary, and every alert, from hand-written tables.

The expected totals and bands are copied from reference/instruments.md, not computed by the code
under test. `spread` builds an answer set with a given total using only arithmetic.
"""

from __future__ import annotations

import pytest

from bridge.instruments import ScoringSettings, score
from bridge.instruments.model import AuditCScheme, CiwaScheme


def spread(total: int, n: int, top: int, tail: int = 0) -> list[int]:
    """n answers, each 0..top, filled from the front, summing to `total`; `tail` zeros appended."""
    answers = []
    for _ in range(n):
        take = min(top, total)
        answers.append(take)
        total -= take
    assert total == 0, "spread: total too large for the item count"
    return answers + [0] * tail


BOUNDARIES = [
    # PHQ-9: item 9 is kept at 0 so no alert interferes (0-4 minimal, 5 mild, 10 moderate, 15, 20).
    ("PHQ-9", spread(0, 8, 3, 1), 0, "minimal"),
    ("PHQ-9", spread(4, 8, 3, 1), 4, "minimal"),
    ("PHQ-9", spread(5, 8, 3, 1), 5, "mild"),
    ("PHQ-9", spread(9, 8, 3, 1), 9, "mild"),
    ("PHQ-9", spread(10, 8, 3, 1), 10, "moderate"),
    ("PHQ-9", spread(14, 8, 3, 1), 14, "moderate"),
    ("PHQ-9", spread(15, 8, 3, 1), 15, "moderately_severe"),
    ("PHQ-9", spread(19, 8, 3, 1), 19, "moderately_severe"),
    ("PHQ-9", spread(20, 8, 3, 1), 20, "severe"),
    ("PHQ-9", [3] * 9, 27, "severe"),
    ("PHQ-2", [0, 0], 0, "negative"),
    ("PHQ-2", [1, 1], 2, "negative"),
    ("PHQ-2", [2, 1], 3, "positive"),
    ("PHQ-2", [3, 3], 6, "positive"),
    ("GAD-7", [0] * 7, 0, "minimal"),
    ("GAD-7", spread(4, 7, 3), 4, "minimal"),
    ("GAD-7", spread(5, 7, 3), 5, "mild"),
    ("GAD-7", spread(9, 7, 3), 9, "mild"),
    ("GAD-7", spread(10, 7, 3), 10, "moderate"),
    ("GAD-7", spread(14, 7, 3), 14, "moderate"),
    ("GAD-7", spread(15, 7, 3), 15, "severe"),
    ("GAD-7", [3] * 7, 21, "severe"),
    ("GAD-2", [1, 1], 2, "negative"),
    ("GAD-2", [0, 3], 3, "positive"),
    # AUDIT zones I 0-7, II 8-15, III 16-19, IV 20-40 (answers kept clear of the item alerts).
    ("AUDIT", [0] * 10, 0, "zone_I"),
    ("AUDIT", [4, 3, 0, 0, 0, 0, 0, 0, 0, 0], 7, "zone_I"),
    ("AUDIT", [4, 4, 0, 0, 0, 0, 0, 0, 0, 0], 8, "zone_II"),
    ("AUDIT", [4, 4, 4, 1, 1, 1, 1, 0, 0, 0], 16, "zone_III"),
    ("AUDIT", [4, 4, 4, 1, 1, 1, 0, 0, 0, 0], 15, "zone_II"),
    ("AUDIT", [4, 4, 4, 1, 1, 1, 4, 0, 0, 0], 19, "zone_III"),
    ("AUDIT", [4, 4, 4, 1, 1, 1, 4, 1, 0, 0], 20, "zone_IV"),
    ("AUDIT", [4] * 10, 40, "zone_IV"),
    ("AUDIT", [0, 0, 0, 0, 0, 0, 0, 0, 2, 2], 4, "zone_I"),
    # DAST-10 raw answers; item 3 reversed. All "No" = 1, all "Yes" = 9.
    ("DAST-10", [0, 0, 1, 0, 0, 0, 0, 0, 0, 0], 0, "none"),
    ("DAST-10", [0] * 10, 1, "low"),
    ("DAST-10", [1, 0, 0, 0, 0, 0, 0, 0, 0, 0], 2, "low"),
    ("DAST-10", [1, 1, 0, 0, 0, 0, 0, 0, 0, 0], 3, "moderate"),
    ("DAST-10", [1, 1, 0, 1, 1, 0, 0, 0, 0, 0], 5, "moderate"),
    ("DAST-10", [1, 1, 0, 1, 1, 1, 0, 0, 0, 0], 6, "substantial"),
    ("DAST-10", [1, 1, 0, 1, 1, 1, 1, 1, 0, 0], 8, "substantial"),
    ("DAST-10", [1] * 10, 9, "severe"),
    ("DAST-10", [1, 1, 0, 1, 1, 1, 1, 1, 1, 1], 10, "severe"),
    # CIWA-Ar, ASAM 2020 default: < 10 mild, 10-18 moderate, >= 19 severe; item 10 is 0-4; max 67.
    ("CIWA-Ar", [0] * 10, 0, "mild"),
    ("CIWA-Ar", spread(9, 9, 7, 1), 9, "mild"),
    ("CIWA-Ar", spread(10, 9, 7, 1), 10, "moderate"),
    ("CIWA-Ar", spread(18, 9, 7, 1), 18, "moderate"),
    ("CIWA-Ar", spread(19, 9, 7, 1), 19, "severe"),
    ("CIWA-Ar", [7] * 9 + [4], 67, "severe"),
    # COWS with its uneven point values: < 5 none, 5-12 mild, 13-24 moderate, 25-36 mod. severe, > 36.
    ("COWS", [0] * 11, 0, "none"),
    ("COWS", [4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 4, "none"),
    ("COWS", [4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], 5, "mild"),
    ("COWS", [4, 4, 0, 0, 4, 0, 0, 0, 0, 0, 0], 12, "mild"),
    ("COWS", [4, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0], 13, "moderate"),
    ("COWS", [4, 4, 5, 5, 4, 2, 0, 0, 0, 0, 0], 24, "moderate"),
    ("COWS", [4, 4, 5, 5, 4, 2, 1, 0, 0, 0, 0], 25, "moderately_severe"),
    ("COWS", [4, 4, 5, 5, 4, 4, 5, 4, 1, 0, 0], 36, "moderately_severe"),
    ("COWS", [4, 4, 5, 5, 4, 4, 5, 4, 2, 0, 0], 37, "severe"),
    ("COWS", [4, 4, 5, 5, 4, 4, 5, 4, 4, 4, 5], 48, "severe"),
    # PCL-5 default >= 33; answers kept under 2 where possible so the cluster alert stays off.
    ("PCL-5", [0] * 20, 0, "below_cutoff"),
    ("PCL-5", [1] * 20 + [], 20, "below_cutoff"),
    ("PCL-5", [4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 32, "below_cutoff"),
    ("PCL-5", [4, 4, 4, 4, 4, 4, 4, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 33, "probable_ptsd"),
    ("PCL-5", [4] * 20, 80, "probable_ptsd"),
]


@pytest.mark.parametrize(("code", "responses", "total", "band"), BOUNDARIES)
def test_band_at_each_boundary(code, responses, total, band):
    result = score(code, responses)
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(
    ("sex", "responses", "total", "band"),
    [
        ("male", [0, 0, 0], 0, "none"),
        ("male", [1, 0, 0], 1, "negative"),
        ("male", [1, 1, 1], 3, "negative"),
        ("male", [2, 1, 1], 4, "positive"),
        ("female", [0, 0, 0], 0, "none"),
        ("female", [1, 1, 0], 2, "negative"),
        ("female", [1, 1, 1], 3, "positive"),
        ("female", [4, 4, 4], 12, "positive"),
    ],
)
def test_audit_c_cut_offs_differ_by_sex(sex, responses, total, band):
    result = score("AUDIT-C", responses, sex=sex)
    assert (result.total, result.band) == (total, band)


ALTERNATIVES = [
    (ScoringSettings(ciwa_scheme=CiwaScheme.CAMCOPS), "CIWA-Ar", spread(7, 9, 7, 1), "mild"),
    (ScoringSettings(ciwa_scheme=CiwaScheme.CAMCOPS), "CIWA-Ar", spread(8, 9, 7, 1), "moderate"),
    (ScoringSettings(ciwa_scheme=CiwaScheme.CAMCOPS), "CIWA-Ar", spread(14, 9, 7, 1), "moderate"),
    (ScoringSettings(ciwa_scheme=CiwaScheme.CAMCOPS), "CIWA-Ar", spread(15, 9, 7, 1), "severe"),
    (ScoringSettings(pcl5_cutoff=31), "PCL-5", [4] * 7 + [2] + [0] * 12, "below_cutoff"),  # 30
    (ScoringSettings(pcl5_cutoff=31), "PCL-5", [4] * 7 + [3] + [0] * 12, "probable_ptsd"),  # 31
    (ScoringSettings(phq2_cutoff=2), "PHQ-2", [1, 0], "negative"),
    (ScoringSettings(phq2_cutoff=2), "PHQ-2", [1, 1], "positive"),
    (ScoringSettings(gad2_cutoff=2), "GAD-2", [0, 1], "negative"),
    (ScoringSettings(gad2_cutoff=2), "GAD-2", [2, 0], "positive"),
]


@pytest.mark.parametrize(("scoring", "code", "responses", "band"), ALTERNATIVES)
def test_program_alternative_cut_offs(scoring, code, responses, band):
    assert score(code, responses, settings=scoring).band == band


def test_audit_c_alternative_moves_only_the_mens_cut_off():
    strict = ScoringSettings(auditc_scheme=AuditCScheme.MEN_5)
    assert score("AUDIT-C", [2, 1, 1], sex="male", settings=strict).band == "negative"  # 4
    assert score("AUDIT-C", [2, 2, 1], sex="male", settings=strict).band == "positive"  # 5
    assert score("AUDIT-C", [1, 1, 1], sex="female", settings=strict).band == "positive"  # 3


def test_defaults_are_the_first_rules():
    defaults = ScoringSettings()
    assert defaults.ciwa_scheme == "asam" and defaults.pcl5_cutoff == 33
    assert defaults.phq2_cutoff == defaults.gad2_cutoff == 3 and defaults.auditc_scheme == "bradley"
    assert (defaults.bam_use_cutoff, defaults.bam_risk_cutoff, defaults.bam_protective_cutoff) == (1, 12, 12)


# --- Alerts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "responses", "alerts"),
    [
        ("PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, 1], {"phq9_item9_positive"}),
        ("PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, 3], {"phq9_item9_positive"}),
        ("PHQ-9", [3, 3, 3, 3, 3, 3, 3, 3, 0], set()),
        ("AUDIT", [1, 1, 0, 2, 0, 0, 0, 0, 0, 0], {"audit_dependence_item_ge2"}),
        ("AUDIT", [1, 1, 0, 0, 0, 2, 0, 0, 0, 0], {"audit_dependence_item_ge2"}),
        # The per-item reading: 1 + 1 on Q4-Q5 sums to 2 but is not an alert.
        ("AUDIT", [1, 1, 0, 1, 1, 0, 0, 0, 0, 0], set()),
        ("AUDIT", [0, 0, 0, 0, 0, 0, 0, 0, 4, 0], {"audit_harm_item_eq4"}),
        ("AUDIT", [0, 0, 0, 0, 0, 0, 0, 0, 0, 4], {"audit_harm_item_eq4"}),
        ("AUDIT", [0, 0, 0, 0, 0, 0, 0, 0, 2, 2], set()),
        ("AUDIT", [4, 4, 4, 4, 4, 4, 4, 4, 4, 4], {"audit_dependence_item_ge2", "audit_harm_item_eq4"}),
        # 12 points, far below the cut-off, yet the cluster rule is met: the alert is independent.
        (
            "PCL-5",
            [2, 0, 0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0],
            {"pcl5_dsm5_provisional_ptsd"},
        ),
        ("PCL-5", [2, 0, 0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0], set()),  # only 1 E item
        ("PCL-5", [0, 0, 0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0], set()),  # no B item
        ("PCL-5", [4] * 5 + [0, 0] + [4] * 13, set()),  # 72 points, no C item
    ],
)
def test_item_alerts(code, responses, alerts):
    assert set(score(code, responses).alerts) == alerts


def test_pcl5_total_above_cut_off_without_the_cluster_rule():
    result = score("PCL-5", [4] * 5 + [0, 0] + [4] * 13)
    assert result.band == "probable_ptsd" and result.alerts == ()


@pytest.mark.parametrize(
    ("responses", "total", "alerts"),
    [
        ([1, 0, 0], 1, {"auditc_points_from_q1_only"}),
        ([4, 0, 0], 4, {"auditc_points_from_q1_only"}),
        ([4, 1, 0], 5, set()),
        ([0, 0, 0], 0, set()),
        ([4, 4, 0], 8, {"auditc_score_ge8"}),
        ([4, 2, 1], 7, set()),
    ],
)
def test_audit_c_alerts(responses, total, alerts):
    result = score("AUDIT-C", responses, sex="female")
    assert result.total == total and set(result.alerts) == alerts


@pytest.mark.parametrize(
    ("responses", "band", "alerts"),
    [
        ([0, 0, 0, 0, 0, 0, 0], "none", set()),
        ([1, 0, 0, 0, 0, 0, 0], "low", set()),
        ([1, 1, 0, 0, 0, 0, 0], "low", set()),
        ([1, 1, 1, 0, 0, 0, 0], "moderate", set()),
        ([0, 0, 0, 0, 0, 1, 0], "moderate", set()),  # behaviour, but longer ago than 3 months
        ([1, 1, 1, 1, 0, 0, 0], "high", {"cssrs_q4_intent"}),
        ([1, 1, 1, 0, 1, 0, 0], "high", {"cssrs_q5_plan"}),
        ([0, 0, 0, 0, 0, 1, 1], "high", {"cssrs_q6_behavior_past_3_months"}),
        (
            [1, 1, 1, 1, 1, 1, 1],
            "high",
            {"cssrs_q4_intent", "cssrs_q5_plan", "cssrs_q6_behavior_past_3_months"},
        ),
    ],
)
def test_cssrs_triage_and_its_alerts(responses, band, alerts):
    result = score("C-SSRS-Screener", responses)
    assert result.total is None
    assert result.band == band and set(result.alerts) == alerts


# --- BAM ------------------------------------------------------------------------------------------


def bam(**items: int) -> list[int]:
    answers = [0] * 17
    for key, value in items.items():
        answers[int(key[1:]) - 1] = value
    return answers


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        (
            bam(),
            {"use": 0, "risk": 0, "protective": 0},
            {"use": "no_use", "risk": "not_elevated", "protective": "low"},
        ),
        (
            bam(i5=1),
            {"use": 1, "risk": 0, "protective": 0},
            {"use": "any_use", "risk": "not_elevated", "protective": "low"},
        ),
        # Risk = items 1, 2, 3, 8, 11, 15: 11 is below, 12 is elevated.
        (
            bam(i1=4, i2=4, i3=3),
            {"use": 0, "risk": 11, "protective": 0},
            {"use": "no_use", "risk": "not_elevated", "protective": "low"},
        ),
        (
            bam(i1=4, i8=4, i15=4),
            {"use": 0, "risk": 12, "protective": 0},
            {"use": "no_use", "risk": "elevated", "protective": "low"},
        ),
        # Protective = items 9, 10, 12, 13, 14, 16: 12 is low, 13 adequate. Item 14 is 0 or 4.
        (
            bam(i9=4, i14=4, i16=4),
            {"use": 0, "risk": 0, "protective": 12},
            {"use": "no_use", "risk": "not_elevated", "protective": "low"},
        ),
        (
            bam(i9=4, i14=4, i16=4, i12=1),
            {"use": 0, "risk": 0, "protective": 13},
            {"use": "no_use", "risk": "not_elevated", "protective": "adequate"},
        ),
        # Item 7 (placeholder) and item 17 are in no subscale.
        (
            bam(i7=4, i17=4),
            {"use": 0, "risk": 0, "protective": 0},
            {"use": "no_use", "risk": "not_elevated", "protective": "low"},
        ),
    ],
)
def test_bam_subscales_at_their_cut_offs(answers, total, band):
    result = score("BAM", answers)
    assert result.total == total and result.band == band and result.alerts == ()


def test_bam_cut_offs_are_program_settings():
    settings = ScoringSettings(bam_risk_cutoff=8, bam_protective_cutoff=6, bam_use_cutoff=2)
    result = score("BAM", bam(i1=4, i2=4, i5=1, i9=4, i10=3), settings=settings)
    assert result.band == {"use": "no_use", "risk": "elevated", "protective": "adequate"}


# --- DSM-5 SUD ------------------------------------------------------------------------------------

CRITERIA = [
    "c1_larger_or_longer",
    "c2_cut_down_unsuccessful",
    "c3_time_spent",
    "c4_craving",
    "c5_role_failure",
    "c6_social_problems",
    "c7_activities_given_up",
    "c8_hazardous_use",
    "c9_physical_or_psych_problem",
    "c10_tolerance",
    "c11_withdrawal",
]


def criteria(met: int | list[str], substance: str = "alcohol", supervised: bool = False) -> dict:
    names = CRITERIA[:met] if isinstance(met, int) else met
    answers = {name: name in names for name in CRITERIA}
    return {
        "substance_class": substance,
        "taken_solely_under_appropriate_medical_supervision": supervised,
        **answers,
    }


@pytest.mark.parametrize(
    ("met", "band"),
    [
        (0, "none"),
        (1, "none"),
        (2, "mild"),
        (3, "mild"),
        (4, "moderate"),
        (5, "moderate"),
        (6, "severe"),
        (11, "severe"),
    ],
)
def test_dsm5_severity_by_criteria_count(met, band):
    result = score("DSM-5-SUD", criteria(met))
    assert (result.total, result.band, result.alerts) == (met, band, ())


@pytest.mark.parametrize("substance", ["opioid", "sedative_hypnotic_anxiolytic", "stimulant"])
def test_prescribed_tolerance_and_withdrawal_do_not_count(substance):
    answers = criteria(["c4_craving", "c10_tolerance", "c11_withdrawal"], substance, supervised=True)
    result = score("DSM-5-SUD", answers)
    assert result.total == 1 and result.band == "none"
    assert result.alerts == ("dsm5_tolerance_withdrawal_excluded_medical_supervision",)


def test_misused_medication_counts_tolerance_and_withdrawal_again():
    answers = criteria(["c4_craving", "c10_tolerance", "c11_withdrawal"], "opioid", supervised=False)
    assert score("DSM-5-SUD", answers).total == 3


def test_supervision_exclusion_does_not_apply_to_alcohol():
    answers = criteria(["c10_tolerance", "c11_withdrawal"], "alcohol", supervised=True)
    result = score("DSM-5-SUD", answers)
    assert result.total == 2 and result.band == "mild" and result.alerts == ()


def test_supervised_without_tolerance_or_withdrawal_raises_no_alert():
    result = score("DSM-5-SUD", criteria(["c1_larger_or_longer", "c4_craving"], "opioid", supervised=True))
    assert result.total == 2 and result.alerts == ()


@pytest.mark.parametrize("substance", ["phencyclidine", "other_hallucinogen", "inhalant"])
def test_ten_criteria_substances_score_without_withdrawal(substance):
    answers = criteria(CRITERIA[:10], substance)
    assert score("DSM-5-SUD", answers).total == 10
