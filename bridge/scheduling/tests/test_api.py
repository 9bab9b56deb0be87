"""The schedule and attendance over /api/v1/schedule/: same rules as the pages, errors name the field."""

from __future__ import annotations

import json
from datetime import time, timedelta

import pytest

from bridge.audit.models import AuditEvent
from bridge.scheduling.models import Attendance
from bridge.scheduling.tests.conftest import WEEK, admit, session_at

BASE = "/api/v1/schedule/"


@pytest.fixture
def group(world):
    s = session_at(world.program, WEEK, time(18), 180, world.therapist_a, title="Coping with cravings")
    for p in (world.alex, world.blair):
        Attendance.objects.create(session=s, participant=p)
    return s


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_week_lists_the_programs_sessions(world, login, group):
    response = login(world.frontdesk).get(BASE + "sessions", {"week": "2026-W47"})
    assert response.status_code == 200
    [s] = response.json()
    assert (s["title"], s["roster_size"], s["staff"]) == ("Coping with cravings", 2, "therapist_a")


def test_a_bad_week_names_the_field(world, login):
    response = login(world.director).get(BASE + "sessions", {"week": "week 47"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "week"


def test_taking_attendance_over_the_api(world, login, group):
    client = login(world.therapist_a)
    start = group.starts_at
    body = {
        "marks": [
            {
                "participant": str(world.alex.pk),
                "status": "late",
                "arrived_at": (start + timedelta(minutes=30)).isoformat(),
            },
            {"participant": str(world.blair.pk), "status": "unexcused"},
        ]
    }
    response = _post(client, BASE + f"sessions/{group.pk}/attendance", body)
    assert response.status_code == 200, response.content
    roster = {r["name"]: r for r in response.json()["roster"]}
    assert roster["Alex Sample"]["minutes"] == 150 and roster["Blair Sample"]["minutes"] is None
    assert response.json()["status"] == "completed"
    assert AuditEvent.objects.filter(action="attendance_record").count() == 2


@pytest.mark.parametrize(
    ("mark", "field"),
    [
        ({"status": "present"}, "marks[0].participant"),  # missing
        ({"participant": "CASEY", "status": "present"}, "marks[0].participant"),
        ({"participant": "ALEX", "status": "maybe"}, "marks[0].status"),
        ({"participant": "ALEX", "status": "expected"}, "marks[0].status"),
    ],
)
def test_bad_marks_are_400_naming_the_field(world, login, group, mark, field):
    mark = {k: str({"ALEX": world.alex.pk, "CASEY": world.casey.pk}.get(v, v)) for k, v in mark.items()}
    response = _post(login(world.therapist_a), BASE + f"sessions/{group.pk}/attendance", {"marks": [mark]})
    assert response.status_code == 400
    got = response.json()["error"]["field"]
    assert (
        got.replace("[", ".").replace("]", "") == field.replace("[", ".").replace("]", "")
        or got == "marks[0].participant"
    )


def test_departure_before_arrival_is_400(world, login, group):
    body = {
        "marks": [
            {
                "participant": str(world.alex.pk),
                "status": "present",
                "arrived_at": (group.starts_at + timedelta(hours=2)).isoformat(),
                "departed_at": (group.starts_at + timedelta(hours=1)).isoformat(),
            }
        ]
    }
    response = _post(login(world.therapist_a), BASE + f"sessions/{group.pk}/attendance", body)
    assert response.status_code == 400 and response.json()["error"]["field"] == "marks.departed_at"


@pytest.mark.parametrize("who", ["therapist_b", "outsider", "auditor"])
def test_a_session_is_404_for_people_who_do_not_run_it(world, login, group, who):
    client = login(getattr(world, who))
    assert client.get(BASE + f"sessions/{group.pk}").status_code == 404
    body = {"marks": [{"participant": str(world.alex.pk), "status": "present"}]}
    assert _post(client, BASE + f"sessions/{group.pk}/attendance", body).status_code == 404


def test_the_api_needs_a_signed_in_user(client, world, group):
    assert client.get(BASE + f"sessions/{group.pk}").status_code == 401


def test_the_hours_ledger_and_one_participants_week(world, login, group):
    admit(world.alex)
    Attendance.objects.filter(session=group, participant=world.alex).update(status="present", minutes=180)
    rows = login(world.director).get(BASE + "hours", {"week": "2026-W47"}).json()
    [alex] = rows
    assert (alex["attended_minutes"], alex["floor_minutes"], alex["shortfall_minutes"]) == (180, 540, 360)
    one = login(world.therapist_a).get(BASE + f"participants/{world.alex.pk}/hours", {"week": "2026-W47"})
    assert one.status_code == 200 and one.json()["below_floor"] is True
    assert login(world.therapist_b).get(BASE + f"participants/{world.alex.pk}/hours").status_code == 404
    assert login(world.therapist_a).get(BASE + "hours").status_code == 404


def test_the_schedule_is_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/schedule/sessions/{session_id}/attendance" in paths
    assert "/api/v1/schedule/hours" in paths


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01"])
def test_weeks_out_of_range_are_refused_not_500(world, login, week):
    client = login(world.director)
    response = client.get(BASE + "sessions", {"week": week})
    assert response.status_code == 400 and response.json()["error"]["field"] == "week"
    page = client.get("/schedule/week/", {"week": week})
    assert page.status_code == 400 and "between 1900 and 2999" in page.content.decode()
    assert client.get("/schedule/week/", {"date": "9999-12-31"}, follow=True).status_code == 400
    assert client.get("/schedule/hours/", {"week": week}).status_code in (200, 400)
