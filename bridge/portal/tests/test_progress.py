"""Progress in the app: the week's hours with the session that gets them there, and their measures over
time with the staff chart's geometry, bands in plain words, no alert codes; only if the program shows them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.intake.models import InstrumentAdministration
from bridge.measures import services as measures
from bridge.participants.models import EpisodeOfCare
from bridge.portal.models import ParticipantAppSettings
from bridge.scheduling.models import Attendance, SessionKind
from bridge.scheduling.tests.conftest import admit, attend, session_at

pytestmark = pytest.mark.django_db

NOW = "2026-11-17 17:50 -08:00"  # a Tuesday evening in Oakland


def _phq9(world, answers: list[int], days_ago: int) -> InstrumentAdministration:
    # The world admits alex today; the series shown starts at admission, so move it before the answers.
    long_ago = timezone.localdate() - timedelta(days=60)
    episodes = EpisodeOfCare.objects.filter(participant=world.alex, admitted_on__gt=long_ago)
    episodes.update(admitted_on=long_ago)
    row = measures.measure_record(
        actor=world.therapist_a, participant=world.alex, instrument="PHQ-9", responses=answers
    )
    InstrumentAdministration.objects.filter(pk=row.pk).update(
        administered_at=timezone.now() - timedelta(days=days_ago)
    )
    return row


def test_the_week_names_the_session_that_gets_them_to_their_hours(app_client, app_world):
    w = app_world
    with time_machine.travel(NOW, tick=False):
        admit(w.alex)
        tuesday = datetime(2026, 11, 17).date()
        attend(session_at(w.program, tuesday - timedelta(days=1), time(18), 180, w.therapist_a), w.alex, 180)
        for day, start, minutes, kind in (
            (tuesday, time(18), 180, SessionKind.GROUP),
            (tuesday + timedelta(days=2), time(10), 50, SessionKind.INDIVIDUAL),
            (tuesday + timedelta(days=2), time(18), 180, SessionKind.GROUP),
        ):
            session = session_at(w.program, day, start, minutes, w.therapist_a, kind=kind)
            Attendance.objects.create(session=session, participant=w.alex)
        page = app_client.get(reverse("portal:progress"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "3 of 9 hours this week" in html and "Thursday&#x27;s group gets you there." in html
    assert AuditEvent.objects.filter(action="read", participant=w.alex, object_type="progress").exists()


def test_measures_over_time_in_plain_words_without_alert_codes(app_client, app_world):
    w = app_world
    _phq9(w, [2, 2, 2, 2, 1, 1, 1, 1, 1], days_ago=28)  # 13, moderate; item 9 answered
    _phq9(w, [1, 1, 1, 0, 1, 1, 0, 0, 0], days_ago=1)  # 5, mild
    html = app_client.get(reverse("portal:progress")).content.decode()
    assert "The PHQ-9 asks about low mood" in html
    assert "<strong>13</strong>" in html and "<strong>5</strong>" in html
    assert "the range we call “mild”" in html
    assert '<svg viewBox="0 0 600 260"' in html and "polyline" in html
    assert "phq9_item9" not in html and "item 9" not in html.lower()


def test_the_page_is_in_spanish_for_a_spanish_reader(app_client, app_world):
    w = app_world
    _phq9(w, [1, 1, 1, 1, 1, 1, 1, 1, 0], days_ago=3)
    app_client.post(reverse("portal:language"), {"language": "es", "next": "/me/"})
    html = app_client.get(reverse("portal:progress")).content.decode()
    assert "Mi progreso" in html and "El PHQ-9 pregunta" in html and "«leve»" in html


def test_a_program_that_does_not_release_measures_shows_none(app_client, app_world):
    _phq9(app_world, [2, 2, 2, 2, 1, 1, 1, 1, 0], days_ago=3)
    ParticipantAppSettings.objects.create(program=app_world.program, show_measures=False)
    html = app_client.get(reverse("portal:progress")).content.decode()
    assert "Your program shows questionnaire results in person" in html
    assert "<svg" not in html


def test_progress_needs_a_signed_in_participant(client, app_world, login):
    response = client.get(reverse("portal:progress"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal:sign_in"))
    assert login(app_world.therapist_a).get(reverse("portal:progress")).status_code == 403


def test_progress_shows_the_goals_of_the_signed_plan_in_their_own_words(app_client, app_world):
    from bridge.clinical.tests.conftest import signed_plan

    page = app_client.get(reverse("portal:progress")).content.decode()
    assert "Your goals show here once" in page
    signed_plan(app_world, app_world.alex, app_world.therapist_a)
    page = app_client.get(reverse("portal:progress")).content.decode()
    assert "I want to stay off pills and keep my job." in page
    assert "Attend 3 groups a week with 90% attendance" in page
