"""Quality signals: what is counted, small-cell suppression, and how other apps plug in their figures."""

from __future__ import annotations

import sys
import types
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridge.core.registry import app_modules
from bridge.directory import measures as m
from bridge.directory import quality
from bridge.participants.models import EpisodeOfCare, LevelOfCare, Participant
from bridge.scheduling.models import Attendance, Session
from bridge.testing.personas import make_participant

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("numerator", "denominator", "suppressed"),
    [
        (10, 10, True),  # fewer than 11 people in all
        (11, 11, False),  # 11 of 11: no small group anywhere
        (0, 11, False),  # zero is not a small cell
        (5, 40, True),  # the 5 counted are a small group
        (35, 40, True),  # the 5 left out are a small group ("90% of 50" tells who left)
        (11, 22, False),
        (20, 40, False),
    ],
)
def test_small_cells_are_suppressed(numerator, denominator, suppressed):
    assert m.share_is_suppressed(numerator, denominator) is suppressed
    figure = m.share(
        key="k", label="L", method="M", numerator=numerator, denominator=denominator, counted="people",
        period=(TODAY, TODAY),
    )  # fmt: skip
    assert figure.status == (m.Status.SUPPRESSED if suppressed else m.Status.SHOWN)
    if suppressed:
        assert figure.value == "" and figure.sample is None and str(numerator) not in figure.detail
    else:
        assert figure.detail == f"{numerator} of {denominator} people" and figure.sample == denominator


def _episode(
    program, name, *, admitted_days_ago, stayed_days=None, status=Participant.Status.ACTIVE, level="2.1"
):
    participant = make_participant(program, name, status=status)
    admitted = TODAY - timedelta(days=admitted_days_ago)
    discharged = admitted + timedelta(days=stayed_days) if stayed_days is not None else None
    return EpisodeOfCare.objects.create(
        participant=participant,
        program=program,
        admitted_on=admitted,
        discharged_on=discharged,
        status=EpisodeOfCare.Status.FINISHED if discharged else EpisodeOfCare.Status.ACTIVE,
        level_of_care=level,
    )


def _signals(program) -> dict[str, m.Figure]:
    return {f.key: f for f in quality.signals_for(program, today=TODAY)}


def test_retention_counts_people_still_in_the_program(world):
    for i in range(12):
        _episode(world.program, f"Stayed{i}", admitted_days_ago=120 + i)
    for i in range(11):
        _episode(world.program, f"Left{i}", admitted_days_ago=150 + i, stayed_days=20)
    _episode(world.program, "Too recent", admitted_days_ago=10)  # has not had 30 days yet
    _episode(world.other_program, "Elsewhere", admitted_days_ago=120)  # another program's
    signals = _signals(world.program)
    r30 = signals["retention_30"]
    assert (r30.status, r30.value, r30.detail, r30.sample) == (
        m.Status.SHOWN,
        "52%",
        "12 of 23 people who started",
        23,
    )
    assert (r30.period_start, r30.period_end) == (TODAY - timedelta(days=395), TODAY - timedelta(days=30))
    assert signals["retention_90"].value == "52%"


def test_retention_is_hidden_when_one_to_ten_people_left(world):
    for i in range(12):
        _episode(world.program, f"Stayed{i}", admitted_days_ago=120 + i)
    _episode(world.program, "Left", admitted_days_ago=150, stayed_days=3)
    r30 = _signals(world.program)["retention_30"]
    assert r30.status == m.Status.SUPPRESSED and "12" not in r30.detail


def test_completion_counts_people_who_went_on_to_the_alumni_program(world):
    for i in range(11):
        _episode(
            world.program, f"Done{i}", admitted_days_ago=200, stayed_days=80, status=Participant.Status.ALUMNI
        )
    for i in range(11):
        _episode(
            world.program,
            f"Left{i}",
            admitted_days_ago=200,
            stayed_days=30,
            status=Participant.Status.DISCHARGED,
        )
    _episode(
        world.program, "Long ago", admitted_days_ago=900, stayed_days=60, status=Participant.Status.ALUMNI
    )
    completion = _signals(world.program)["completion"]
    assert (completion.value, completion.detail) == ("50%", "11 of 22 people who left the program")


def _session(world, day: date, hours: float) -> Session:
    starts = timezone.make_aware(datetime.combine(day, time(18)), world.program.tz)
    return Session.objects.create(
        program=world.program, kind="group", starts_at=starts, ends_at=starts + timedelta(hours=hours),
        staff=world.therapist_a,
    )  # fmt: skip


