"""The access matrix, generated from the URL configuration.

Every URL that takes a participant id is requested by every persona for every participant.
The expected outcome comes from the hand-written tables below, not from the code under test:
missing or not yours -> 404, visible but not allowed -> 403, allowed -> success; each denial is
audited, each allowed read is audited. A new participant URL is covered the day it is added.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.participants.access import Cap
from bridge.testing.urls import participant_routes

ALL = {Cap.VIEW, Cap.EDIT, Cap.CHART, Cap.DOCUMENT}

# persona -> {participant: capabilities}. Absent participant = not visible (404).
EXPECTED: dict[str, dict[str, set[Cap]]] = {
    "director": {
        "alex": ALL | {Cap.MANAGE_TEAM},
        "blair": ALL | {Cap.MANAGE_TEAM},
        "casey": ALL | {Cap.MANAGE_TEAM},
    },
    "intake": {"casey": ALL},
    "therapist_a": {"alex": ALL | {Cap.MANAGE_TEAM}},
    "therapist_b": {"blair": ALL | {Cap.MANAGE_TEAM}},
    "prescriber": {"alex": {Cap.VIEW, Cap.CHART, Cap.DOCUMENT, Cap.PRESCRIBE}},
    "nurse": {"alex": {Cap.VIEW, Cap.CHART, Cap.DOCUMENT}},
    "frontdesk": {"alex": {Cap.VIEW, Cap.EDIT}, "blair": {Cap.VIEW, Cap.EDIT}, "casey": {Cap.VIEW, Cap.EDIT}},
    "peer": {"alex": {Cap.VIEW}},
    "auditor": {},
    "outsider": {"elsewhere_participant": ALL | {Cap.MANAGE_TEAM}},
}
PARTICIPANTS = ["alex", "blair", "casey", "elsewhere_participant"]
ROUTES = participant_routes()


def _denials():
    return AuditEvent.objects.filter(action="access_denied").count()


def _reads():
    return AuditEvent.objects.filter(action="read").count()


def test_the_matrix_covers_participant_urls():
    assert len(ROUTES) >= 5, [str(r) for r in ROUTES]
    for route in ROUTES:
        assert hasattr(route.callback, "participant_cap"), f"{route} does not go through participant_view"


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("persona", list(EXPECTED))
def test_get_matrix(world, client, route, persona):
    cap = route.callback.participant_cap
    client.force_login(world.staff[persona])
    for name in PARTICIPANTS:
        participant = getattr(world, name)
        url = reverse(route.name, kwargs=route.fill(participant_id=participant.pk))
        denials, reads = _denials(), _reads()
        response = client.get(url)
        granted = EXPECTED[persona].get(name)
        where = f"{persona} GET {url} ({name})"
        if cap is None:
            assert response.status_code == 405, where
        elif granted is None:
            assert response.status_code == 404, where
            assert _denials() == denials + 1, f"{where}: denial not audited"
        elif cap not in granted:
            assert response.status_code == 403, where
            assert _denials() == denials + 1, f"{where}: denial not audited"
        else:
            assert _denials() == denials, f"{where}: allowed request was refused ({response.status_code})"
            if response.status_code != 404:  # a sub-object id the test invented may not exist
                assert response.status_code in (200, 302), where
                assert _reads() >= reads + 1, f"{where}: read not audited"


@pytest.mark.parametrize("route", [r for r in ROUTES if r.callback.participant_post_cap], ids=str)
@pytest.mark.parametrize("persona", list(EXPECTED))
def test_post_matrix(world, client, route, persona):
    cap = route.callback.participant_post_cap
    client.force_login(world.staff[persona])
    for name in PARTICIPANTS:
        participant = getattr(world, name)
        url = reverse(route.name, kwargs=route.fill(participant_id=participant.pk))
        denials = _denials()
        response = client.post(url, {})
        granted = EXPECTED[persona].get(name)
        where = f"{persona} POST {url} ({name})"
        if granted is None:
            assert response.status_code == 404, where
            assert _denials() == denials + 1, f"{where}: denial not audited"
        elif cap not in granted:
            assert response.status_code == 403, where
            assert _denials() == denials + 1, f"{where}: denial not audited"
        else:
            assert _denials() == denials, f"{where}: allowed request was refused"
            assert response.status_code < 500, where


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_anonymous_is_sent_to_login(world, client, route):
    url = reverse(route.name, kwargs=route.fill(participant_id=world.alex.pk))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_wrong_method_is_405(world, login, route):
    client = login(world.director)
    url = reverse(route.name, kwargs=route.fill(participant_id=world.alex.pk))
    assert client.put(url).status_code == 405


def test_denial_of_a_missing_participant_looks_like_a_hidden_one(world, login):
    client = login(world.therapist_b)
    hidden = client.get(reverse("participants:detail", args=[world.alex.pk]))
    missing = client.get(reverse("participants:detail", args=[uuid.uuid4()]))
    assert hidden.status_code == missing.status_code == 404

    def strip_csrf(html: bytes) -> bytes:
        html = re.sub(rb'X-CSRFToken": "[^"]+"', b"", html)
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)

    assert strip_csrf(hidden.content) == strip_csrf(missing.content)
