"""From the database to a proposal and onto the calendar: the adapter, the services, `bridge schedule`."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from bridge.accounts.models import Credential
from bridge.audit.models import AuditEvent
from bridge.core.weeks import minute_of_week, moment_at, parse_iso_week
from bridge.participants.models import CareTeamMember
from bridge.planner import services
from bridge.planner.adapter import build_plan
from bridge.planner.models import AppointmentRule, ParticipantRequirement, PlannedAppointment, ScheduleRun
from bridge.planner.problem import DAY
from bridge.planner.tests.conftest import WEEK, work
from bridge.scheduling.models import Attendance, GroupSeries, SeriesMembership, Session, SessionType

LA = zoneinfo.ZoneInfo("America/Los_Angeles")


def local(dt: datetime | None) -> datetime:
    assert dt is not None, "not placed"
    return dt.astimezone(LA)


def placed(run: ScheduleRun) -> list[PlannedAppointment]:
    return list(run.appointments.filter(starts_at__isnull=False).order_by("starts_at"))


def test_preview_places_each_need_outside_work_and_inside_the_clinicians_hours(harbor):
    run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    assert (run.requested, run.placed) == (3, 3)
    kinds = sorted((a.participant.first_name, a.kind) for a in placed(run))
    assert kinds == [("Alex", "individual"), ("Alex", "medication"), ("Blair", "individual")]
    for a in placed(run):
        start, end = local(a.starts_at), local(a.ends_at)
        if start.weekday() < 5:
            assert start.time() >= time(17), "during work hours"
        if a.staff == harbor.therapist_a:
            assert start.weekday() in (0, 1, 2, 3) and time(12) <= start.time() and end.time() <= time(20)
        if a.kind == "medication":
            assert a.staff == harbor.prescriber and start.weekday() in (1, 3)
    assert Session.objects.count() == 0, "a preview creates nothing on the calendar"
    event = AuditEvent.objects.get(object_type="schedule_run", action="create")
    assert event.detail["placed"] == 3 and event.object_id == str(run.pk)


def test_commit_creates_sessions_and_rosters_once(harbor):
    run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    committed, created = services.schedule_run_commit(actor=harbor.director, run=run)
    assert created == 3 and committed.status == ScheduleRun.Status.COMMITTED
    sessions = Session.objects.order_by("starts_at")
    assert sessions.count() == 3
    for a in placed(committed):
        session = a.session
        assert session is not None
        assert session.starts_at == a.starts_at and session.staff_id == a.staff_id
        assert list(session.attendance.values_list("participant_id", "status")) == [
            (a.participant_id, Attendance.Status.EXPECTED)
        ]
        if session.modality == Session.Modality.TELEHEALTH:
            assert session.telehealth_url.startswith("https://video.example/")
        else:
            assert session.room_id == a.room_id is not None
    audited = AuditEvent.objects.filter(action="create", object_type="session")
    assert {e.participant_id for e in audited} == {harbor.alex.pk, harbor.blair.pk} and audited.count() == 3
    assert AuditEvent.objects.filter(action="schedule_commit", object_id=str(run.pk)).count() == 1

    # Idempotent: again creates nothing; a new preview of the week is refused.
    again, created_again = services.schedule_run_commit(actor=harbor.director, run=run)
    assert created_again == 0 and again.pk == run.pk and Session.objects.count() == 3
    with pytest.raises(ValidationError):
        services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)


def test_a_second_proposal_of_a_committed_week_commits_nothing(harbor):
    first = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    second = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    services.schedule_run_commit(actor=harbor.director, run=first)
    winner, created = services.schedule_run_commit(actor=harbor.director, run=second)
    assert winner.pk == first.pk and created == 0 and Session.objects.count() == 3
    second.refresh_from_db()
    assert second.status == ScheduleRun.Status.DISCARDED


def test_next_week_needs_only_what_is_due_and_keeps_last_weeks_slot(harbor):
    run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    services.schedule_run_commit(actor=harbor.director, run=run)
    last = {(a.participant_id, a.kind): local(a.starts_at) for a in placed(run)}

    plan = build_plan(harbor.program, WEEK + timedelta(days=7))
    assert sorted(r.kind for r in plan.problem.requests) == ["individual", "individual"], (
        "medication every 2 weeks"
    )
    nxt = services.schedule_run_create(
        actor=harbor.director, program=harbor.program, week_start=WEEK + timedelta(days=7)
    )
    for a in placed(nxt):
        before = last[a.participant_id, a.kind]
        assert a.same_as_last_time
        assert (local(a.starts_at).weekday(), local(a.starts_at).time()) == (before.weekday(), before.time())

    # In two weeks the medication visit is due again.
    kinds = sorted(r.kind for r in build_plan(harbor.program, WEEK + timedelta(days=14)).problem.requests)
    assert kinds == ["individual", "individual", "medication"]


def test_a_need_already_on_the_calendar_this_week_is_not_requested_again(harbor):
    session = Session.objects.create(
        program=harbor.program,
        kind="individual",
        staff=harbor.therapist_a,
        starts_at=datetime(2026, 12, 2, 17, tzinfo=LA),
        ends_at=datetime(2026, 12, 2, 17, 50, tzinfo=LA),
    )
    Attendance.objects.create(session=session, participant=harbor.alex)
    requests = build_plan(harbor.program, WEEK).problem.requests
    assert sorted((r.participant, r.kind) for r in requests) == sorted(
        [(str(harbor.alex.pk), "medication"), (str(harbor.blair.pk), "individual")]
    )


def test_group_track_hours_and_existing_sessions_keep_people_busy(harbor):
    track = harbor.program.tracks.get(name="Evening")  # Mon/Tue/Thu 18:00-21:00
    group_type = SessionType.objects.create(
        program=harbor.program, name="Process group", category="group_therapy", default_minutes=180
    )
    series = GroupSeries.objects.create(
        program=harbor.program,
        track=track,
        name="Evening process",
        session_type=group_type,
        facilitator=harbor.therapist_b,
        starts_on=date(2026, 1, 5),
    )
    SeriesMembership.objects.create(series=series, participant=harbor.alex, joined_on=date(2026, 11, 1))
    # Therapist A already leads something on Wednesday evening.
    Session.objects.create(
        program=harbor.program,
        kind="family",
        staff=harbor.therapist_a,
        starts_at=datetime(2026, 12, 2, 17, tzinfo=LA),
        ends_at=datetime(2026, 12, 2, 20, tzinfo=LA),
    )
    plan = build_plan(harbor.program, WEEK)
    alex = plan.problem.participants[str(harbor.alex.pk)]
    assert any(w.start == 0 * DAY + 18 * 60 and w.end == 21 * 60 for w in alex.busy), "Monday group"
    run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    for a in placed(run):
        start, end = local(a.starts_at), local(a.ends_at)
        if a.participant_id == harbor.alex.pk and start.weekday() in track.weekdays:
            assert end.time() <= time(18) or start.time() >= time(21), "during Alex's group"
        if a.staff == harbor.therapist_a and start.weekday() == 2:
            assert end.time() <= time(17) or start.time() >= time(20), "during A's family session"
        if a.staff == harbor.therapist_b and start.weekday() in track.weekdays:
            assert end.time() <= time(18) or start.time() >= time(21), "B facilitates the group"


def test_an_expired_credential_leaves_the_visit_unplaced_with_that_reason(harbor):
    Credential.objects.filter(user=harbor.prescriber).update(expires_on=date(2026, 12, 3))
    run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    missing = run.appointments.get(kind="medication")
    assert not missing.placed and missing.reason == "no_qualified_clinician"
    assert "current credential" in missing.reason_text and "Prescriber" in missing.reason_detail


def test_no_primary_clinician_is_a_reason_and_no_prescriber_means_no_visit(harbor):
    CareTeamMember.objects.filter(participant=harbor.blair).update(ended_at=timezone.now())
    run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    blair = list(run.appointments.filter(participant=harbor.blair))
    assert [(a.kind, a.reason) for a in blair] == [("individual", "no_clinician")]


def test_participant_overrides_waive_or_change_a_requirement(harbor):
    individual = AppointmentRule.objects.get(kind="individual")
    ParticipantRequirement.objects.create(participant=harbor.blair, rule=individual, status="waived")
    ParticipantRequirement.objects.create(
        participant=harbor.alex, rule=individual, status="required", minutes=80
    )
    requests = build_plan(harbor.program, WEEK).problem.requests
    assert sorted((r.participant, r.kind, r.minutes) for r in requests) == sorted(
        [(str(harbor.alex.pk), "individual", 80), (str(harbor.alex.pk), "medication", 30)]
    )


def test_someone_working_through_every_shared_hour_gets_the_reason(harbor):
    work(harbor.blair, [1, 2, 3, 4], time(17), time(22))
    run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    blair = run.appointments.get(participant=harbor.blair)
    assert blair.reason == "no_shared_time"


def test_a_time_taken_after_the_preview_is_not_double_booked(harbor):
    run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    target = run.appointments.get(participant=harbor.blair)
    assert target.starts_at is not None and target.ends_at is not None
    Session.objects.create(
        program=harbor.program,
        kind="individual",
        staff=harbor.therapist_b,
        starts_at=target.starts_at,
        ends_at=target.ends_at,
    )
    _, created = services.schedule_run_commit(actor=harbor.director, run=run)
    assert created == 2
    target.refresh_from_db()
    assert not target.placed and target.reason == "taken_since_preview" and target.session is None
    assert Session.objects.filter(staff=harbor.therapist_b).count() == 1


def test_discarded_proposal_cannot_be_committed(harbor):
    run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    services.schedule_run_discard(actor=harbor.director, run=run)
    with pytest.raises(ValidationError):
        services.schedule_run_commit(actor=harbor.director, run=run)
    assert Session.objects.count() == 0


def test_bridge_schedule_dry_run_then_commit_then_nothing_to_do(harbor):
    out = StringIO()
    call_command("schedule", "--week", "2026-W49", "--program", "Harbor", "--dry-run", stdout=out)
    assert "placed 3 of 3" in out.getvalue() and "Dry run" in out.getvalue()
    assert Session.objects.count() == 0
    out = StringIO()
    call_command("schedule", "--week", "2026-W49", "--program", "Harbor", stdout=out)
    assert "3 sessions created" in out.getvalue() and Session.objects.count() == 3
    out = StringIO()
    call_command("schedule", "--week", "2026-W49", "--program", "Harbor", stdout=out)
    assert "already committed" in out.getvalue() and Session.objects.count() == 3


def test_bridge_schedule_lists_unplaced_with_reasons(harbor):
    work(harbor.blair, [1, 2, 3, 4], time(17), time(22))
    out = StringIO()
    call_command("schedule", "--week", "2026-W49", "--program", "Harbor", "--dry-run", stdout=out)
    assert "Not placed (1)" in out.getvalue() and "No overlap" in out.getvalue()


@pytest.mark.parametrize(("week", "message"), [("2026-49", "like 2026-W49"), ("2026-W54", "no week 54")])
def test_bridge_schedule_refuses_a_bad_week(harbor, week, message):
    with pytest.raises(CommandError, match=message):
        call_command("schedule", "--week", week, "--program", "Harbor")


def test_bridge_schedule_needs_a_program_when_there_are_several(harbor):
    with pytest.raises(CommandError, match="--program"):
        call_command("schedule", "--week", "2026-W49")


def test_iso_weeks_and_local_minutes_across_the_daylight_saving_change():
    assert parse_iso_week("2026-W49") == date(2026, 11, 30)
    assert parse_iso_week("2020-W53") == date(2020, 12, 28)
    # Week 44 of 2026 ends on Sunday Nov 1, when clocks fall back at 02:00.
    week = parse_iso_week("2026-W44")
    monday = moment_at(0 * DAY + 18 * 60, week, LA)
    sunday = moment_at(6 * DAY + 18 * 60, week, LA)
    assert (monday.hour, sunday.hour) == (18, 18)
    assert monday.utcoffset() == timedelta(hours=-7) and sunday.utcoffset() == timedelta(hours=-8)
    assert minute_of_week(sunday, week, LA) == 6 * DAY + 18 * 60
    elapsed = sunday.astimezone(zoneinfo.ZoneInfo("UTC")) - monday.astimezone(zoneinfo.ZoneInfo("UTC"))
    assert elapsed == timedelta(days=6, hours=1), "the week has one extra hour"


def test_a_top_up_places_only_what_became_due_after_the_week_was_committed(harbor, client):
    individual = AppointmentRule.objects.get(program=harbor.program, kind="individual")
    waived = ParticipantRequirement.objects.create(participant=harbor.blair, rule=individual, status="waived")
    run = services.schedule_run_create(actor=harbor.director, program=harbor.program, week_start=WEEK)
    services.schedule_run_commit(actor=harbor.director, run=run)
    assert Session.objects.count() == 2  # Alex's individual and medication visits
    with pytest.raises(ValidationError):
        services.schedule_run_create(
            actor=harbor.director, program=harbor.program, week_start=WEEK + timedelta(days=7), top_up=True
        )

    # Blair's needs change after the commit: a top-up places just that, around what is booked.
    waived.status = "required"
    waived.save()
    client.force_login(harbor.director)
    response = client.post(f"/schedule/runs/{run.pk}/top-up/")
    top_up = ScheduleRun.objects.get(is_top_up=True)
    assert response.status_code == 302 and response["Location"].endswith(f"/schedule/runs/{top_up.pk}/")
    assert [(a.participant_id, a.kind) for a in placed(top_up)] == [(harbor.blair.pk, "individual")]
    assert "adds to the week already committed" in client.get(response["Location"]).content.decode()
    added, created = services.schedule_run_commit(actor=harbor.director, run=top_up)
    assert (added.status, created, Session.objects.count()) == (ScheduleRun.Status.ADDED, 1, 3)
    for a in Session.objects.all():
        others = Session.objects.exclude(pk=a.pk).filter(
            staff=a.staff, starts_at__lt=a.ends_at, ends_at__gt=a.starts_at
        )
        assert not others.exists(), "a top-up never double-books"
    # Nothing more is due: another top-up places nothing; the first commit still stands.
    again = services.schedule_run_create(
        actor=harbor.director, program=harbor.program, week_start=WEEK, top_up=True
    )
    committed = services.committed_run(harbor.program, WEEK)
    assert again.requested == 0 and committed is not None and committed.pk == run.pk


def test_bridge_schedule_top_up(harbor):
    out = StringIO()
    args = ["--week", "2026-W49", "--program", "Harbor"]
    call_command("schedule", *args, stdout=out)
    call_command("schedule", *args, stdout=out)
    assert "--top-up places what is still due" in out.getvalue()
    call_command("schedule", *args, "--top-up", stdout=out)
    assert "Added to 2026-W49: 0 sessions created." in out.getvalue() and Session.objects.count() == 3
