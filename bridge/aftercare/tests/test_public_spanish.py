"""i19n: the aftercare private links (the recovery plan, the check-in) in the participant's language:
their record's choice, else the switcher's; the staff pages stay in English."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from bridge.aftercare import followup, services
from bridge.aftercare.models import AftercarePlan, CheckIn, Discharge
from bridge.participants.models import Participant


@pytest.fixture
def discharged(admitted, monday):
    return services.discharge_record(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        type=Discharge.Type.COMPLETED,
        discharged_on=monday - timedelta(days=1),
        reason="Completed",
        destination="Alumni group",
    )


def _plan_token(world) -> str:
    plan = AftercarePlan.objects.create(
        participant=world.alex,
        coping="Call my sponsor",
        contacts=[{"name": "Sam", "phone": "510-555-0100", "relationship": "sponsor"}],
        crisis_lines=[{"name": "County crisis line", "phone": "800-555-0111"}],
        updated_by=world.therapist_a,
    )
    return services.plan_link_create(actor=world.therapist_a, plan=plan)[1]


def _spanish(participant) -> None:
    Participant.objects.filter(pk=participant.pk).update(language="es")


def test_the_plan_link_follows_the_participants_language(admitted, client):
    token = _plan_token(admitted)
    url = reverse("aftercare:public_plan", args=[token])
    english = client.get(url)
    assert english["Content-Language"] == "en" and "My recovery plan" in english.content.decode()
    _spanish(admitted.alex)
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and page["Content-Language"] == "es"
    assert '<html lang="es">' in html and "Mi plan de recuperación" in html and "Call my sponsor" in html
    assert "My recovery plan" not in html
    # The switcher: the visitor's own choice on this device wins.
    switched = client.post(reverse("portal:language"), {"language": "en", "next": url})
    assert switched.status_code == 302 and switched["Location"] == url
    assert "My recovery plan" in client.get(url).content.decode()


def test_the_checkin_link_asks_and_thanks_in_spanish(discharged, admitted, client):
    _spanish(admitted.alex)
    checkin = CheckIn.objects.filter(discharge=discharged).order_by("due_on").first()
    assert checkin is not None
    url = reverse("aftercare:public_checkin", args=[followup.checkin_link_create(checkin=checkin)])
    page = client.get(url).content.decode()
    assert "¿Cómo está?" in page and "Enviar mis respuestas" in page and "How are you doing?" not in page
    bad = client.post(url, {"any_use": "no"})
    assert bad.status_code == 400 and bad["Content-Language"] == "es"
    answers = {
        "any_use": "no",
        "cravings": "2",
        "meetings_attended": "3",
        "housing": "sober_living",
        "work": "working",
        "phq2_interest": "0",
        "phq2_mood": "1",
    }
    done = client.post(url, answers)
    assert done.status_code == 200 and "Gracias" in done.content.decode()
    checkin.refresh_from_db()
    assert checkin.status == "completed" and checkin.method == "link"
    assert client.post(url, answers).status_code == 404  # a second submit finds the link spent


def test_the_staff_copy_of_the_plan_stays_in_english(admitted, login):
    _plan_token(admitted)
    _spanish(admitted.alex)
    staff = login(admitted.therapist_a)
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = staff.get(reverse("aftercare:plan_print", args=[admitted.alex.pk])).content.decode()
    assert "Relapse-prevention and aftercare plan" in page and "Mi plan" not in page
