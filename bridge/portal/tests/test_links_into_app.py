"""The aftercare plan's and the safety plan's private links lead into the app (after sign-in) when the
participant has an app account; without one they work as before."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bridge.aftercare import services as aftercare
from bridge.audit.models import AuditEvent
from bridge.portal.models import ParticipantAccount
from bridge.portal.tests.conftest import sign_in
from bridge.safety import services as safety
from bridge.safety.models import SafetyPlan

pytestmark = pytest.mark.django_db


def _aftercare_link(world) -> tuple:
    plan = aftercare.aftercare_plan_save(
        actor=world.therapist_a,
        participant=world.alex,
        triggers="Payday Fridays",
        warning_signs="Skipping meetings",
        coping="Walk the dog",
        meetings=[{"fellowship": "AA", "name": "Lakeside", "day": "Tue", "time": "19:00", "place": "Church"}],
    )
    return plan, aftercare.plan_link_create(actor=world.therapist_a, plan=plan)[1]


def test_the_aftercare_plan_link_leads_into_the_app_after_sign_in(app_world, client):
    w = app_world
    plan, token = _aftercare_link(w)
    page = client.get(reverse("aftercare:public_plan", args=[token]))
    target = "/me/sign-in/?next=%2Fme%2Fhelp%2F%23after-h"
    assert page.status_code == 302 and page["Location"] == target
    assert AuditEvent.objects.filter(
        object_type="aftercareplan",
        object_id=str(plan.pk),
        actor_label="aftercare plan link",
        detail__led_into="participant app",
    ).exists()
    response = sign_in(client, next_url="%2Fme%2Fhelp%2F%23after-h")
    assert response.url == "/me/help/#after-h"
    help_page = client.get("/me/help/").content.decode()
    for words in ("Payday Fridays", "Skipping meetings", "Walk the dog", "Lakeside"):
        assert words in help_page
    # Signed in already: straight to the plan in the app.
    assert client.get(reverse("aftercare:public_plan", args=[token]))["Location"] == "/me/help/#after-h"


def test_the_safety_plan_link_leads_into_the_app_after_sign_in(app_world, client):
    w = app_world
    plan = SafetyPlan.objects.create(participant=w.alex, people_to_ask="Sam 510-555-0100", updated_by=w.nurse)
    _link, token = safety.safety_plan_link_create(actor=w.therapist_a, plan=plan)
    page = client.get(reverse("safety:public_plan", args=[token]))
    assert page.status_code == 302 and page["Location"] == "/me/sign-in/?next=%2Fme%2Fhelp%2F%23plan-h"
    assert page["Referrer-Policy"] == "no-referrer"
    sign_in(client)
    page = client.get(reverse("safety:public_plan", args=[token]))
    assert page["Location"] == "/me/help/#plan-h"
    assert "Sam 510-555-0100" in client.get("/me/help/").content.decode()


def test_without_an_open_app_account_the_plan_links_show_their_own_pages(app_world, client, login):
    w = app_world
    _plan, token = _aftercare_link(w)
    ParticipantAccount.objects.filter(participant=w.alex).delete()
    page = client.get(reverse("aftercare:public_plan", args=[token]))
    assert page.status_code == 200 and b"Payday Fridays" in page.content
    # Staff signed in in this browser keep the link's own page too.
    ParticipantAccount.objects.create(participant=w.alex, opened_by=w.frontdesk)
    assert login(w.therapist_a).get(reverse("aftercare:public_plan", args=[token])).status_code == 200
