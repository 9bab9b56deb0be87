"""A staff member's API token on the JSON API: reads as that person, never writes; every use audited."""

from __future__ import annotations

import json
from datetime import time

import pytest
from django.test import Client

from bridge.audit.models import AuditEvent
from bridge.fhir.services import token_create, token_revoke
from bridge.scheduling.models import Attendance
from bridge.scheduling.tests.conftest import WEEK, session_at

BASE = "/api/v1/schedule/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def group(world):
    s = session_at(world.program, WEEK, time(18), 180, world.therapist_a, title="Coping with cravings")
    Attendance.objects.create(session=s, participant=world.alex)
    return s


def _token(world, user, scopes="user/*.read"):
    return token_create(actor=world.director, name="Nightly report", scopes=scopes, user=user)


def _get(secret, path, **params):
    return Client().get(path, params, HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_user_token_reads_what_its_staff_member_may_read(world, group):
    issued = _token(world, world.frontdesk)
    response = _get(issued.secret, BASE + "sessions", week="2026-W47")
    assert response.status_code == 200 and [s["title"] for s in response.json()] == ["Coping with cravings"]
    used = AuditEvent.objects.filter(action="token_used", object_id=str(issued.token.pk)).get()
    assert used.actor_id == world.frontdesk.pk and used.detail["path"] == BASE + "sessions"
    # The program-wide week is for directors and front desk: a therapist's token gets what the
    # therapist gets on the screens.
    therapist = _token(world, world.therapist_b)
    assert _get(therapist.secret, BASE + "sessions", week="2026-W47").status_code in (403, 404)


def test_tokens_never_write(world, group):
    issued = _token(world, world.therapist_a)
    response = Client().post(
        BASE + f"sessions/{group.pk}/attendance",
        json.dumps({"marks": [{"participant": str(world.alex.pk), "status": "present"}]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {issued.secret}",
    )
    assert response.status_code == 403 and "read-only" in response.json()["error"]["message"]
    assert Attendance.objects.get(session=group).status == Attendance.Status.EXPECTED
    assert AuditEvent.objects.filter(action="access_denied", object_id=str(issued.token.pk)).exists()


def test_unknown_revoked_and_narrow_tokens_are_refused(world, group):
    assert _get("brg_not-a-token", BASE + "sessions", week="2026-W47").status_code == 401
    issued = _token(world, world.frontdesk)
    token_revoke(actor=world.director, token=issued.token)
    assert _get(issued.secret, BASE + "sessions", week="2026-W47").status_code == 401
    narrow = _token(world, world.frontdesk, scopes="user/Patient.read")
    response = _get(narrow.secret, BASE + "sessions", week="2026-W47")
    assert response.status_code == 403 and "user/*.read" in response.json()["error"]["message"]
    assert Client().get(BASE + "sessions", {"week": "2026-W47"}).status_code == 401


def test_the_openapi_document_names_both_ways_in():
    doc = Client().get("/api/v1/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert {"StaffSession", "StaffToken"} <= set(schemes) and schemes["StaffToken"]["scheme"] == "bearer"
