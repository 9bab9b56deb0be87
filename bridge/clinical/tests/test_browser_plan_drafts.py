"""A draft treatment plan in a real browser: text typed in "Add a goal" is not lost by pressing
"Sign and lock" (the page asks first), and it is kept on the server as a draft that comes back."""

from __future__ import annotations

import pytest

from bridge.accounts.models import Draft
from bridge.clinical.services import plans
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOAL = "Stay sober through my sister's wedding in June."


def test_sign_asks_before_leaving_a_typed_goal_and_the_goal_comes_back_as_a_draft(admitted, page):
    w = admitted
    plan = plans.plan_start(actor=w.therapist_a, participant=w.alex)
    version = plan.versions.get()
    plans.plan_problem_add(actor=w.therapist_a, version=version, code="F11.20")
    page.set_default_timeout(30_000)
    browser_login(page, "therapist_a", PASSWORD)
    url = f"/participants/{w.alex.pk}/plan/versions/{version.pk}/"
    page.goto(url)
    page.get_by_label("Goal, in the participant's words").fill(GOAL)

    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer)
    page.get_by_role("button", name="Sign and lock").click()
    page.wait_for_timeout(500)
    assert asked and "Add a goal" in asked[0] and "not saved yet" in asked[0]
    assert page.url.endswith(url)  # not signed, still here
    assert page.get_by_label("Goal, in the participant's words").input_value() == GOAL

    for _ in range(40):  # the autosave runs two seconds after the last keystroke
        if Draft.objects.filter(form_key="goal").exists():
            break
        page.wait_for_timeout(250)
    assert Draft.objects.get(author=w.therapist_a, form_key="goal").fields["statement"] == GOAL
    page.on("dialog", lambda dialog: dialog.accept())  # "Leave the page?" (unsaved changes): yes
    page.goto(url)
    page.get_by_text("Restored your unsaved draft from").wait_for()
    assert page.get_by_label("Goal, in the participant's words").input_value() == GOAL
