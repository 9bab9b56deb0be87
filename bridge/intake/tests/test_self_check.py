"""The public self-check: no login, nothing stored unless a call-back is asked for, CSRF, rate limit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.intake.models import InstrumentAdministration, Screening
from bridge.participants.models import Participant
from bridge.programs.models import Program
from bridge.worklist.models import WorkItem

CALM = {
    "sex": "male",
    "auditc_1": "1",
    "auditc_2": "0",
    "auditc_3": "0",
    **{f"dast_{i}": "0" for i in range(1, 11)},
    "dast_3": "1",
    "phq2_1": "0",
    "phq2_2": "0",
    "daily_life": "yes",
    "lives_with_someone_using": "no",
    "feels_safe_at_home": "yes",
    "past_severe_withdrawal": "no",
    "severe_withdrawal_now": "no",
    "thoughts_of_ending_life": "no",
}
DRINKING = {**CALM, "auditc_1": "3", "auditc_2": "2", "auditc_3": "2"}
CALLBACK = {
    "first_name": "Robin",
    "last_name": "Lee",
    "date_of_birth": "1987-06-05",
    "phone": "(510) 555-0190",
    "best_time": "after 5 pm",
    "consent": "on",
}


def self_check_url(world):
    return reverse("intake:self_check", args=[world.program.pk])


def test_chooser_lists_programs_and_needs_no_login(world, client):
    response = client.get(reverse("intake:self_check_choose"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Harbor" in html and "Elsewhere" in html
    assert "no-store" in response["Cache-Control"]


def test_with_one_program_the_chooser_goes_straight_to_it(db, client):
    from bridge.programs.models import Organization

    solo = Program.objects.create(organization=Organization.objects.create(name="Solo"), name="Solo IOP")
    response = client.get(reverse("intake:self_check_choose"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "intake:self_check", args=[solo.pk]
    )


def test_the_questions_page_is_public_and_plain(world, client):
    response = client.get(self_check_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing you enter is saved" in html and "988" in html
    assert "How often do you have a drink with alcohol in it?" in html
    assert "Could you always stop using drugs when you wanted to?" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_missing_answers_are_marked_and_nothing_is_stored(world, client):
    before = (Participant.objects.count(), AuditEvent.objects.count())
    response = client.post(self_check_url(world), {**CALM, "dast_4": ""})
    assert response.status_code == 400 and "dast_4" in response.context["form"].errors
    assert (Participant.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("answers", "heading"),
    [
        (CALM, "don't point to needing an IOP"),
        (DRINKING, "An intensive outpatient program may fit"),
        ({**DRINKING, "lives_with_someone_using": "yes"}, "Ask about more support"),
        ({**CALM, "thoughts_of_ending_life": "yes"}, "Please get help now"),
        ({**DRINKING, "severe_withdrawal_now": "yes"}, "Please get help now"),
    ],
)
def test_each_outcome_and_nothing_stored(world, client, answers, heading):
    before = (
        Participant.objects.count(),
        AuditEvent.objects.count(),
        InstrumentAdministration.objects.count(),
    )
    response = client.post(self_check_url(world), answers)
    assert response.status_code == 200
    html = response.content.decode()
    assert heading in html
    assert (
        Participant.objects.count(),
        AuditEvent.objects.count(),
        InstrumentAdministration.objects.count(),
    ) == before


def test_urgent_result_is_an_alert_with_988_and_911(world, client):
    html = client.post(self_check_url(world), {**CALM, "thoughts_of_ending_life": "yes"}).content.decode()
    assert 'role="alert"' in html and 'href="tel:988"' in html and 'href="tel:911"' in html


def test_call_back_creates_a_lead_intake_can_see(world, client, login):
    result = client.post(self_check_url(world), DRINKING)
    hidden = {k: v for k, v in DRINKING.items()}
    response = client.post(reverse("intake:callback", args=[world.program.pk]), {**hidden, **CALLBACK})
    assert response.status_code == 200 and b"Thank you, Robin" in response.content
    lead = Participant.objects.get(first_name="Robin")
    screening = Screening.objects.get(participant=lead)
    assert screening.referral_source == "self_check" and not screening.administrations.exists()
    assert WorkItem.objects.filter(participant=lead, assigned_to=world.intake).exists()
    assert result.status_code == 200
    queue = login(world.intake).get(reverse("intake:queue")).content.decode()
    assert "Lee, Robin" in queue and "call-back requested" in queue


def test_call_back_with_shared_answers_stores_them_as_self_report(world, client):
    client.post(
        reverse("intake:callback", args=[world.program.pk]), {**DRINKING, **CALLBACK, "share_answers": "on"}
    )
    lead = Participant.objects.get(first_name="Robin")
    rows = {a.instrument: a for a in InstrumentAdministration.objects.filter(participant=lead)}
    assert set(rows) == {"AUDIT-C", "DAST-10", "PHQ-2"} and rows["AUDIT-C"].total == 7
    assert rows["AUDIT-C"].sex == "male" and rows["AUDIT-C"].source == "self_report"


def test_call_back_form_errors_keep_the_answers_and_store_nothing(world, client):
    response = client.post(
        reverse("intake:callback", args=[world.program.pk]),
        {**DRINKING, **CALLBACK, "phone": "12", "consent": ""},
    )
    assert response.status_code == 400
    assert {"phone", "consent"} <= set(response.context["callback"].errors)
    assert 'name="auditc_1" value="3"' in response.content.decode()
    assert not Participant.objects.filter(first_name="Robin").exists()


def test_call_back_with_tampered_answers_starts_again(world, client):
    response = client.post(reverse("intake:callback", args=[world.program.pk]), {**CALLBACK, "auditc_1": "9"})
    assert response.status_code == 400 and not Participant.objects.filter(first_name="Robin").exists()


def test_call_back_needs_the_csrf_token(world):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("intake:callback", args=[world.program.pk]), {**DRINKING, **CALLBACK})
    assert response.status_code == 403 and not Participant.objects.filter(first_name="Robin").exists()


def test_call_backs_are_rate_limited(world, client, settings):
    settings.BRIDGE_CALLBACK_RATE = "2/hour"
    target = reverse("intake:callback", args=[world.program.pk])
    codes = [
        client.post(target, {**DRINKING, **CALLBACK, "last_name": f"Lee{i}"}).status_code for i in range(3)
    ]
    assert codes == [200, 200, 429]
    assert Participant.objects.filter(first_name="Robin").count() == 2


def test_unknown_program_is_404(world, client):
    import uuid

    assert client.get(reverse("intake:self_check", args=[uuid.uuid4()])).status_code == 404
