"""A person looking for help searches, ticks two programs, and compares them, in the real browser."""

from __future__ import annotations

import pytest

from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_then_compare_two_programs(listed, make_facility, page):
    make_facility("Bay Recovery Center", "94103", codes=("SA", "IOP", "MD", "JC"))
    make_facility("Hills Outpatient", "94610", codes=("SA", "IOP", "MD"))
    make_facility("Residential Only", "94610", codes=("SA", "RES", "MD"), at=(37.80, -122.21))
    page.goto("/find/")
    page.get_by_label("ZIP code or city").fill("94607")
    page.get_by_label("Within").select_option("25")
    page.get_by_label("Type of program").select_option("iop")
    page.get_by_role("group", name="Payment").get_by_label("Medicaid").check()
    page.get_by_role("button", name="Search").first.click()
    heading = page.get_by_role("heading", name="3 programs within 25 miles of ZIP code 94607 (Oakland, CA)")
    heading.wait_for()
    assert "setting=iop" in page.url and "payment=MD" in page.url  # the search can be shared as a link
    results = page.locator("ol.results > li")
    assert results.locator("h3").all_inner_texts() == ["Harbor", "Hills Outpatient", "Bay Recovery Center"]
    assert "Live from the program" in results.nth(0).inner_text()
    assert "SAMHSA listing" in results.nth(2).inner_text()

    page.get_by_role("checkbox", name="Compare Harbor").check()
    page.get_by_role("checkbox", name="Compare Bay Recovery Center").check()
    assert "2 of 4 ticked" in page.locator("#compare-status").inner_text()
    page.get_by_role("button", name="Compare selected").click()

    page.get_by_role("heading", name="Compare programs").wait_for()
    table = page.get_by_role("table")
    columns = table.locator("thead th").all_inner_texts()
    assert (
        len(columns) == 2 and columns[0].startswith("Harbor") and columns[1].startswith("Bay Recovery Center")
    )
    accreditation = table.get_by_role("row", name="Accreditation")
    assert "CARF" in accreditation.inner_text() and "The Joint Commission" in accreditation.inner_text()
    assert "Distance" in table.inner_text()
    page.get_by_role("link", name="Bay Recovery Center", exact=True).click()
    page.get_by_role("heading", name="Bay Recovery Center", level=1).wait_for()
    assert "not verified" in page.get_by_role("article").get_by_role("note").inner_text()


def test_no_more_than_four_can_be_ticked(listed, make_facility, page):
    for i in range(5):
        make_facility(f"Program {i}", "94607", at=(37.80 + i * 0.002, -122.28))
    page.goto("/find/?where=94607")
    boxes = page.locator("input.compare-box")
    for i in range(4):
        boxes.nth(i).check()
    assert boxes.nth(4).is_disabled() and boxes.nth(5).is_disabled()
    assert "untick one" in page.locator("#compare-status").inner_text()


def test_directory_pages_fit_a_phone(listed, make_facility, page):
    a = make_facility("Bay Recovery Center", "94103", codes=("SA", "IOP", "MD", "JC"))
    page.set_viewport_size({"width": 375, "height": 740})
    for url in (
        "/find/?where=94607&setting=iop",
        f"/find/{listed.program.pk}/",
        f"/find/compare/?id={listed.program.pk}&id={a.pk}",
        "/find/questions/",
    ):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 380, f"{url} scrolls sideways at phone width ({width}px)"


def test_a_director_edits_the_listing_in_the_browser(listed, page):
    browser_login(page, "director", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Public listing").click()
    page.get_by_role("heading", name="Public listing: Harbor").wait_for()
    page.get_by_role("group", name="Payment accepted").get_by_label("Medicare").check()
    page.get_by_role("button", name="Save the listing").click()
    page.get_by_text("Your listing is saved.").wait_for()
    page.goto("/find/?where=94607&payment=MC")
    assert page.locator("ol.results h3").all_inner_texts() == ["Harbor"]
