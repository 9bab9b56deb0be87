"""The access matrix, generated from the URL configuration.

Every URL that takes a participant id is requested by every persona for every participant.
The expected outcome comes from the hand-written tables below, not from the code under test:
missing or not yours -> 404, visible but not allowed -> 403, allowed -> success; each denial is
audited (and nothing else happens: the denial is the only event, so the view never ran), each
allowed read is audited. A new participant URL is covered the day it is added.

`therapist_b` (same program, not on alex's team) and `outsider` (another program) are the two
personas issue #6 asks about; `therapist_b_emergency` is therapist B holding an unexpired
break-the-glass grant for alex, which adds exactly VIEW and CHART. The emergency-access request
page itself answers for any id (it must not reveal whether a participant exists): clinicians get
the form, everyone else a 404.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.participants.access import Cap
from bridge.privacy.models import EmergencyAccess
from bridge.testing.urls import participant_routes

ALL = {Cap.VIEW, Cap.EDIT, Cap.CHART, Cap.DOCUMENT, Cap.FOLLOW_UP}
DESK = {Cap.VIEW, Cap.EDIT, Cap.BILLING}

# persona -> {participant: capabilities}. Absent participant = not visible (404).
EXPECTED: dict[str, dict[str, set[Cap]]] = {
    "director": {
        "alex": ALL | {Cap.MANAGE_TEAM, Cap.BILLING, Cap.FINANCES},
        "blair": ALL | {Cap.MANAGE_TEAM, Cap.BILLING, Cap.FINANCES},
        "casey": ALL | {Cap.MANAGE_TEAM, Cap.BILLING, Cap.FINANCES},
    },
    "intake": {"casey": ALL},
    "therapist_a": {"alex": ALL | {Cap.MANAGE_TEAM}},
    "therapist_b": {"blair": ALL | {Cap.MANAGE_TEAM}},
    "prescriber": {"alex": {Cap.VIEW, Cap.CHART, Cap.DOCUMENT, Cap.PRESCRIBE, Cap.FOLLOW_UP}},
    "nurse": {"alex": {Cap.VIEW, Cap.CHART, Cap.DOCUMENT, Cap.FOLLOW_UP}},
    "frontdesk": {"alex": DESK, "blair": DESK, "casey": DESK},
    "billing": {
        "alex": {Cap.VIEW, Cap.BILLING, Cap.FINANCES},
        "blair": {Cap.VIEW, Cap.BILLING, Cap.FINANCES},
        "casey": {Cap.VIEW, Cap.BILLING, Cap.FINANCES},
    },
    "peer": {"alex": {Cap.VIEW, Cap.FOLLOW_UP}},
    "auditor": {},
    "outsider": {"elsewhere_participant": ALL | {Cap.MANAGE_TEAM, Cap.BILLING, Cap.FINANCES}},
    "therapist_b_emergency": {"alex": {Cap.VIEW, Cap.CHART}, "blair": ALL | {Cap.MANAGE_TEAM}},
}
PARTICIPANTS = ["alex", "blair", "casey", "elsewhere_participant"]
ROUTES = participant_routes()
# Who may ask for emergency access at all (holds a clinical role somewhere).
MAY_BREAK_GLASS = {
    "intake",
    "therapist_a",
    "therapist_b",
    "prescriber",
    "nurse",
    "outsider",
    "therapist_b_emergency",
}


def _user(world, persona: str):
    if persona == "therapist_b_emergency":
        now = timezone.now()
        EmergencyAccess.objects.create(
            participant=world.alex,
            program=world.program,
            user=world.therapist_b,
            reason="Matrix test: emergency access",
            started_at=now,
            expires_at=now + timedelta(minutes=60),
        )
        return world.therapist_b
    return world.staff[persona]


def _events():
    return AuditEvent.objects.count()


def _denials():
    return AuditEvent.objects.filter(action="access_denied").count()


def _reads():
    return AuditEvent.objects.filter(action="read").count()


def _break_glass(route) -> bool:
    return getattr(route.callback, "break_glass", False)


def test_the_matrix_covers_participant_urls():
    assert len(ROUTES) >= 5, [str(r) for r in ROUTES]
    for route in ROUTES:
        assert hasattr(route.callback, "participant_cap") or _break_glass(route), (
            f"{route} does not go through participant_view"
        )
    assert sum(_break_glass(r) for r in ROUTES) == 1


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("persona", list(EXPECTED))
def test_get_matrix(world, client, route, persona):
    client.force_login(_user(world, persona))
    if _break_glass(route):
        for name in PARTICIPANTS:
            url = reverse(route.name, kwargs=route.fill(participant_id=getattr(world, name).pk))
            denials, events = _denials(), _events()
            response = client.get(url)
            if persona in MAY_BREAK_GLASS:
                assert response.status_code == 200, f"{persona} GET {url}"
                assert _events() == events, "the request form itself records nothing and reveals nothing"
            else:
                assert response.status_code == 404, f"{persona} GET {url}"
                assert _denials() == denials + 1 and _events() == events + 1
        return
    cap = route.callback.participant_cap
    for name in PARTICIPANTS:
        participant = getattr(world, name)
        url = reverse(route.name, kwargs=route.fill(participant_id=participant.pk))
        denials, reads, events = _denials(), _reads(), _events()
        response = client.get(url)
        granted = EXPECTED[persona].get(name)
        where = f"{persona} GET {url} ({name})"
        if cap is None:
            assert response.status_code == 405, where
        elif granted is None:
            assert response.status_code == 404, where
            assert _denials() == denials + 1, f"{where}: denial not audited"
            assert _events() == events + 1, f"{where}: something besides the denial happened"
        elif cap not in granted:
            assert response.status_code == 403, where
            assert _denials() == denials + 1, f"{where}: denial not audited"
            assert _events() == events + 1, f"{where}: something besides the denial happened"
        else:
            assert _denials() == denials, f"{where}: allowed request was refused ({response.status_code})"
            if response.status_code != 404:  # a sub-object id the test invented may not exist
                assert response.status_code in (200, 302), where
                assert _reads() >= reads + 1, f"{where}: read not audited"


@pytest.mark.parametrize(
    "route",
    [r for r in ROUTES if _break_glass(r) or getattr(r.callback, "participant_post_cap", None)],
    ids=str,
)
@pytest.mark.parametrize("persona", list(EXPECTED))
def test_post_matrix(world, client, route, persona):
    client.force_login(_user(world, persona))
    if _break_glass(route):
        for name in PARTICIPANTS:
            url = reverse(route.name, kwargs=route.fill(participant_id=getattr(world, name).pk))
            denials, events = _denials(), _events()
            response = client.post(url, {})  # no reason given: refused before anything is looked up
            expected = 400 if persona in MAY_BREAK_GLASS else 404
            assert response.status_code == expected, f"{persona} POST {url}"
            assert _denials() == denials + (expected == 404)
            assert _events() == events + (expected == 404)
        return
    cap = route.callback.participant_post_cap
    for name in PARTICIPANTS:
        participant = getattr(world, name)
        url = reverse(route.name, kwargs=route.fill(participant_id=participant.pk))
        denials, events = _denials(), _events()
        response = client.post(url, {})
        granted = EXPECTED[persona].get(name)
        where = f"{persona} POST {url} ({name})"
        if granted is None:
            assert response.status_code == 404, where
            assert _denials() == denials + 1, f"{where}: denial not audited"
            assert _events() == events + 1, f"{where}: something besides the denial happened"
        elif cap not in granted:
            assert response.status_code == 403, where
            assert _denials() == denials + 1, f"{where}: denial not audited"
            assert _events() == events + 1, f"{where}: something besides the denial happened"
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
    missing_id = uuid.uuid4()
    hidden = client.get(reverse("participants:detail", args=[world.alex.pk]))
    missing = client.get(reverse("participants:detail", args=[missing_id]))
    assert hidden.status_code == missing.status_code == 404

    def strip(html: bytes, asked_for) -> bytes:
        html = re.sub(rb'X-CSRFToken": "[^"]+"', b"", html)
        html = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)
        # The page may repeat the id the user asked for (the emergency-access link); that is no leak.
        return html.replace(str(asked_for).encode(), b"ID")

    assert strip(hidden.content, world.alex.pk) == strip(missing.content, missing_id)
    # A clinician is offered emergency access on both, so the offer reveals nothing either.
    assert b"request emergency access" in hidden.content
