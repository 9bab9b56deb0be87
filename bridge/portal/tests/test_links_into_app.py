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


# --- Aftercare check-ins answered in the app ------------------------------------------------------------


def _due_checkin(world):
    from django.utils import timezone

    from bridge.aftercare.models import CheckIn, Discharge

    discharge = aftercare.discharge_record(
        actor=world.therapist_a,
        participant=world.alex,
        type=Discharge.Type.COMPLETED,
        discharged_on=timezone.localdate(),
        reason="Completed",
        destination="Alumni group",
    )
    checkin = CheckIn.objects.filter(discharge=discharge).order_by("due_on").first()
    assert checkin is not None
    CheckIn.objects.filter(pk=checkin.pk).update(due_on=timezone.localdate())
    return CheckIn.objects.get(pk=checkin.pk)


ANSWERS = {
    "any_use": "no",
    "cravings": "8",
    "meetings_attended": "3",
    "housing": "sober_living",
    "work": "working",
    "phq2_interest": "0",
    "phq2_mood": "1",
}


def test_a_due_check_in_is_answered_in_the_app_and_its_link_leads_there(app_world, client):
    from bridge.aftercare import followup
    from bridge.worklist.models import WorkItem

    w = app_world
    checkin = _due_checkin(w)
    token = followup.checkin_link_create(checkin=checkin)
    url = reverse("portal:checkin", args=[checkin.pk])
    page = client.get(reverse("aftercare:public_checkin", args=[token]))
    assert page.status_code == 302 and page["Location"] == url
    sign_in(client)
    home = client.get(reverse("portal:home")).content.decode()
    assert url in home and "Your check-in is due" in home
    assert client.get(url).status_code == 200
    bad = client.post(url, {**ANSWERS, "cravings": "11"})
    assert bad.status_code == 400 and "cravings" in bad.context["form"].errors
    # An alumnus who agreed to be contacted: warning signs reach their peer (bridge/aftercare/followup.py).
    followup.alumni_enroll(
        actor=w.peer, participant=w.alex, enrolled_on=checkin.due_on, contact_consent=True, channel="phone"
    )
    assert client.post(url, ANSWERS).status_code == 302
    checkin.refresh_from_db()
    assert checkin.status == "completed" and checkin.cravings == 8 and checkin.recorded_by is None
    assert AuditEvent.objects.filter(
        action="checkin", object_id=str(checkin.pk), actor_label="participant app"
    ).exists()
    # Strong cravings are a warning sign: outreach, as from the private link.
    assert WorkItem.objects.filter(participant=w.alex, kind="outreach", status="open").exists()
    assert client.get(url).status_code == 404  # answered once
    assert url not in client.get(reverse("portal:home")).content.decode()


def test_another_participants_check_in_is_not_found_and_spanish_labels_are_published(app_world, client):
    w = app_world
    checkin = _due_checkin(w)
    sign_in(client, contact="510-555-0199")  # Blair
    url = reverse("portal:checkin", args=[checkin.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, ANSWERS).status_code == 404
    client.post(reverse("portal:sign_out"))
    sign_in(client)
    client.post(reverse("portal:language"), {"language": "es", "next": reverse("portal:home")})
    page = client.get(url).content.decode()
    assert "Casi todos los días" in page and "poco interés o placer en hacer cosas" in page
