"""Completing measures in a real browser: staff give a PHQ-9, the participant answers a GAD-7 through
their private link (no login), and both appear on the chart; an item-9 alert is acknowledged."""

from __future__ import annotations

import re

import pytest

from bridge.intake.models import InstrumentAdministration
from bridge.measures.models import AlertAcknowledgement
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHQ9 = ["Several days"] * 4 + ["Not at all"] * 4 + ["Several days"]  # total 5, item 9 = several days


def _answer(page, answers):
    for fieldset, answer in zip(page.locator("fieldset.question").all(), answers, strict=True):
        # Staff see "Several days (1)", the participant "Several days": match the words.
        fieldset.get_by_label(re.compile(re.escape(answer))).check()


def test_staff_and_participant_complete_measures_and_see_them_on_the_chart(admitted, page, chromium):
    w = admitted
    browser_login(page, "therapist_a", PASSWORD)
    page.goto(f"/participants/{w.alex.pk}/")
    measures = page.locator("section", has=page.locator("#measures-h"))
    measures.get_by_text("Overdue").first.wait_for()
    measures.get_by_role("link", name="Give now").first.click()
    page.get_by_role("heading", name=re.compile("PHQ-9")).wait_for()
    _answer(page, PHQ9)
    page.get_by_role("button", name="Save PHQ-9").click()
    page.get_by_text(re.compile("PHQ-9 saved: 5, Mild. Safety alert")).wait_for()

    # The participant answers the GAD-7 on their own, without signing in.
    page.get_by_label("Measure").select_option("GAD-7")
    page.get_by_role("button", name="Make a link").click()
    url = page.locator("#measure-link").inner_text().strip()
    other = chromium.new_context()
    participant_page = other.new_page()
    participant_page.goto(url)
    participant_page.get_by_role("heading", name="A few questions from your care team").wait_for()
    _answer(participant_page, ["More than half the days"] * 7)
    participant_page.get_by_role("button", name="Send my answers").click()
    participant_page.get_by_role("heading", name=re.compile("your answers were sent")).wait_for()
    participant_page.goto(url)
    participant_page.get_by_role("heading", name="This link does not work any more").wait_for()
    other.close()

    page.goto(f"/participants/{w.alex.pk}/")
    alert = page.get_by_role("region", name=re.compile("Safety alert"))
    alert.get_by_text(re.compile("PHQ-9 item 9")).wait_for()
    chart = page.locator("figure.measure-chart svg[aria-labelledby^='chart-gad-7']")
    chart.wait_for()  # the measures' charts load after the page's first paint
    assert chart.count() == 1 and "GAD-7 over time" in chart.inner_html()
    assert "Latest 14" in page.locator("section:has(> #trend-gad-7)").inner_text().replace("\n", " ")
    alert.get_by_label("What was done (required)").fill("Safety plan reviewed together.")
    alert.get_by_role("button", name="Acknowledge alert").click()
    page.get_by_text("PHQ-9 alert acknowledged.").wait_for()
    assert page.get_by_role("region", name=re.compile("Safety alert")).count() == 0
    assert InstrumentAdministration.objects.filter(participant=w.alex).count() == 2
    assert AlertAcknowledgement.objects.get().acknowledged_by == w.therapist_a
