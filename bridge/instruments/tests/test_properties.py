"""Property-based checks over every valid answer set (hypothesis).

Thresholds here are written out again from the reference, independently of the definitions, so a
wrong cut-off in the code fails a property rather than agreeing with itself.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.instruments import INSTRUMENTS, ScoringSettings, score
from bridge.instruments.model import AuditCScheme, CiwaScheme, Instrument

LIST_CODES = [c for c, i in INSTRUMENTS.items() if i.response_format != "criteria"]

# code -> [(lower bound, band)], from reference/instruments.md (defaults).
THRESHOLDS = {
    "PHQ-9": [(0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately_severe"), (20, "severe")],
    "PHQ-2": [(0, "negative"), (3, "positive")],
    "GAD-7": [(0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")],
    "GAD-2": [(0, "negative"), (3, "positive")],
    "AUDIT": [(0, "zone_I"), (8, "zone_II"), (16, "zone_III"), (20, "zone_IV")],
    "DAST-10": [(0, "none"), (1, "low"), (3, "moderate"), (6, "substantial"), (9, "severe")],
    "CIWA-Ar": [(0, "mild"), (10, "moderate"), (19, "severe")],
    "COWS": [(0, "none"), (5, "mild"), (13, "moderate"), (25, "moderately_severe"), (37, "severe")],
    "PCL-5": [(0, "below_cutoff"), (33, "probable_ptsd")],
}
RANGES = {
    "PHQ-9": 27,
    "PHQ-2": 6,
    "GAD-7": 21,
    "GAD-2": 6,
    "AUDIT": 40,
    "AUDIT-C": 12,
    "DAST-10": 10,
    "CIWA-Ar": 67,
    "COWS": 48,
    "PCL-5": 80,
}
BAND_ORDER = {code: [band for _, band in rows] for code, rows in THRESHOLDS.items()}


def expected_band(code: str, total: int) -> str:
    band = ""
    for lower, name in THRESHOLDS[code]:
        if total >= lower:
            band = name
    return band


def apply_skips(instrument: Instrument, answers: list[int]) -> list[int]:
    if instrument.skip_rule is None:
        return answers
    skipped = instrument.skip_rule(answers)
    return [0 if item.key in skipped else a for item, a in zip(instrument.items, answers, strict=True)]


@st.composite
def answer_sets(draw, code: str) -> list[int]:
    instrument = INSTRUMENTS[code]
    answers = [draw(st.sampled_from(item.allowed_values)) for item in instrument.items]
    return apply_skips(instrument, answers)


@st.composite
def code_and_answers(draw):
    code = draw(st.sampled_from(LIST_CODES))
    return code, draw(answer_sets(code))


def _score(code: str, answers: list[int], **kwargs):
    if code == "AUDIT-C":
        kwargs.setdefault("sex", "male")
    return score(code, answers, **kwargs)


@settings(max_examples=400, deadline=None)
@given(code_and_answers())
def test_totals_stay_in_range(case):
    code, answers = case
    result = _score(code, answers)
    if code in RANGES:
        assert 0 <= result.total <= RANGES[code]
    elif code == "BAM":
        assert 0 <= result.total["use"] <= 12
        assert 0 <= result.total["risk"] <= 24 and 0 <= result.total["protective"] <= 24
    else:
        assert result.total is None


@settings(max_examples=400, deadline=None)
@given(code_and_answers())
def test_band_is_the_highest_cut_off_reached(case):
    code, answers = case
    if code not in THRESHOLDS:
        return
    result = _score(code, answers)
    assert result.band == expected_band(code, result.total)


@settings(max_examples=400, deadline=None)
@given(code_and_answers(), st.data())
def test_raising_one_answer_never_lowers_the_total_or_band(case, data):
    code, answers = case
    instrument = INSTRUMENTS[code]
    index = data.draw(st.integers(0, instrument.item_count - 1))
    item = instrument.items[index]
    higher = [v for v in item.allowed_values if item.points_for(v) > item.points_for(answers[index])]
    if not higher:
        return
    raised = list(answers)
    raised[index] = data.draw(st.sampled_from(higher))
    if apply_skips(instrument, raised) != raised:
        return  # the raise would answer a skipped item (or open a new branch); not comparable
    before, after = _score(code, answers), _score(code, raised)
    if isinstance(before.total, int):
        assert after.total >= before.total
        if item.scored:
            assert after.total > before.total
        if code in BAND_ORDER:
            assert BAND_ORDER[code].index(after.band) >= BAND_ORDER[code].index(before.band)
    elif isinstance(before.total, dict):
        assert all(after.total[k] >= before.total[k] for k in before.total)
    else:  # C-SSRS: more "yes" answers never lower the risk
        order = ["none", "low", "moderate", "high"]
        assert order.index(after.band) >= order.index(before.band)


@settings(max_examples=300, deadline=None)
@given(answer_sets("PHQ-9"))
def test_phq9_item9_alert_whatever_the_total(answers):
    assert ("phq9_item9_positive" in _score("PHQ-9", answers).alerts) == (answers[8] >= 1)


@settings(max_examples=300, deadline=None)
@given(answer_sets("AUDIT"))
def test_audit_alerts(answers):
    alerts = set(_score("AUDIT", answers).alerts)
    assert ("audit_dependence_item_ge2" in alerts) == any(a >= 2 for a in answers[3:6])
    assert ("audit_harm_item_eq4" in alerts) == (answers[8] == 4 or answers[9] == 4)


@settings(max_examples=300, deadline=None)
@given(answer_sets("AUDIT-C"), st.sampled_from(["female", "male"]), st.booleans())
def test_audit_c_band_and_alerts(answers, sex, strict):
    scheme = AuditCScheme.MEN_5 if strict else AuditCScheme.BRADLEY
    result = score("AUDIT-C", answers, sex=sex, settings=ScoringSettings(auditc_scheme=scheme))
    total = sum(answers)
    cutoff = 3 if sex == "female" else (5 if strict else 4)
    assert result.total == total
    assert result.band == ("none" if total == 0 else "positive" if total >= cutoff else "negative")
    assert ("auditc_points_from_q1_only" in result.alerts) == (total > 0 and answers[1] == answers[2] == 0)
    assert ("auditc_score_ge8" in result.alerts) == (total >= 8)


@settings(max_examples=300, deadline=None)
@given(answer_sets("DAST-10"))
def test_dast10_reverses_item_3(answers):
    expected = sum(a for i, a in enumerate(answers) if i != 2) + (1 - answers[2])
    assert _score("DAST-10", answers).total == expected


@settings(max_examples=300, deadline=None)
@given(answer_sets("PCL-5"))
def test_pcl5_cluster_alert(answers):
    def endorsed(first: int, last: int) -> int:
        return sum(1 for a in answers[first - 1 : last] if a >= 2)

    met = endorsed(1, 5) >= 1 and endorsed(6, 7) >= 1 and endorsed(8, 14) >= 2 and endorsed(15, 20) >= 2
    assert ("pcl5_dsm5_provisional_ptsd" in _score("PCL-5", answers).alerts) == met


@settings(max_examples=300, deadline=None)
@given(answer_sets("CIWA-Ar"))
def test_ciwa_camcops_scheme(answers):
    result = score("CIWA-Ar", answers, settings=ScoringSettings(ciwa_scheme=CiwaScheme.CAMCOPS))
    total = sum(answers)
    assert result.band == ("mild" if total < 8 else "moderate" if total < 15 else "severe")


@settings(max_examples=300, deadline=None)
@given(answer_sets("BAM"))
def test_bam_subscales(answers):
    result = _score("BAM", answers)
    use = answers[3] + answers[4] + answers[5]
    risk = sum(answers[n - 1] for n in (1, 2, 3, 8, 11, 15))
    protective = sum(answers[n - 1] for n in (9, 10, 12, 13, 14, 16))
    assert result.total == {"use": use, "risk": risk, "protective": protective}
    assert result.band == {
        "use": "any_use" if use >= 1 else "no_use",
        "risk": "elevated" if risk >= 12 else "not_elevated",
        "protective": "low" if protective <= 12 else "adequate",
    }


@settings(max_examples=300, deadline=None)
@given(answer_sets("C-SSRS-Screener"))
def test_cssrs_triage_and_high_exactly_when_an_alert_names_its_item(answers):
    result = _score("C-SSRS-Screener", answers)
    q1, q2, q3, q4, q5, q6, recent = answers
    high = bool(q4 or q5 or (q6 and recent))
    assert (result.band == "high") == high == bool(result.alerts)
    if not high:
        assert result.band == ("moderate" if q3 or q6 else "low" if q1 or q2 else "none")


CRITERIA = [item.key for item in INSTRUMENTS["DSM-5-SUD"].items]
_DSM5_CRITERIA = INSTRUMENTS["DSM-5-SUD"].criteria
assert _DSM5_CRITERIA is not None  # the DSM-5 checklist is scored by criteria
DSM5_CLASSES = _DSM5_CRITERIA.classes


@st.composite
def dsm5_answers(draw):
    substance = draw(st.sampled_from(DSM5_CLASSES))
    answers = {key: draw(st.booleans()) for key in CRITERIA}
    if substance in ("phencyclidine", "other_hallucinogen", "inhalant"):
        answers["c11_withdrawal"] = False
    return {
        "substance_class": substance,
        "taken_solely_under_appropriate_medical_supervision": draw(st.booleans()),
        **answers,
    }


@settings(max_examples=400, deadline=None)
@given(dsm5_answers())
def test_dsm5_count_band_and_exclusion(answers):
    result = score("DSM-5-SUD", answers)
    excluded = answers["taken_solely_under_appropriate_medical_supervision"] and answers[
        "substance_class"
    ] in (
        "opioid",
        "sedative_hypnotic_anxiolytic",
        "stimulant",
    )
    counted = [
        k for k in CRITERIA if answers[k] and not (excluded and k in ("c10_tolerance", "c11_withdrawal"))
    ]
    assert result.total == len(counted) <= 11
    n = len(counted)
    assert result.band == ("none" if n < 2 else "mild" if n < 4 else "moderate" if n < 6 else "severe")
    dropped = excluded and (answers["c10_tolerance"] or answers["c11_withdrawal"])
    assert result.alerts == (("dsm5_tolerance_withdrawal_excluded_medical_supervision",) if dropped else ())
