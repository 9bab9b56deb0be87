"""Clinical safety, clicked through in the real browser: a 4-WM decision cannot be admitted; a
self-check suicide answer is urgent on the intake list; an item-9 answer by private link lands on the
clinician's work list with a notification; a 5000 mg naltrexone order is refused with the reason."""

from __future__ import annotations

import pytest

from bridge.intake import services as intake_services
from bridge.intake.models import Screening
from bridge.intake.tests.test_browser import choose
from bridge.measures import services as measure_services
from bridge.notify.models import StaffNotification
from bridge.participants.models import EpisodeOfCare, Participant
from bridge.placement.tests.test_rules import dsm
from bridge.safety.models import SafetySignal
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD
from bridge.worklist.models import WorkItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CIWA_55 = [7, 7, 7, 7, 7, 7, 7, 4, 2, 0]


def test_a_decision_with_4_wm_first_cannot_be_admitted(world, page):
    screening = intake_services.screening_start(
        actor=world.intake, participant=world.casey, primary_substance="alcohol", substances=["alcohol"]
    )
    for code, responses in (("CIWA-Ar", CIWA_55), ("C-SSRS-Screener", [0] * 7), ("DSM-5-SUD", dsm(7))):
        intake_services.administration_record(
            actor=world.intake, screening=screening, instrument=code, responses=responses
        )
    intake_services.screening_update(
        actor=world.intake, screening=Screening.objects.get(pk=screening.pk), withdrawal_history_severe=True
    )
    signal = SafetySignal.objects.get(screening=screening, code="withdrawal_severe_complicated")
    assert signal.urgency == "now"
    intake_services.placement_decide(
        actor=world.intake,
        screening=Screening.objects.get(pk=screening.pk),
        decision="accept",  # the rules: 2.1, with 4-WM (hospital withdrawal management) first
    )
    decision = Screening.objects.get(pk=screening.pk).decision
    assert (decision.level, decision.withdrawal_management) == ("2.1", "4-WM")

    browser_login(page, "intake", PASSWORD)
    page.goto(f"/participants/{world.casey.pk}/intake/")
    page.get_by_role("link", name="Admit to IOP").click()
    refused = page.get_by_role("alert").filter(has_text="Admission to IOP is refused")
    refused.get_by_text("Withdrawal management 4-WM comes first").wait_for()
    refused.get_by_text("has no recorded disposition").wait_for()
    page.get_by_label("Primary clinician").select_option(label="Therapist_a Test")
    page.get_by_role("button", name="Admit to IOP").click()
    page.get_by_text("Withdrawal management 4-WM comes first").first.wait_for()
    assert not EpisodeOfCare.objects.filter(participant=world.casey).exists()
    assert Screening.objects.get(pk=screening.pk).status == "decided"


