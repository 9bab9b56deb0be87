"""Bad input is refused with a message that names the field; nothing is guessed."""

from __future__ import annotations

import pytest

from bridge.instruments import INSTRUMENTS, ResponseError, UnknownInstrument, get, score
from bridge.instruments.tests.test_bands import criteria


def refused(code: str, responses, **kwargs) -> ResponseError:
    with pytest.raises(ResponseError) as info:
        score(code, responses, **kwargs)
    return info.value


@pytest.mark.parametrize("code", [c for c, i in INSTRUMENTS.items() if i.response_format != "criteria"])
def test_wrong_item_count_names_responses(code):
    n = INSTRUMENTS[code].item_count
    kwargs = {"sex": "male"} if code == "AUDIT-C" else {}
    for count in (0, n - 1, n + 1):
        error = refused(code, [0] * count, **kwargs)
        assert error.field == "responses" and str(n) in error.message


@pytest.mark.parametrize("bad", [1.0, "1", True, None, [1], {"a": 1}])
def test_non_integer_answers_are_refused(bad):
    error = refused("PHQ-9", [0, 0, 0, bad, 0, 0, 0, 0, 0])
    assert error.field == "responses[3]" and "item 4" in error.message


@pytest.mark.parametrize(
    ("code", "responses", "field"),
    [
        ("PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, 4], "responses[8]"),
        ("PHQ-9", [-1, 0, 0, 0, 0, 0, 0, 0, 0], "responses[0]"),
        ("AUDIT", [1, 1, 0, 0, 0, 0, 0, 0, 1, 0], "responses[8]"),  # items 9-10 take 0, 2 or 4 only
        ("AUDIT", [1, 1, 0, 0, 0, 0, 0, 0, 0, 3], "responses[9]"),
        ("COWS", [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "responses[0]"),  # pulse has no 3
        ("COWS", [0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0], "responses[2]"),  # restlessness 0/1/3/5
        ("COWS", [0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0], "responses[6]"),  # GI 0/1/2/3/5
        ("COWS", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4], "responses[10]"),  # gooseflesh 0/3/5
        ("CIWA-Ar", [0, 0, 0, 0, 0, 0, 0, 0, 0, 5], "responses[9]"),  # orientation 0-4
        ("CIWA-Ar", [8, 0, 0, 0, 0, 0, 0, 0, 0, 0], "responses[0]"),
        ("DAST-10", [2, 0, 0, 0, 0, 0, 0, 0, 0, 0], "responses[0]"),
        ("BAM", [0] * 13 + [2] + [0] * 3, "responses[13]"),  # item 14 is No 0 / Yes 4
        ("BAM", [5] + [0] * 16, "responses[0]"),
        ("PCL-5", [0] * 19 + [5], "responses[19]"),
        ("C-SSRS-Screener", [2, 0, 0, 0, 0, 0, 0], "responses[0]"),
    ],
)
def test_out_of_range_values_name_the_item(code, responses, field):
    error = refused(code, responses)
    assert error.field == field
    assert "must be one of" in error.message


def test_cows_option_index_is_not_a_point_value():
    # A form that stored the option position (3 = fourth choice) instead of its points (4) is caught.
    assert refused("COWS", [3] + [0] * 10).field == "responses[0]"
    assert score("COWS", [4] + [0] * 10).total == 4


@pytest.mark.parametrize("responses", ["0,1,2", {"0": 1}, 7, None])
def test_responses_must_be_a_list(responses):
    assert refused("GAD-7", responses).field == "responses"


def test_audit_skip_logic_refuses_answers_to_skipped_items_and_accepts_null():
    # Q1 "Never" skips Q2-8.
    assert refused("AUDIT", [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]).field == "responses[1]"
    # Q2 + Q3 = 0 skips Q4-8.
    assert refused("AUDIT", [2, 0, 0, 3, 0, 0, 0, 0, 0, 0]).field == "responses[3]"
    assert score("AUDIT", [0, None, None, None, None, None, None, None, 4, 2]).total == 6
    assert score("AUDIT", [2, 0, 0, None, None, None, None, None, 0, 0]).total == 2
    # Answered items are never null.
    assert refused("AUDIT", [2, 1, 0, None, 0, 0, 0, 0, 0, 0]).field == "responses[3]"


def test_cssrs_skip_logic():
    assert refused("C-SSRS-Screener", [1, 0, 1, 0, 0, 0, 0]).field == "responses[2]"  # q3 without q2
    assert refused("C-SSRS-Screener", [0, 0, 0, 0, 0, 0, 1]).field == "responses[6]"  # recency without q6
    assert score("C-SSRS-Screener", [1, 0, None, None, None, 0, None]).band == "low"


def test_audit_c_needs_a_valid_sex():
    assert refused("AUDIT-C", [1, 1, 1]).field == "sex"
    assert refused("AUDIT-C", [1, 1, 1], sex="other").field == "sex"
    assert score("PHQ-2", [1, 1], sex="anything").total == 2  # ignored where it plays no part


def test_dsm5_criteria_object_is_checked_field_by_field():
    good = criteria(3)
    assert refused("DSM-5-SUD", [True] * 11).field == "responses"
    for missing in ("substance_class", "taken_solely_under_appropriate_medical_supervision", "c4_craving"):
        answers = {k: v for k, v in good.items() if k != missing}
        assert refused("DSM-5-SUD", answers).field == f"responses.{missing}"
    assert refused("DSM-5-SUD", {**good, "c4_craving": 1}).field == "responses.c4_craving"
    assert refused("DSM-5-SUD", {**good, "substance_class": "caffeine"}).field == "responses.substance_class"
    assert refused("DSM-5-SUD", {**good, "c12_extra": True}).field == "responses.c12_extra"


@pytest.mark.parametrize("substance", ["phencyclidine", "other_hallucinogen", "inhalant"])
def test_withdrawal_is_invalid_where_dsm5_has_no_withdrawal_criterion(substance):
    error = refused("DSM-5-SUD", criteria(["c4_craving", "c11_withdrawal"], substance))
    assert error.field == "responses.c11_withdrawal" and "no withdrawal criterion" in error.message


def test_unknown_code_and_case_insensitive_lookup():
    with pytest.raises(UnknownInstrument):
        get("PHQ-10")
    assert get("phq-9").code == "PHQ-9"


def test_the_package_imports_without_django():
    import subprocess
    import sys

    code = (
        "import sys; import bridge.instruments, bridge.placement; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
