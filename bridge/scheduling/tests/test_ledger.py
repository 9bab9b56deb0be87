"""The weekly ledger from real rows: floors by level and age, exceptions, payers, the program page, CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.participants.models import LevelOfCareChange
from bridge.programs.models import Track
from bridge.scheduling import ledger
from bridge.scheduling.ledger import hours_for, week_ledger
from bridge.scheduling.models import GroupSeries, PayerRule, SeriesMembership, Session, StepDownException
from bridge.scheduling.services.hours import episode_payer_set, step_down_grant
from bridge.scheduling.tests.conftest import WEEK, admit, attend, session_at


def give(world, participant, day_minutes: list[tuple[int, int]], **extra):
    """Attended sessions for `participant`: (day offset in WEEK, minutes) each at 18:00."""
    for offset, minutes in day_minutes:
        s = session_at(
            world.program, WEEK + timedelta(days=offset), time(18), max(minutes, 5), world.therapist_a
        )
        attend(s, participant, minutes, **extra)


def test_eight_hours_fifty_nine_minutes_is_below_the_adult_floor_by_one_minute(world):
    admit(world.alex)
    give(world, world.alex, [(0, 180), (1, 180), (3, 179)])
    line = hours_for(world.alex, WEEK)
    assert (line.attended_minutes, line.floor_minutes, line.shortfall_minutes) == (539, 540, 1)
    assert line.below_floor and line.shortfall_label == "1 min"


def test_nine_hours_meets_the_adult_floor(world):
    admit(world.alex)
    give(world, world.alex, [(0, 180), (1, 180), (3, 180)])
    assert not hours_for(world.alex, WEEK).below_floor


def test_an_adolescent_by_age_has_a_six_hour_floor(world):
    world.alex.date_of_birth = WEEK.replace(year=WEEK.year - 16)
    world.alex.save()
    admit(world.alex)
    give(world, world.alex, [(0, 180), (1, 180)])
    line = hours_for(world.alex, WEEK)
    assert (line.floor_minutes, line.adolescent, line.below_floor) == (360, True, False)
    assert line.label == "Level 2.1 adolescent: 6 h"


def test_turning_eighteen_mid_week_counts_from_the_monday(world):
    world.alex.date_of_birth = (WEEK + timedelta(days=2)).replace(year=WEEK.year - 18)
    world.alex.save()
    admit(world.alex)
    assert hours_for(world.alex, WEEK).floor_minutes == 360
    assert hours_for(world.alex, WEEK + timedelta(weeks=1)).floor_minutes == 540


def test_an_adult_on_an_adolescent_track_has_the_adolescent_floor(world, group_type):
    admit(world.alex)
    track = Track.objects.create(
        program=world.program,
        name="Teen",
        weekdays=[1, 3],
        start_time=time(16),
        end_time=time(19),
        target_hours_per_week=6,
        age_group=Track.AgeGroup.ADOLESCENT,
    )
    series = GroupSeries.objects.create(
        program=world.program,
        track=track,
        name="Teen group",
        session_type=group_type,
        facilitator=world.therapist_a,
        starts_on=date(2026, 9, 1),
    )
    SeriesMembership.objects.create(series=series, participant=world.alex, joined_on=date(2026, 10, 1))
    assert hours_for(world.alex, WEEK).floor_minutes == 360


def test_cancelled_sessions_and_absences_do_not_count(world):
    admit(world.alex)
    give(world, world.alex, [(0, 180)])
    s = session_at(world.program, WEEK + timedelta(days=1), time(18), 180, world.therapist_a)
    attend(s, world.alex, 180)
    Session.objects.filter(pk=s.pk).update(status="cancelled", cancel_reason="Snow")
    s2 = session_at(world.program, WEEK + timedelta(days=2), time(18), 180, world.therapist_a)
    attend(s2, world.alex, None, status="unexcused")
    assert hours_for(world.alex, WEEK).attended_minutes == 180


def test_a_session_late_on_sunday_counts_in_that_week_by_local_time(world):
    admit(world.alex)
    s = session_at(
        world.program, WEEK + timedelta(days=6), time(22), 60, world.therapist_a
    )  # 06:00 UTC Monday
    attend(s, world.alex, 60)
    assert hours_for(world.alex, WEEK).attended_minutes == 60
    assert hours_for(world.alex, WEEK + timedelta(weeks=1)).attended_minutes == 0


def test_a_level_change_to_outpatient_removes_the_floor_from_that_week(world):
    episode = admit(world.alex)
    LevelOfCareChange.objects.create(episode=episode, level_of_care="1", effective_on=WEEK)
    line = hours_for(world.alex, WEEK)
    assert line.floor_minutes is None and not line.below_floor
    assert hours_for(world.alex, WEEK - timedelta(weeks=1)).floor_minutes == 540


def test_admission_mid_week_shows_the_floor_without_flagging_it(world):
    admit(world.alex, admitted_on=WEEK + timedelta(days=2))
    line = hours_for(world.alex, WEEK)
    assert line.partial_week and line.shortfall_minutes == 540 and not line.below_floor


def test_a_step_down_exception_marks_two_weeks_then_expires(world):
    admit(world.alex)
    give(world, world.alex, [(0, 180), (1, 120)])
    step_down_grant(
        actor=world.director,
        participant=world.alex,
        first_week=WEEK,
        weeks=2,
        floor_minutes=300,
        reason="Returning to full-time work",
    )
    line = hours_for(world.alex, WEEK)
    assert line.excepted and line.floor_minutes == 300 and not line.below_floor
    assert "Step-down exception" in line.label
    assert hours_for(world.alex, WEEK + timedelta(weeks=1)).excepted
    after = hours_for(world.alex, WEEK + timedelta(weeks=2))
    assert not after.excepted and after.floor_minutes == 540
    assert AuditEvent.objects.filter(action="step_down_exception", participant=world.alex).count() == 1


def test_an_exception_wins_over_a_planned_taper(world, monkeypatch):
    admit(world.alex)
    monkeypatch.setattr(
        ledger,
        "plan_providers",
        lambda: (lambda ids, week: {world.alex.pk: ledger.PlannedFloor(420, "Taper")},),
    )
    step_down_grant(
        actor=world.director, participant=world.alex, first_week=WEEK, weeks=1, floor_minutes=240, reason="x"
    )
    assert hours_for(world.alex, WEEK).floor_minutes == 240
    assert hours_for(world.alex, WEEK + timedelta(weeks=1)).label == "Taper"


def test_an_exception_longer_than_two_weeks_is_refused_by_the_database(world):
    admit(world.alex)
    with pytest.raises(IntegrityError), transaction.atomic():
        StepDownException.objects.create(
            participant=world.alex,
            first_week=WEEK,
            weeks=3,
            floor_minutes=300,
            reason="x",
            granted_by=world.director,
        )


def test_an_exception_must_start_on_a_monday_and_have_a_reason(world):
    with pytest.raises(ValidationError) as exc:
        step_down_grant(
            actor=world.director,
            participant=world.alex,
            first_week=WEEK + timedelta(days=1),
            weeks=1,
            floor_minutes=300,
            reason=" ",
        )
    assert {"first_week", "reason"} <= set(exc.value.message_dict)


def test_the_payer_day_rule_counts_days_with_enough_minutes(world):
    episode = admit(world.alex)
    rule = PayerRule.objects.create(
        program=world.program, name="County", code="H0015", min_minutes_per_day=180, min_days=3
    )
    episode_payer_set(actor=world.director, episode=episode, rule=rule)
    give(world, world.alex, [(0, 180), (1, 180), (3, 179), (5, 60)])
    line = hours_for(world.alex, WEEK)
    assert (line.qualifying_days, line.payer_rule_met) == (2, False)
    give(world, world.alex, [(4, 180)])
    assert hours_for(world.alex, WEEK).payer_rule_met


def test_a_payer_rule_of_another_program_is_refused(world):
    episode = admit(world.alex)
    other = PayerRule.objects.create(
        program=world.other_program, name="X", code="H0015", min_minutes_per_day=180, min_days=3
    )
    with pytest.raises(ValidationError):
        episode_payer_set(actor=world.director, episode=episode, rule=other)


def test_the_ledger_lists_everyone_in_care_that_week_in_constant_queries(
    world, django_assert_max_num_queries
):
    admit(world.alex)
    admit(world.blair)
    give(world, world.alex, [(0, 180)])
    with django_assert_max_num_queries(9) as few:  # 9: the weeks on hold
        lines = week_ledger(world.program, WEEK)
    assert [line.participant_id for line in lines] == [world.alex.pk, world.blair.pk]
    from bridge.testing.personas import make_participant

    for k in range(5):
        p = make_participant(world.program, f"More{k}")
        admit(p)
        give(world, p, [(1, 120)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(week_ledger(world.program, WEEK)) == 7


# --- Pages ---------------------------------------------------------------------------------------


@pytest.fixture
def ledger_week(world):
    admit(world.alex)
    admit(world.blair)
    give(world, world.alex, [(0, 180), (1, 180), (3, 179)])
    give(world, world.blair, [(0, 180), (1, 180), (3, 180)])


def test_the_hours_page_shows_who_is_below_the_floor_and_by_how_much(world, login, ledger_week):
    response = login(world.frontdesk).get(reverse("scheduling:hours"), {"week": "2026-W47"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Below floor: 1 min" in html and html.count("Below floor:") == 1
    assert AuditEvent.objects.filter(action="search", object_type="hours_ledger").exists()


def test_a_bad_week_is_a_form_error(world, login):
    response = login(world.director).get(reverse("scheduling:hours"), {"week": "2026-W60"})
    assert response.status_code == 400 and "2026 has no week 60" in response.content.decode()


@pytest.mark.parametrize("who", ["therapist_a", "peer", "auditor", "outsider"])
def test_the_hours_page_is_for_directors_and_front_desk(world, login, who):
    response = login(getattr(world, who)).get(reverse("scheduling:hours"), {"program": str(world.program.pk)})
    assert response.status_code == 404


def test_another_programs_director_sees_only_their_own_ledger(world, login, ledger_week):
    response = login(world.outsider).get(reverse("scheduling:hours"), {"week": "2026-W47"})
    assert response.status_code == 200 and "Alex" not in response.content.decode()


def test_the_ledger_csv_is_for_directors_and_audited(world, login, ledger_week):
    response = login(world.director).get(reverse("scheduling:hours_csv"), {"week": "2026-W47"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    alex = next(r for r in rows if r["name"] == "Alex Sample")
    assert (
        alex["attended_minutes"],
        alex["floor_minutes"],
        alex["shortfall_minutes"],
        alex["below_floor"],
    ) == (
        "539",
        "540",
        "1",
        "yes",
    )
    assert AuditEvent.objects.filter(action="export", object_type="hours_ledger").exists()
    assert login(world.frontdesk).get(reverse("scheduling:hours_csv")).status_code == 404


def test_the_attendance_csv_lists_every_row_of_the_week(world, login, ledger_week):
    response = login(world.director).get(reverse("scheduling:attendance_csv"), {"week": "2026-W47"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 6 and {r["minutes"] for r in rows} == {"180", "179"}
    assert rows[0]["session_start"].startswith("2026-11-16T18:00")
    outsider = login(world.outsider).get(
        reverse("scheduling:attendance_csv"), {"program": str(world.program.pk)}
    )
    assert outsider.status_code == 404


def test_a_participants_hours_page_and_exception_form(world, login, ledger_week):
    client = login(world.therapist_a)
    assert client.get(reverse("scheduling:participant_hours", args=[world.alex.pk])).status_code == 200
    url = reverse("scheduling:step_down_exception", args=[world.alex.pk])
    bad = client.post(url, {"first_week": "2026-W47", "weeks": "3", "floor_hours": "6", "reason": ""})
    assert bad.status_code == 400
    ok = client.post(
        url, {"first_week": "2026-W47", "weeks": "2", "floor_hours": "5.5", "reason": "Back at work"}
    )
    assert ok.status_code == 302
    assert StepDownException.objects.get().floor_minutes == 330


def test_outsiders_and_other_caseloads_cannot_see_a_participants_hours(world, login):
    assert (
        login(world.outsider).get(reverse("scheduling:participant_hours", args=[world.alex.pk])).status_code
        == 404
    )
    assert (
        login(world.therapist_b)
        .get(reverse("scheduling:participant_hours", args=[world.alex.pk]))
        .status_code
        == 404
    )
    # Front desk sees hours but does not grant clinical exceptions.
    url = reverse("scheduling:step_down_exception", args=[world.alex.pk])
    assert login(world.frontdesk).get(url).status_code == 403


def test_front_desk_sets_the_payer(world, login):
    episode = admit(world.alex)
    rule = PayerRule.objects.create(
        program=world.program, name="County", code="H0015", min_minutes_per_day=180, min_days=3
    )
    client = login(world.frontdesk)
    response = client.post(
        reverse("scheduling:participant_hours", args=[world.alex.pk]), {"rule": str(rule.pk)}
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.payer.rule == rule
    bad = client.post(reverse("scheduling:participant_hours", args=[world.alex.pk]), {"rule": "nonsense"})
    assert bad.status_code == 400


def test_during_the_week_sessions_still_scheduled_count_towards_the_floor(world):
    import time_machine

    from bridge.scheduling.models import Attendance

    admit(world.alex)
    give(world, world.alex, [(0, 180), (1, 180)])
    thursday = session_at(world.program, WEEK + timedelta(days=3), time(18), 180, world.therapist_a)
    Attendance.objects.create(session=thursday, participant=world.alex)
    with time_machine.travel(datetime(2026, 11, 18, 12, tzinfo=world.program.tz), tick=False):
        line = hours_for(world.alex, WEEK)
        assert line.in_progress and line.scheduled_minutes == 180 and not line.below_floor
        Session.objects.filter(pk=thursday.pk).update(status="cancelled", cancel_reason="Snow")
        line = hours_for(world.alex, WEEK)
        assert line.below_floor and line.shortfall_minutes == 180
    with time_machine.travel(datetime(2026, 11, 23, 12, tzinfo=world.program.tz), tick=False):
        assert not hours_for(world.alex, WEEK).in_progress
