"""The schedule demo: groups for every track, weeks of attendance, and a ledger worth opening."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from bridge.core.weeks import monday_of
from bridge.demo import builder
from bridge.programs.models import Program, Track
from bridge.scheduling.conflicts import week_conflicts
from bridge.scheduling.ledger import week_ledger
from bridge.scheduling.models import (
    AttendanceChange,
    GroupSeries,
    PayerRule,
    SeriesMembership,
    Session,
    StepDownException,
)
from bridge.worklist.models import WorkItem


@pytest.mark.django_db
# A date with no public holiday in the weeks the ledger assertions read (closures are planned gaps).
@time_machine.travel("2026-10-14 12:00 -07:00", tick=True)
def test_demo_schedule_makes_the_ledger_interesting(client):
    demo = builder.build(scale=1)
    program = Program.objects.get()
    assert set(GroupSeries.objects.values_list("track", flat=True)) == set(
        Track.objects.values_list("pk", flat=True)
    )
    assert SeriesMembership.objects.filter(status="waitlisted").count() == 2
    assert Session.objects.filter(status="cancelled", cancel_reason__startswith="Facilitator ill").exists()
    assert Session.objects.filter(rescheduled_from__isnull=False).exists()
    assert PayerRule.objects.filter(code="H0015").exists()
    assert StepDownException.objects.count() == 1
    assert WorkItem.objects.filter(kind="absence_followup", status="open").count() == 1
    assert not AttendanceChange.objects.exists()
    last_week = monday_of(timezone.localdate()) - timedelta(weeks=1)
    lines = week_ledger(program, last_week)
    below = [line for line in lines if line.below_floor]
    assert 2 <= len(below) <= len(lines) * 0.6  # some, not everyone
    assert any(line.excepted for line in lines) and any(line.adolescent for line in lines)
    assert any(line.payer_rule_met for line in lines) and any(line.payer_rule_met is False for line in lines)

    client.force_login(demo.staff["director"])
    series = GroupSeries.objects.first()
    assert series is not None
    for url in (
        reverse("scheduling:hours"),
        reverse("scheduling:week"),
        reverse("scheduling:setup"),
        reverse("scheduling:series", args=[series.pk]),
    ):
        assert client.get(url, follow=True).status_code == 200, url
    session = Session.objects.filter(status="completed", kind="group").first()
    assert session is not None
    assert client.get(reverse("scheduling:attendance", args=[session.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("today", ["2026-12-02 09:00 -08:00", "2027-03-10 09:00 -08:00"])
def test_the_demo_books_nobody_twice_in_any_week(today):
    """Around Thanksgiving and Christmas and across the spring daylight-saving change."""
    with time_machine.travel(today, tick=True):
        builder.build(scale=1)
        program = Program.objects.get()
        first = Session.objects.earliest("starts_at").starts_at.date()
        last = Session.objects.latest("starts_at").starts_at.date()
        found = []
        week = monday_of(first)
        while week <= last:
            found += [f"{week}: {wc.conflict.message}" for wc in week_conflicts(program, week)]
            week += timedelta(weeks=1)
        assert found == []
        assert Session.objects.filter(rescheduled_from__isnull=False).exists()
