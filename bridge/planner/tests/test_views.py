"""The director's schedule pages, availability and clinician-hours forms, and who may use them."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.core.weeks import monday_of
from bridge.participants.models import CareTeamMember
from bridge.planner import services
from bridge.planner.models import (
    AppointmentRule,
    ClinicianHours,
    ClinicianSchedule,
    ParticipantRequirement,
    ParticipantTimeBlock,
    ScheduleRun,
)
from bridge.planner.tests.conftest import WEEK
from bridge.scheduling.models import Session
from bridge.testing.personas import make_participant
from bridge.testing.sections import full_page


def test_director_previews_then_commits_a_week(harbor, login):
    client = login(harbor.director)
    assert client.get(reverse("planner:home")).status_code == 200
    response = client.post(reverse("planner:preview"), {"week": "2026-W49"})
    run = ScheduleRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("planner:run", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert "3 of 3" in page and "Clinician load" in page and "Commit 3 appointments" in page
    assert Session.objects.count() == 0
    client.post(reverse("planner:run_commit", args=[run.pk]))
    assert Session.objects.count() == 3
    # Previewing a committed week shows what was committed instead of solving again.
    again = client.post(reverse("planner:preview"), {"week": "2026-W49"})
    assert again["Location"] == reverse("planner:run", args=[run.pk]) and ScheduleRun.objects.count() == 1
    client.post(reverse("planner:run_commit", args=[run.pk]))
    assert Session.objects.count() == 3


@pytest.mark.parametrize("week", ["", "next week", "2026-W60"])
def test_a_bad_week_is_a_field_error(harbor, login, week):
    response = login(harbor.director).post(reverse("planner:preview"), {"week": week})
    assert response.status_code == 400 and 'id="id_week_error"' in response.content.decode()
    assert not ScheduleRun.objects.exists()


def test_discard_a_proposal(harbor, login):
    client = login(harbor.director)
    run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    assert client.post(reverse("planner:run_discard", args=[run.pk])).status_code == 302
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.DISCARDED
    client.post(reverse("planner:run_commit", args=[run.pk]))
    assert Session.objects.count() == 0


@pytest.mark.parametrize("persona", ["therapist_a", "frontdesk", "auditor"])
def test_only_directors_reach_the_schedule(harbor, login, persona):
    run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    rule = AppointmentRule.objects.first()
    assert rule is not None
    client = login(harbor.staff[persona])
    for url in (
        reverse("planner:home"),
        reverse("planner:run", args=[run.pk]),
        reverse("planner:rules"),
        reverse("planner:rule_edit", args=[rule.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (reverse("planner:preview"), reverse("planner:run_commit", args=[run.pk])):
        assert client.post(url, {"week": "2026-W49"}).status_code == 404, url
    assert Session.objects.count() == 0
    assert AuditEvent.objects.filter(
        action="access_denied", object_type__in=["schedule", "schedule_run"]
    ).exists()


def test_a_director_of_another_program_gets_404_for_this_programs_runs(harbor, login):
    run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    rule = AppointmentRule.objects.filter(program=harbor.program).first()
    assert rule is not None
    client = login(harbor.outsider)
    assert client.get(reverse("planner:run", args=[run.pk])).status_code == 404
    assert client.get(reverse("planner:rule_edit", args=[rule.pk])).status_code == 404
    assert client.post(reverse("planner:run_commit", args=[run.pk])).status_code == 404
    assert client.post(reverse("planner:run_discard", args=[run.pk])).status_code == 404
    home = client.get(reverse("planner:home")).content.decode()
    assert str(run.pk) not in home and "Harbor" not in home
    assert Session.objects.count() == 0


def test_run_page_queries_do_not_grow_with_the_number_of_appointments(harbor, login):
    client = login(harbor.director)

    def count() -> int:
        run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
        client.get(reverse("planner:run", args=[run.pk]))  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("planner:run", args=[run.pk])).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(8):
        p = make_participant(harbor.program, f"Extra{i}")
        CareTeamMember.objects.create(participant=p, staff=harbor.therapist_a, team_role="primary")
    assert count() == small
    first, last = ScheduleRun.objects.order_by("created_at")
    assert last.requested == first.requested + 8


def test_director_edits_a_program_rule(harbor, login):
    rule = AppointmentRule.objects.get(kind="medication")
    client = login(harbor.director)
    data = {
        "name": "Medication visit",
        "minutes": 20,
        "every_weeks": 4,
        "clinician_from": "prescriber",
        "required_credential": "prescriber",
        "modality": "telehealth",
        "seats": 2,
        "applies_by_default": "on",
        "is_active": "on",
    }
    assert client.post(reverse("planner:rule_edit", args=[rule.pk]), data).status_code == 302
    rule.refresh_from_db()
    assert (rule.minutes, rule.every_weeks, rule.modality) == (20, 4, "telehealth")
    bad = client.post(reverse("planner:rule_edit", args=[rule.pk]), {**data, "minutes": 2})
    assert bad.status_code == 400 and 'id="id_minutes_error"' in bad.content.decode()


def test_director_adds_a_requirement_once_per_kind(harbor, login):
    client = login(harbor.director)
    data = {
        "kind": "family",
        "name": "Family session",
        "minutes": 50,
        "every_weeks": 4,
        "clinician_from": "primary",
        "required_credential": "licensed",
        "modality": "in_person",
        "seats": 4,
        "is_active": "on",
    }
    assert client.post(reverse("planner:rule_create"), data).status_code == 302
    rule = AppointmentRule.objects.get(kind="family")
    assert rule.program == harbor.program and not rule.applies_by_default
    again = client.post(reverse("planner:rule_create"), {**data, "name": "Another"})
    assert again.status_code == 400 and AppointmentRule.objects.filter(kind="family").count() == 1
    # Plain words, never the constraint's name.
    assert "already has an active rule" in again.content.decode()
    assert "one_active_rule_per_kind" not in again.content.decode()
    group = client.post(reverse("planner:rule_create"), {**data, "kind": "group"})
    assert group.status_code == 400 and 'id="id_kind_error"' in group.content.decode()
    assert login(harbor.therapist_a).get(reverse("planner:rule_create")).status_code == 404


# --- Availability --------------------------------------------------------------------------------------


def test_staff_add_work_hours_for_several_days_at_once_and_remove_one(harbor, login):
    client = login(harbor.frontdesk)
    url = reverse("planner:availability_add", args=[harbor.casey.pk])
    response = client.post(
        url, {"kind": "work", "weekdays": ["0", "2", "4"], "start_time": "07:00", "end_time": "15:30"}
    )
    assert response.status_code == 302
    blocks = ParticipantTimeBlock.objects.filter(participant=harbor.casey).order_by("weekday")
    assert [(b.weekday, b.start_time, b.end_time) for b in blocks] == [
        (d, time(7), time(15, 30)) for d in (0, 2, 4)
    ]
    assert (
        AuditEvent.objects.filter(object_type="time_block", action="create", participant=harbor.casey).count()
        == 1
    )
    page = client.get(reverse("planner:availability", args=[harbor.casey.pk])).content.decode()
    assert "Monday" in page and "07:00" in page
    client.post(reverse("planner:availability_remove", args=[harbor.casey.pk, blocks[0].pk]))
    assert ParticipantTimeBlock.objects.filter(participant=harbor.casey).count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "work", "weekdays": ["1"], "start_time": "17:00", "end_time": "09:00"}, "end_time"),
        ({"kind": "work", "start_time": "09:00", "end_time": "17:00"}, "weekdays"),
        ({"kind": "work", "weekdays": ["9"], "start_time": "09:00", "end_time": "17:00"}, "weekdays"),
        ({"kind": "nap", "weekdays": ["1"], "start_time": "09:00", "end_time": "17:00"}, "kind"),
        ({"kind": "work", "weekdays": ["1"], "start_time": "25:00", "end_time": "17:00"}, "start_time"),
    ],
)
def test_bad_availability_is_a_field_error_and_writes_nothing(harbor, login, data, field):
    response = login(harbor.director).post(reverse("planner:availability_add", args=[harbor.alex.pk]), data)
    assert response.status_code == 400 and f'id="id_{field}_error"' in response.content.decode()
    assert not ParticipantTimeBlock.objects.filter(participant=harbor.alex).exclude(kind="work").exists()
    assert ParticipantTimeBlock.objects.filter(participant=harbor.alex).count() == 5  # the fixture's


def test_a_participants_requirement_is_changed_on_their_page(harbor, login):
    rule = AppointmentRule.objects.get(kind="individual")
    client = login(harbor.therapist_a)
    prefix = f"r{rule.pk.hex[:8]}"
    url = reverse("planner:requirement_set", args=[harbor.alex.pk, rule.pk])
    client.post(url, {f"{prefix}-status": "required", f"{prefix}-every_weeks": "2", f"{prefix}-minutes": ""})
    row = ParticipantRequirement.objects.get(participant=harbor.alex, rule=rule)
    assert (row.status, row.every_weeks, row.minutes) == ("required", 2, None)
    bad = client.post(url, {f"{prefix}-status": "required", f"{prefix}-every_weeks": "40"})
    assert bad.status_code == 400
    assert ParticipantRequirement.objects.get(pk=row.pk).every_weeks == 2


def test_a_rule_of_another_program_is_not_found_on_the_participant_page(harbor, login):
    other = AppointmentRule.objects.create(
        program=harbor.other_program, name="X", kind="individual", minutes=50
    )
    response = login(harbor.director).post(
        reverse("planner:requirement_set", args=[harbor.alex.pk, other.pk]), {}
    )
    assert response.status_code == 404


def test_participant_page_links_to_availability(harbor, login):
    page = full_page(login(harbor.therapist_a), reverse("participants:detail", args=[harbor.alex.pk]))
    assert reverse("planner:availability", args=[harbor.alex.pk]) in page
    assert reverse("notify:participant_calendar", args=[harbor.alex.pk]) in page
    assert "Work: Monday 09:00" in page


# --- Clinician hours -----------------------------------------------------------------------------------


def test_a_clinician_edits_their_own_hours_and_capacity(harbor, login):
    client = login(harbor.therapist_b)
    assert client.get(reverse("planner:my_hours"))["Location"] == reverse(
        "planner:clinician_hours", args=[harbor.therapist_b.pk]
    )
    add = reverse("planner:clinician_hours_add", args=[harbor.therapist_b.pk])
    assert (
        client.post(add, {"weekdays": ["5"], "start_time": "09:00", "end_time": "13:00"}).status_code == 302
    )
    assert ClinicianHours.objects.filter(staff=harbor.therapist_b, weekday=5).exists()
    url = reverse("planner:clinician_hours", args=[harbor.therapist_b.pk])
    assert (
        client.post(url, {"weekly_capacity_hours": "12.5", "telehealth_url": "video.example/b"}).status_code
        == 302
    )
    schedule = ClinicianSchedule.objects.get(staff=harbor.therapist_b)
    assert schedule.weekly_capacity_minutes == 750 and schedule.telehealth_url == "https://video.example/b"
    bad = client.post(url, {"weekly_capacity_hours": "-1", "telehealth_url": "not a url at all"})
    assert bad.status_code == 400 and 'id="id_weekly_capacity_hours_error"' in bad.content.decode()
    row = ClinicianHours.objects.filter(staff=harbor.therapist_b).first()
    assert row is not None
    client.post(reverse("planner:clinician_hours_remove", args=[harbor.therapist_b.pk, row.pk]))
    assert not ClinicianHours.objects.filter(pk=row.pk).exists()


def test_the_director_edits_a_clinicians_hours(harbor, login):
    client = login(harbor.director)
    url = reverse("planner:clinician_hours_add", args=[harbor.therapist_a.pk])
    assert (
        client.post(url, {"weekdays": ["6"], "start_time": "10:00", "end_time": "12:00"}).status_code == 302
    )


@pytest.mark.parametrize("persona", ["therapist_b", "frontdesk", "outsider", "auditor"])
def test_others_cannot_see_or_change_a_clinicians_hours(harbor, login, persona):
    client = login(harbor.staff[persona])
    assert client.get(reverse("planner:clinician_hours", args=[harbor.therapist_a.pk])).status_code == 404
    response = client.post(
        reverse("planner:clinician_hours_add", args=[harbor.therapist_a.pk]),
        {"weekdays": ["6"], "start_time": "10:00", "end_time": "12:00"},
    )
    assert response.status_code == 404
    assert not ClinicianHours.objects.filter(staff=harbor.therapist_a, weekday=6).exists()


def test_outsider_gets_404_for_a_participants_availability(harbor, login):
    client = login(harbor.outsider)
    assert client.get(reverse("planner:availability", args=[harbor.alex.pk])).status_code == 404
    response = client.post(
        reverse("planner:availability_add", args=[harbor.alex.pk]),
        {"kind": "work", "weekdays": ["1"], "start_time": "09:00", "end_time": "10:00"},
    )
    assert response.status_code == 404


def test_the_preview_lists_appointments_outside_the_participants_authorization(harbor, login):
    from bridge.billing.models import Authorization
    from bridge.billing.tests import factories as billing

    week = monday_of(timezone.localdate()) + timedelta(days=7)
    coverage = billing.coverage(harbor.alex, billing.plan(billing.payer(harbor.program)))
    client = login(harbor.director)
    run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=week)
    page = client.get(reverse("planner:run", args=[run.pk])).content.decode()
    assert "Outside authorization" in page
    assert "No approved Medi-Cal DMC-ODS authorization covers" in page
    section = page.split('id="outside-h"')[1].split("</section>")[0]
    assert harbor.alex.display_name in section and harbor.blair.display_name not in section  # no coverage
    Authorization.objects.create(
        participant=harbor.alex,
        coverage=coverage,
        units_approved=20,
        starts_on=week,
        ends_on=week + timedelta(days=30),
        reference_number="DMC-5",
    )
    page = client.get(reverse("planner:run", args=[run.pk])).content.decode()
    assert "Outside authorization" not in page
