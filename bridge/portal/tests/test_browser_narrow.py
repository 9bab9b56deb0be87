"""The app's navigation on narrow phones (360 x 740 and 390 x 844), in English and in Spanish, with the
count of new answers on "Messages": nothing wider than the screen, nothing cut off, every tab a large
touch target. Screenshots go to BRIDGE_SCREENSHOTS (a folder) when it is set."""

from __future__ import annotations

import os
import re

import pytest

from bridge.notify import sms
from bridge.portal import messaging
from bridge.portal.tests.conftest import ALEX_PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = """() => {
  const page = document.documentElement;
  const links = [...document.querySelectorAll('.portal-nav a')];
  const header = [...document.querySelectorAll('.portal-header a')];
  const names = (found) => found.map(a => a.textContent.trim());
  return {
    pageOverflow: page.scrollWidth - page.clientWidth,
    cut: names(links.concat(header).filter(a => a.scrollWidth > a.clientWidth + 1)),
    short: names(links.filter(a => a.getBoundingClientRect().height < 44)),
    narrow: names(links.filter(a => a.getBoundingClientRect().width < 44)),
    outside: names(links.filter(a => a.getBoundingClientRect().right > page.clientWidth + 0.5)),
    tabs: links.length,
  };
}"""


@pytest.mark.parametrize(("width", "height"), [(360, 740), (390, 844)])
def test_the_navigation_fits_a_narrow_phone_in_both_languages(
    app_world, chromium, live_server, width, height
):
    messaging.message_send_staff(actor=app_world.therapist_a, participant=app_world.alex, body="How are you?")
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)
    phone = context.new_page()
    try:
        phone.goto("/me/sign-in/")
        phone.get_by_label("Your mobile phone number or email").fill(ALEX_PHONE)
        phone.get_by_role("button", name="Send me a code").click()
        phone.get_by_role("heading", name="Type your code").wait_for()
        found = re.search(r"\b(\d{6})\b", sms.outbox[-1][1])
        assert found is not None
        phone.get_by_label("Sign-in code").fill(found.group(1))
        phone.get_by_role("button", name="Sign in").click()
        phone.get_by_role("heading", name="Hi, Alex").wait_for()
        for language in ("en", "es"):
            if language == "es":
                phone.get_by_role("button", name="Español").click()
                phone.get_by_role("heading", name="Hola, Alex").wait_for()
            assert phone.locator(".portal-nav .nav-count").inner_text() == "1"
            measured = phone.evaluate(MEASURE)
            assert measured["tabs"] == 5
            assert measured["pageOverflow"] <= 0, measured
            assert measured["cut"] == [] and measured["outside"] == [], measured
            assert measured["short"] == [] and measured["narrow"] == [], measured
            folder = os.environ.get("BRIDGE_SCREENSHOTS")
            if folder:
                phone.screenshot(path=f"{folder}/portal-nav-{width}-{language}.png")
    finally:
        context.close()
