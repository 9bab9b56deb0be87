"""Issue 21, findings 2, 5, 7 and 8: control characters are a 400 before the database, every CSV
export neutralises formulas, lockout counts per username, and a lost database is a 503."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from bridge.audit.models import AuditEvent
from bridge.core.csv_export import safe_cell
from bridge.testing.personas import PASSWORD

FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize(
    "path",
    [
        "/schedule/week/?id=%00",
        "/schedule/week/?program=%00",
        "/schedule/hours/?program=%00",
        "/participants/?q=a%00b",
        "/audit/?actor=%01",
        "/participants/%00/",
    ],
)
def test_control_characters_in_a_parameter_or_the_path_are_400(world, login, path):
    response = login(world.director).get(path)
    assert response.status_code == 400
    assert b"control characters" in response.content


def test_nul_in_a_form_field_is_400_and_nothing_is_stored(world, login):
    before = world.alex.preferred_name
    response = login(world.director).post(
        f"/participants/{world.alex.pk}/edit/", {"preferred_name": "Al\x00ex", "first_name": "Alex"}
    )
    assert response.status_code == 400
    world.alex.refresh_from_db()
    assert world.alex.preferred_name == before


def test_nul_in_a_json_body_is_400_naming_the_body(world, login):
    response = login(world.director).post(
        "/api/v1/schedule/sessions", '{"title": "a\\u0000b"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "body"


def test_new_lines_and_tabs_in_text_are_fine(world, login):
    response = login(world.director).get("/participants/", {"q": "alex"})
    assert response.status_code == 200


# --- CSV exports -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", FORMULAS)
def test_the_shared_writer_neutralises_every_formula_start(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell(-5) == -5 and safe_cell("Alex") == "Alex"


def test_no_export_writes_csv_around_the_shared_writer():
    """Every CSV Bridge writes goes through bridge/core/csv_export.py (a direct csv.writer would let
    a participant's name or a client's id reach a spreadsheet as a formula)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]  # the bridge package
    direct = re.compile(r"\bcsv\.(writer|DictWriter)\(")
    found = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "csv_export.py"
        and direct.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
    assert direct.search("out = csv.writer(response)")  # the scan can fail


def _cells(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [cell for row in csv.reader(io.StringIO(body.decode())) for cell in row]


def test_the_audit_csv_neutralises_a_fhir_clients_formula(world, login):
    from bridge.audit.services import audit_record

    for value in FORMULAS:
        audit_record(action="read", actor=None, object_type="Observation", object_id=value, detail={})
    cells = _cells(login(world.auditor).get("/audit/export.csv"))
    assert AuditEvent.objects.filter(object_id=FORMULAS[0]).exists()
    for value in FORMULAS:
        assert value not in cells and ("'" + value) in cells


def test_the_hours_and_attendance_csvs_neutralise_participant_names(world, login):
    from datetime import time, timedelta

    from django.utils import timezone

    from bridge.participants.models import Participant
    from bridge.scheduling.tests.conftest import admit, attend, session_at

    today = timezone.localdate()
    admit(world.alex, admitted_on=today - timedelta(days=30))
    session = session_at(world.program, today, time(9), 60, world.therapist_a)
    attend(session, world.alex, 60)
    Participant.objects.filter(pk=world.alex.pk).update(last_name='=HYPERLINK("http://evil")')
    client = login(world.director)
    for url in ("/schedule/hours/ledger.csv", "/schedule/hours/attendance.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        cells = _cells(response)
        assert any('=HYPERLINK("http://evil")' in cell for cell in cells), url
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), url


# --- Lockout ------------------------------------------------------------------------------------


def test_rotating_x_forwarded_for_does_not_defeat_the_lockout(world, client, settings):
    settings.BRIDGE_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "director", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}",
        )
    response = client.post(
        "/accounts/login/",
        {"username": world.director.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.77",
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (403, 429, 200)


def test_the_production_profile_refuses_debug():
    env = {**os.environ, "BRIDGE_PROFILE": "production", "DEBUG": "true", "SECRET_KEY": "x" * 50}
    env.update({"ALLOWED_HOSTS": "bridge.example.org", "DJANGO_SETTINGS_MODULE": "bridge.settings"})
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "DEBUG=true is refused" in result.stderr


# --- Database unreachable -----------------------------------------------------------------------


@pytest.fixture
def database_down():
    from django.db import connections

    wrapper = connections["default"]
    return mock.patch.object(
        wrapper,
        "ensure_connection",
        side_effect=OperationalError("connection to server at 127.0.0.1 failed: Connection refused"),
    )


def test_a_lost_database_is_a_plain_503_page_and_service_resumes(world, login, database_down):
    client = login(world.director)
    client.raise_request_exception = False  # what a browser sees, not the exception
    balancer = Client(raise_request_exception=False)  # no session: the health view itself answers
    with database_down:
        response = client.get("/")
        health = balancer.get("/healthz", {"db": "1"})
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert b"Bridge cannot reach its database; try again in a minute" in response.content
    assert health.status_code == 503 and b"database unreachable" in health.content
    assert client.get("/").status_code == 200
    assert client.get("/healthz", {"db": "1"}).content == b"ok\ndatabase ok"


def test_a_lost_database_is_json_for_the_api_and_fhir(world, login, database_down):
    client = login(world.director)
    client.raise_request_exception = False  # what a browser sees, not the exception
    with database_down:
        api = client.get("/api/v1/schedule/sessions")
        fhir = client.get("/fhir/Patient", HTTP_AUTHORIZATION="Bearer x")
    assert api.status_code == 503 and api.json()["error"]["code"] == "unavailable"
    assert fhir.status_code == 503 and fhir.json()["resourceType"] == "OperationOutcome"
