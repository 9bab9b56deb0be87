"""The intake flow and the public self-check, clicked through in the real browser."""

from __future__ import annotations

import re

import pytest

from bridge.audit.models import AuditEvent
from bridge.intake.models import PlacementDecision, Screening
from bridge.participants.models import CareTeamMember, EpisodeOfCare, Participant
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question, exact=True).get_by_label(answer, exact=True).check()


def test_screen_recommend_override_with_reason_and_admit(world, page):
    browser_login(page, "intake", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Intake").click()
    page.get_by_role("link", name="New caller").click()

    # Screen: who is calling and what they need.
    page.get_by_label("First name").fill("Jamie")
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("Date of birth").fill("1991-08-14")
    page.get_by_label("Phone").fill("(510) 555-0147")
    # An address as long as the field takes, with nowhere to break it: the pages must still fit.
    page.get_by_label("Email").fill("a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 40 + ".org")
    page.get_by_label("Referral source").select_option("employer")
    choose(page, "Substances used", "Opioids (heroin, fentanyl, pain pills)")
    choose(page, "Preferred schedule", "Evenings")
    for day in ("Mon", "Tue", "Wed", "Thu", "Fri"):
        choose(page, "Work days", day)
    page.get_by_label("Work starts").fill("08:00")
    page.get_by_label("Work ends").fill("16:30")
    page.get_by_role("button", name="Save and start screening").click()
    page.get_by_role("heading", name="Intake: Jamie Rivera").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # the window's width
    jamie = Participant.objects.get(first_name="Jamie")

    # COWS, scored live as the boxes are ticked (htmx), then saved.
    page.get_by_role("link", name="COWS", exact=True).click()
    answers = {
        "1. Resting pulse rate": "Over 120 (4)",
        "2. Sweating (not from room temperature or activity)": "Beads of sweat on brow or face (3)",
        "3. Restlessness": "Cannot sit still for more than a few seconds (5)",
        "4. Pupil size": "Only the rim of the iris visible (5)",
        "5. Bone or joint aches": "None (0)",
        "6. Runny nose or tearing": "None (0)",
        "7. Stomach upset": "Repeated vomiting or diarrhoea (5)",
        "8. Tremor (hands outstretched)": "None (0)",
        "9. Yawning": "None (0)",
        "10. Anxiety or irritability": "None (0)",
    }
    for question, answer in answers.items():
        choose(page, question, answer)
    score = page.locator("#live-score")
    score.get_by_text("10 of 11 answered; 22 points so far.").wait_for()
    choose(page, "11. Gooseflesh", "Prominent gooseflesh (5)")
    score.get_by_text("Moderately severe (25-36)").wait_for()
    assert "27" in score.inner_text()
    page.get_by_role("button", name="Save COWS").click()
    page.get_by_text("COWS saved: 27, Moderately severe (25-36).").wait_for()

    # DSM-5 criteria for opioids: 5 of 11.
    page.get_by_role("link", name="DSM-5-SUD", exact=True).click()
    page.get_by_label("Substance class").select_option("opioid")
    met = {1, 2, 3, 4, 10}
    for group in page.get_by_role("group").all():
        name = group.locator("legend").inner_text()
        match = re.match(r"(\d+)\. ", name)
        if match:
            group.get_by_label("Met (1)" if int(match.group(1)) in met else "Not met (0)", exact=True).check()
    page.get_by_role("button", name="Save DSM-5-SUD").click()
    page.get_by_text("DSM-5-SUD saved: 5, Moderate (4-5).").wait_for()

    # The situation: someone at home uses, and there is violence at home.
    page.get_by_role("link", name="Answer the situation questions").click()
    choose(page, "Lives with someone who is actively using?", "Yes")
    choose(page, "Domestic violence at home?", "Yes")
    choose(page, "Medical conditions", "None")
    page.get_by_role("button", name="Save and see the recommendation").click()

    # Recommend: residential, with the reasons; withdrawal management first.
    recommendation = page.get_by_role("region", name="Recommendation")
    assert recommendation.locator(".rec-level").inner_text().startswith("Level 3.1")
    text = recommendation.inner_text()
    assert "lives with someone actively using, and domestic violence → residential" in text
    # Opioid withdrawal with an opioid use disorder: start buprenorphine alongside IOP (2-WM).
    assert "COWS 27, moderately severe opioid withdrawal with an opioid use disorder" in text
    assert "buprenorphine induction offered now, alongside IOP" in text
    assert "2-WM" in text

    # Override with a reason: the clinician's call, recorded.
    decision = page.get_by_role("region", name="Decision")
    decision.get_by_label("Override it").check()
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("Say why you are overriding the recommendation.").wait_for()  # no reason: refused
    decision = page.get_by_role("region", name="Decision")
    decision.get_by_label("Override it").check()
    decision.get_by_label("Level of care").select_option("2.1")
    decision.get_by_label("Reason for overriding").fill(
        "Moving in with her sister on Friday; safe, sober home."
    )
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("Decision recorded.").wait_for()
    assert (
        "Override it: level 2.1" in page.get_by_role("heading", name="5. Decision").locator("..").inner_text()
    )

    # Admission needs the minimum assessment set: without a suicide-risk screen it is refused.
    page.get_by_role("link", name="Admit to IOP").click()
    page.get_by_text("No suicide-risk screen yet: give the C-SSRS screener.").wait_for()
    from bridge.intake import services

    services.administration_record(
        actor=world.intake,
        screening=Screening.objects.get(participant=jamie),
        instrument="C-SSRS-Screener",
        responses=[0] * 7,
    )
    # Admit to IOP with a primary clinician and the consent date.
    page.reload()
    page.get_by_label("Primary clinician").select_option(label="Therapist_a Test")
    page.get_by_role("button", name="Admit to IOP").click()
    page.get_by_text(
        "Jamie Rivera was admitted to IOP with Therapist_a Test as primary clinician."
    ).wait_for()
    page.get_by_role("heading", name="Intake").wait_for()

    episode = EpisodeOfCare.objects.get(participant=jamie)
    assert episode.level_of_care == "2.1" and episode.consent_to_treatment_signed_on is not None
    assert CareTeamMember.objects.get(participant=jamie, team_role="primary").staff == world.therapist_a
    placement = PlacementDecision.objects.get(screening__participant=jamie)
    assert (placement.decision, placement.recommended_level, placement.level) == ("override", "3.1", "2.1")
    assert Screening.objects.get(participant=jamie).status == "admitted"

    writes = [
        (e.action, e.object_type)
        for e in AuditEvent.objects.filter(participant=jamie, actor=world.intake)
        .exclude(action="read")
        .order_by("seq")
    ]
    expected = [
        ("create", "participant"),
        ("create", "screening"),
        ("create", "instrument_administration"),
        ("create", "instrument_administration"),
        ("update", "screening"),
        # Domestic violence at home is a same-day safety signal: a work item for the clinician.
        ("create", "work_item"),
        ("safety_signal", "safety_signal"),
        # "Record decision" saves the ratings typed with it, then decides (issue 13).
        ("update", "dimension_ratings"),
        ("placement_decided", "placement_decision"),
        ("create", "instrument_administration"),
        ("create", "episode_of_care"),
        ("create", "care_team_member"),
        ("admit", "screening"),
    ]
    assert writes == expected
    decided = AuditEvent.objects.get(participant=jamie, action="placement_decided")
    assert decided.detail["decision"] == "override" and decided.detail["recommended_level"] == "3.1"
    assert AuditEvent.objects.filter(participant=jamie, action="read", actor=world.intake).count() >= 6


def test_self_check_on_a_phone_ends_in_a_call_back_request(world, page):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/self-check/")
    page.get_by_role("link", name="Harbor").click()
    page.get_by_role("heading", name="A few questions about drinking, drugs and how you are").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 380
    answers = {
        "The drinking questions are scored a little differently for women and men. Which fits you?": "Male",
        "How often do you have a drink with alcohol in it?": "2-3 times a week",
        "On a day when you drink, how many drinks do you usually have?": "5 or 6",
        "How often do you have six or more drinks at one time?": "Weekly",
        "How often have you had little interest or enjoyment in the things you do?": "Several days",
        "How often have you felt down, low or hopeless?": "Several days",
        "Are you keeping up with work, school or looking after your home?": "Mostly",
        "Does anyone you live with drink heavily or use drugs?": "No",
        "Do you feel safe at home?": "Yes",
        (
            "When you cut down or stopped before, did you ever have a seizure, or see or hear things that "
            "were not there?"
        ): "No",
        (
            "Right now, are you very unwell after cutting down or stopping: shaking badly, confused, or "
            "seeing or hearing things?"
        ): "No",
        "In the past month, have you had thoughts of ending your life?": "No",
    }
    for question, answer in answers.items():
        choose(page, question, answer)
    for group in page.get_by_role("group").all():
        legend = group.locator("legend").inner_text()
        if legend.startswith(("Did ", "Could ")):
            group.get_by_label("Yes" if legend.startswith("Could ") else "No", exact=True).check()
    page.get_by_role("button", name="See what my answers suggest").click()
    page.get_by_role("heading", name="An intensive outpatient program may fit").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 380
    assert not Participant.objects.filter(program=world.program, first_name="Robin").exists()

    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Lee")
    page.get_by_label("Date of birth").fill("1987-06-05")
    page.get_by_label("Phone number").fill("(510) 555-0190")
    page.get_by_label("It is OK for the program to call me at this number").check()
    page.get_by_role("button", name="Ask them to call me").click()
    page.get_by_role("heading", name="Thank you, Robin").wait_for()
    lead = Participant.objects.get(first_name="Robin")
    assert lead.status == "prospect" and not lead.instrument_administrations.exists()
    assert AuditEvent.objects.filter(participant=lead, action="callback_requested").exists()
