"""The PHQ-9 and GAD-7 in Spanish: a participant who reads the app in Spanish answers the published
Spanish items (PHQ Screeners, Spanish for the USA), scored exactly as the English ones."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bridge import instruments
from bridge.instruments.spanish import VERSIONS, spanish_version
from bridge.measures import services as measures
from bridge.measures.tests.conftest import PHQ9_ITEM9, phq9_post

pytestmark = pytest.mark.django_db


def test_every_item_and_answer_of_the_spanish_versions_is_there():
    for code, version in VERSIONS.items():
        definition = instruments.get(code)
        assert set(version.items) == {item.key for item in definition.items}, code
        for item in definition.items:
            assert set(version.options) == set(item.allowed_values), code
    assert spanish_version("AUDIT") is None


def _link(world, instrument: str):
    link, _token = measures.measure_link_create(
        actor=world.nurse, participant=world.alex, instrument=instrument
    )
    return link


def test_a_spanish_participant_sees_the_published_spanish_phq9_and_it_scores_the_same(app_client, app_world):
    app_world.alex.language = "es"
    app_world.alex.save()
    link = _link(app_world, "PHQ-9")
    url = reverse("portal:questionnaire", args=[link.pk])
    page = app_client.get(url).content.decode()
    assert "Poco interés o placer en hacer cosas" in page
    assert "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera" in page
    assert "Ningún día" in page and "Casi todos los días" in page
    assert "¿qué tan seguido ha tenido molestias" in page
    assert 'lang="es"' in page and "Little interest" not in page
    assert "There is no official Spanish version" not in page and "no hay una versión oficial" not in page
    done = app_client.post(url, phq9_post(PHQ9_ITEM9))
    assert done.status_code == 200
    link.refresh_from_db()
    administration = link.administration
    assert administration is not None
    english = instruments.score("PHQ-9", PHQ9_ITEM9)
    assert administration.total == english.total == 11 and administration.band == english.band


def test_a_spanish_participant_sees_the_spanish_gad7(app_client, app_world):
    app_world.alex.language = "es"
    app_world.alex.save()
    link = _link(app_world, "GAD-7")
    page = app_client.get(reverse("portal:questionnaire", args=[link.pk])).content.decode()
    assert "Se ha sentido nervioso(a), ansioso(a) o con los nervios de punta" in page
    assert "Ha tenido miedo de que algo terrible fuera a pasar" in page


def test_an_english_participant_keeps_the_english_items(app_client, app_world):
    link = _link(app_world, "PHQ-9")
    page = app_client.get(reverse("portal:questionnaire", args=[link.pk])).content.decode()
    assert "Poco interés" not in page and "Not at all" in page


def test_an_instrument_without_a_spanish_version_stays_in_english_with_a_note(app_client, app_world):
    app_world.alex.language = "es"
    app_world.alex.save()
    link = _link(app_world, "PCL-5")
    page = app_client.get(reverse("portal:questionnaire", args=[link.pk])).content.decode()
    assert 'lang="en"' in page and "Ningún día" not in page
    assert "en inglés" in page
