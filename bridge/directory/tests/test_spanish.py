"""The public directory in Spanish: the visitor's choice (the switcher's cookie) or their browser's
language; English by default, and word for word as before."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
SEARCH = "/find/"


def test_the_directory_is_in_english_by_default_with_a_switch_to_spanish(client):
    response = client.get(SEARCH)
    page = response.content.decode()
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in page and "Find an intensive outpatient program" in page
    assert "ZIP code or city" in page and "Type of program" in page
    assert 'value="es"' in page and "Español" in page  # the switcher, in the page's footer


def test_a_visitor_who_chose_spanish_gets_the_search_in_spanish(client, make_facility):
    make_facility("Harbor Test Clinic")
    chosen = client.post(reverse("portal:language"), {"language": "es", "next": SEARCH})
    assert chosen.status_code == 302 and chosen["Location"] == SEARCH
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    empty = client.get(SEARCH)
    page = empty.content.decode()
    assert empty["Content-Language"] == "es" and '<html lang="es">' in page
    assert "Encuentre un programa ambulatorio intensivo" in page
    assert "Código postal o ciudad" in page and "Tipo de programa" in page and "25 millas" in page
    assert "ZIP code or city" not in page
    results = client.get(SEARCH, {"where": "94607"}).content.decode()
    assert "1 programa a menos de 25 millas de" in results and "Harbor Test Clinic" in results
    assert "Ficha de SAMHSA: puede estar desactualizada" in results


def test_the_browsers_language_is_used_when_nothing_was_chosen(client, make_facility):
    make_facility("Harbor Test Clinic")
    hit = client.get(SEARCH, {"where": "94607"}).context["result"].listings[0]
    listing = client.get(hit.url, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    page = listing.content.decode()
    assert listing.status_code == 200 and "Lo que se sabe de este programa" in page
    questions = client.get(reverse("directory:questions"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Señales de alerta" in questions
    english = client.get(reverse("directory:questions")).content.decode()
    assert "Warning signs" in english and "Señales de alerta" not in english
