"""Issue 21, finding 6 in a real browser: a free-text field counts down "N characters left" once it
is four-fifths full (bridge/static/bridge/limits.js, from the field's maxlength), and the server
refuses text over the limit with a field error, whatever the browser let through."""

from __future__ import annotations

import pytest

from bridge.aftercare.models import AftercarePlanVersion
from bridge.aftercare.services import PLAN_TEXT_LIMIT
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_countdown_shows_near_the_limit_and_the_server_refuses_more(admitted, page):
    w = admitted
    page.set_default_timeout(60_000)  # a shared, busy machine
    browser_login(page, "therapist_a", PASSWORD)
    page.goto(f"/participants/{w.alex.pk}/aftercare/plan/edit/")
    field = page.locator("#id_triggers")
    assert field.get_attribute("maxlength") == str(PLAN_TEXT_LIMIT)
    left = page.locator("#id_triggers-left")

    field.fill("x" * (PLAN_TEXT_LIMIT * 4 // 5 - 10))  # not yet four-fifths full: quiet
    assert left.count() == 0 or left.text_content() == ""
    field.press("End")
    field.press_sequentially("abcdefghijkl")  # typing past four-fifths: the countdown appears
    expected = PLAN_TEXT_LIMIT - (PLAN_TEXT_LIMIT * 4 // 5 + 2)
    assert left.text_content() == f"{expected} characters left"
    assert left.get_attribute("aria-live") == "polite"
    field.fill("y" * PLAN_TEXT_LIMIT)
    assert left.text_content() == "0 characters left"
    field.press("End")
    field.press_sequentially("zzz")  # the browser keeps to the limit
    assert len(field.input_value()) == PLAN_TEXT_LIMIT

    # Whatever gets past the browser (here the attribute is removed), the server refuses it.
    field.evaluate("el => el.removeAttribute('maxlength')")
    field.fill("w" * (PLAN_TEXT_LIMIT + 1))
    page.get_by_role("button", name="Save the plan").click()
    page.get_by_text(f"Ensure this value has at most {PLAN_TEXT_LIMIT} characters").wait_for()
    assert not AftercarePlanVersion.objects.exists()
