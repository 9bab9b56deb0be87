"""A signed-in participant reaches their own app and nothing else: no staff page, no API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bridge.core.tests.test_pages import PUBLIC
from bridge.testing.urls import all_routes

pytestmark = pytest.mark.django_db

STAFF_ROUTES = [r for r in all_routes() if r.name not in PUBLIC and not r.pattern.startswith("fhir/")]


def test_a_participant_reaches_no_staff_page_even_about_themself(app_client, app_world):
    assert app_client.get(reverse("portal:home")).status_code == 200
    reached = []
    for route in STAFF_ROUTES:
        if route.name.startswith("api:"):
            continue
        url = reverse(route.name, kwargs=route.fill(participant_id=app_world.alex.pk))
        response = app_client.get(url)
        if response.status_code not in (302, 405) or (
            response.status_code == 302 and not response["Location"].startswith(reverse("accounts:login"))
        ):
            reached.append((route.name, response.status_code))
    assert reached == []
    # Still signed in to the app afterwards: the staff pages only sent them to the staff sign-in.
    assert app_client.get(reverse("portal:home")).status_code == 200


def test_a_participant_session_opens_no_api_or_fhir_endpoint(app_client, app_world):
    for url in (
        "/api/v1/schedule/sessions",
        f"/api/v1/schedule/participants/{app_world.alex.pk}/hours",
        "/fhir/Patient",
        f"/fhir/Patient/{app_world.alex.pk}",
    ):
        response = app_client.get(url)
        assert response.status_code == 401, (url, response.status_code)


def test_anonymous_visitors_go_to_the_apps_own_sign_in(client, app_world):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:sign_in"))
    assert reverse("accounts:login") not in response["Location"]


def test_the_help_page_is_open_to_anyone_with_988(client, db):
    page = client.get(reverse("portal:help"))
    assert page.status_code == 200 and b'href="tel:988"' in page.content and b'href="sms:988"' in page.content
