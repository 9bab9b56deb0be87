"""The schedule demo: groups for every track, weeks of attendance, and a ledger worth opening."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from bridge.planner.weeks import monday_of
from bridge.programs.models import Program, Track
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


def test_demo_schedule_makes_the_ledger_interesting(demo, client):
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
    for url in (
        reverse("scheduling:hours"),
        reverse("scheduling:week"),
        reverse("scheduling:setup"),
        reverse("scheduling:series", args=[GroupSeries.objects.first().pk]),
    ):
        assert client.get(url, follow=True).status_code == 200, url
    session = Session.objects.filter(status="completed", kind="group").first()
    assert client.get(reverse("scheduling:attendance", args=[session.pk])).status_code == 200
