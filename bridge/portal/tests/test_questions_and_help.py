"""Questionnaires in the app go through the measures and safety services; help is always there."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.measures import services as measures
from bridge.measures.tests.conftest import PHQ9_CALM, PHQ9_ITEM9, phq9_post
from bridge.safety.models import SafetyPlan, SafetySignal
from bridge.worklist.models import WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def phq9(app_world):
    link, _token = measures.measure_link_create(
        actor=app_world.nurse, participant=app_world.alex, instrument="PHQ-9"
    )
    return link


def test_a_risk_answer_shows_crisis_help_first_and_raises_a_safety_signal(phq9, app_client, app_world):
    listing = app_client.get(reverse("portal:questionnaires"))
    assert reverse("portal:questionnaire", args=[phq9.pk]) in listing.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = app_client.post(reverse("portal:questionnaire", args=[phq9.pk]), phq9_post(PHQ9_ITEM9))
    html = done.content.decode()
    assert done.status_code == 200
    assert html.index("988") < html.index("Thank you for answering"), "crisis help comes first"
    signal = SafetySignal.objects.get(participant=app_world.alex, code="phq9_item9_positive")
    assert signal.status == "open" and signal.urgency == "same_day"
    assert WorkItem.objects.filter(kind="safety_signal", assigned_to=app_world.therapist_a).exists()
    # Used up: it is no longer offered, and its page is gone.
    assert app_client.get(reverse("portal:questionnaire", args=[phq9.pk])).status_code == 404


def test_calm_answers_just_thank_them(phq9, app_client, app_world):
    done = app_client.post(reverse("portal:questionnaire", args=[phq9.pk]), phq9_post(PHQ9_CALM))
    assert b"Your answers are with your care team" in done.content
    assert not SafetySignal.objects.filter(participant=app_world.alex).exists()


def test_a_missing_answer_is_a_form_error_not_a_crash(phq9, app_client):
    data = phq9_post(PHQ9_CALM)
    del data["phq9_3"]
    response = app_client.post(reverse("portal:questionnaire", args=[phq9.pk]), data)
    assert response.status_code == 400 and b"Please answer every question" in response.content


def test_someone_elses_questionnaire_is_not_found(app_client, app_world):
    link, _ = measures.measure_link_create(
        actor=app_world.nurse, participant=app_world.blair, instrument="PHQ-9"
    )
    assert app_client.get(reverse("portal:questionnaire", args=[link.pk])).status_code == 404
    assert (
        app_client.post(reverse("portal:questionnaire", args=[link.pk]), phq9_post(PHQ9_CALM)).status_code
        == 404
    )
    assert not link.__class__.objects.get(pk=link.pk).completed_at


def test_help_shows_their_safety_plan_when_signed_in_and_is_audited(app_client, app_world):
    SafetyPlan.objects.create(
        participant=app_world.alex,
        warning_signs="Skipping meals",
        people_to_ask="Sam 510-555-0100",
        updated_by=app_world.therapist_a,
    )
    page = app_client.get(reverse("portal:help"))
    assert b"Skipping meals" in page.content and b"Sam 510-555-0100" in page.content
    assert b'href="tel:988"' in page.content
    assert AuditEvent.objects.filter(
        action="read", participant=app_world.alex, object_type="safety_plan"
    ).exists()


def test_the_private_link_still_works_and_leads_into_the_app_after_sign_in(app_world, client):
    from bridge.portal.tests.conftest import sign_in

    link, token = measures.measure_link_create(
        actor=app_world.nurse, participant=app_world.alex, instrument="PHQ-9"
    )
    # With an app account the link leads into the app: its page sends them to sign in and back.
    page = client.get(reverse("measures:respond", args=[token]))
    assert page.status_code == 302 and page["Location"] == f"/me/questions/{link.pk}/"
    target = f"/me/sign-in/?next=%2Fme%2Fquestions%2F{link.pk}%2F"
    assert client.get(page["Location"])["Location"] == target
    assert client.get(target).status_code == 200
    assert AuditEvent.objects.filter(
        object_type="measure_link", object_id=str(link.pk), detail__led_into="participant app"
    ).exists()
    response = sign_in(client, next_url=f"/me/questions/{link.pk}/")
    assert response.url == f"/me/questions/{link.pk}/"
    assert client.get(response.url).status_code == 200