def test_weekly_hours_compare_attended_hours_with_the_level_minimum(world):
    episodes = [_episode(world.program, f"P{i}", admitted_days_ago=200) for i in range(11)]
    adolescent = _episode(world.program, "Teen", admitted_days_ago=200)
    adolescent.participant.date_of_birth = TODAY - timedelta(days=16 * 365)
    adolescent.participant.save()
    episodes.append(adolescent)
    last_monday = TODAY - timedelta(days=TODAY.weekday() + 7)
    for week in range(12):
        monday = last_monday - timedelta(weeks=week)
        for day in (0, 1, 3):
            session = _session(world, monday + timedelta(days=day), 3)
            for i, e in enumerate(episodes):
                present = i < 6 or day != 3  # six people come three times (9 h), the others twice (6 h)
                Attendance.objects.create(
                    session=session,
                    participant=e.participant,
                    status="present" if present else "no_show",
                    minutes=(180 if i % 2 == 0 else None) if present else None,  # unrecorded = session length
                )
    figure = _signals(world.program)["weekly_hours"]
    assert figure.status == m.Status.SHOWN and figure.sample == 12
    # Median of 6 people at 9 h and 6 at 6 h is 7.5 h; required 9 h for adults, 6 for the adolescent.
    assert figure.value == "7.5 hours a week (required: 9 hours)"
    # Met: 6 adults at 9 h plus the adolescent at 6 h, every week: 7 of 12 people-weeks each week.
    assert figure.detail == "The weekly minimum was met in 58% of 144 person-weeks."
    assert figure.period_start == last_monday - timedelta(weeks=11)


def test_weekly_hours_say_when_attendance_is_not_recorded_or_too_few_people(world):
    assert _signals(world.program)["weekly_hours"].status == m.Status.NO_DATA
    few = [_episode(world.program, f"P{i}", admitted_days_ago=100) for i in range(10)]
    session = _session(world, TODAY - timedelta(days=TODAY.weekday() + 7), 3)
    for e in few:
        Attendance.objects.create(session=session, participant=e.participant, status="present", minutes=180)
    assert _signals(world.program)["weekly_hours"].status == m.Status.SUPPRESSED


def test_placeholders_say_their_source_is_not_recorded_yet(world):
    ctx = quality.MeasureContext(world.program, TODAY)
    for measure in quality.measures():
        if measure.key in ("moud_180", "followup_7d"):
            figure = measure.compute(ctx)
            assert figure.status == m.Status.NOT_MEASURED and figure.detail.startswith("Not measured yet")


def test_another_app_plugs_in_its_own_figure(world, monkeypatch):
    # The last app in INSTALLED_APPS wins, so the fake sits in bridge.demo.
    module = types.ModuleType("bridge.demo.quality")

    def followup(ctx):
        return m.share(
            key="followup_7d", label="Follow-up", method="From check-ins", numerator=12, denominator=24,
            counted="people discharged", period=(ctx.today - timedelta(days=365), ctx.today),
        )  # fmt: skip

    plugged = [quality.Measure("followup_7d", "Follow-up", "From check-ins", followup, 60)]
    monkeypatch.setattr(module, "measures", lambda: plugged, raising=False)
    monkeypatch.setitem(sys.modules, "bridge.demo.quality", module)
    quality.registered_measures.cache_clear()
    app_modules.cache_clear()  # the registry's discovery is cached too
    try:
        figure = _signals(world.program)["followup_7d"]
        assert (figure.status, figure.value, figure.method) == (m.Status.SHOWN, "50%", "From check-ins")
        assert [x.key for x in quality.registered_measures()].count("followup_7d") == 1
    finally:
        quality.registered_measures.cache_clear()
        app_modules.cache_clear()


@time_machine.travel(datetime(2026, 11, 25, 20, tzinfo=UTC))
def test_the_program_page_explains_each_measure_and_hides_small_groups(client, listed):
    for i in range(5):
        _episode(listed.program, f"P{i}", admitted_days_ago=100 + i)
    html = client.get(f"/find/{listed.program.pk}/").content.decode()
    assert "How it is measured" in html and quality.RETENTION_METHOD.format(days=30)[:60] in html
    assert "Not shown" in html and "Fewer than 11 people" in html
    # Every signal now has a source in Bridge; with no one to count, the page says so.
    assert "Not measured yet" not in html and "No one to count in this period." in html


def test_the_level_floor_table_follows_the_product_rules():
    assert m.weekly_floor(LevelOfCare.INTENSIVE_OUTPATIENT, adolescent=False) == 9
    assert m.weekly_floor(LevelOfCare.INTENSIVE_OUTPATIENT, adolescent=True) == 6
    assert m.weekly_floor(LevelOfCare.PARTIAL_HOSPITALIZATION, adolescent=False) == 20
    assert m.weekly_floor(LevelOfCare.OUTPATIENT, adolescent=False) is None


def test_public_pages_reuse_a_programs_signals_for_a_few_minutes(client, listed):
    url = f"/find/{listed.program.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as fresh:
        client.get(url)
    assert len(cached.captured_queries) < len(fresh.captured_queries)