def test_a_self_check_suicide_answer_is_urgent_on_the_intake_list(world, page):
    # Someone else is already waiting, longer: the urgent lead still comes first.
    Participant.objects.create(
        program=world.program,
        first_name="Quinn",
        last_name="Early",
        date_of_birth="1990-01-01",
        status=Participant.Status.PROSPECT,
    )
    page.goto(f"/self-check/{world.program.pk}/")
    answers = {
        "The drinking questions are scored a little differently for women and men. Which fits you?": "Female",
        "How often do you have a drink with alcohol in it?": "2-3 times a week",
        "On a day when you drink, how many drinks do you usually have?": "5 or 6",
        "How often do you have six or more drinks at one time?": "Weekly",
        "How often have you had little interest or enjoyment in the things you do?": "Several days",
        "How often have you felt down, low or hopeless?": "Nearly every day",
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
        "In the past month, have you had thoughts of ending your life?": "Yes",
    }
    for question, answer in answers.items():
        choose(page, question, answer)
    for group in page.get_by_role("group").all():
        legend = group.locator("legend").inner_text()
        if legend.startswith(("Did ", "Could ")):
            group.get_by_label("Yes" if legend.startswith("Could ") else "No", exact=True).check()
    page.get_by_role("button", name="See what my answers suggest").click()
    page.get_by_text("988").first.wait_for()
    page.get_by_label("First name").fill("Sky")
    page.get_by_label("Last name").fill("Moreno")
    page.get_by_label("Date of birth").fill("1996-02-03")
    page.get_by_label("Phone number").fill("(510) 555-0177")
    page.get_by_label("Share my answers with the program so they can prepare for the call").check()
    page.get_by_label("It is OK for the program to call me at this number").check()
    page.get_by_role("button", name="Ask them to call me").click()
    page.get_by_role("heading", name="Thank you, Sky").wait_for()

    lead = Participant.objects.get(first_name="Sky")
    screening = Screening.objects.get(participant=lead)
    assert screening.self_check["thoughts_of_ending_life"] is True
    signal = SafetySignal.objects.get(participant=lead)
    assert (signal.code, signal.urgency, signal.source) == (
        "selfcheck_suicidal_thoughts",
        "now",
        "self_check",
    )
    assert WorkItem.objects.filter(kind="safety_signal", assigned_to=world.intake, urgent=True).exists()
    assert StaffNotification.objects.filter(recipient=world.intake, about_id=str(signal.pk)).exists()

    browser_login(page, "intake", PASSWORD)
    page.goto("/intake/")
    first = page.locator("table.data tbody tr").first
    assert "Moreno, Sky" in first.inner_text() and "Urgent" in first.inner_text()
    first.get_by_text("Call back by").wait_for()
    assert "urgent-lead" in (first.get_attribute("class") or "")


def test_an_item9_answer_by_link_is_on_the_clinicians_work_list_with_a_notification(world, page):
    _, token = measure_services.measure_link_create(
        actor=world.therapist_a, participant=world.alex, instrument="PHQ-9"
    )
    page.goto(f"/m/{token}/")
    for group in page.get_by_role("group").all():
        legend = group.locator("legend").inner_text()
        # First option "not at all"; the second, "several days", for item 9 (better off dead or self-harm).
        group.get_by_role("radio").nth(1 if "better off dead" in legend else 0).check()
    page.get_by_role("button", name="Send my answers").click()
    crisis = page.get_by_role(
        "region", name="If you are thinking about ending your life, you do not have to wait"
    )
    crisis.get_by_role("link", name="988").wait_for()

    signal = SafetySignal.objects.get(participant=world.alex, code="phq9_item9_positive")
    sent = StaffNotification.objects.filter(recipient=world.therapist_a, about_id=str(signal.pk))
    assert [n.status for n in sent] == ["sent"]

    browser_login(page, "therapist_a", PASSWORD)
    work = page.get_by_role("region", name="My work list")
    work.get_by_role("link", name="Today: PHQ-9").click()
    page.get_by_text("Email: sent").first.wait_for()
    page.get_by_role("button", name="Record what was done").click()
    page.get_by_text("Say what was done").first.wait_for()  # required
    page.get_by_label("What was done (who was reached, what was decided)").fill(
        "Called Alex at 14:10; C-SSRS low risk; safety plan reviewed."
    )
    page.get_by_role("button", name="Record what was done").click()
    page.get_by_text("Disposition recorded").wait_for()
    signal.refresh_from_db()
    assert signal.status == "closed" and signal.closed_by == world.therapist_a
    assert not WorkItem.objects.filter(kind="safety_signal", status="open").exists()


def test_a_5000_mg_naltrexone_order_is_refused_with_the_reason(world, page):
    browser_login(page, "prescriber", PASSWORD)
    page.goto(f"/participants/{world.alex.pk}/medications/new/")
    page.locator("#id_drug").select_option("naltrexone")
    page.locator("#id_dose").fill("5000")
    page.locator("#id_route").select_option("oral")
    page.locator("#id_frequency").select_option("daily")
    page.get_by_label("Reason (indication)").fill("Alcohol use disorder")
    page.get_by_role("button", name="Place the order").click()
    page.get_by_text(
        "5000 mg is above the maximum of 100 mg per dose for Naltrexone (oral), once a day"
    ).wait_for()
    assert not world.alex.medication_orders.exists()
