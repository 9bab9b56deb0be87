"""Attendance time rules: "Late" needs an arrival after the start, "Left early" a departure before
the end, and attendance is recorded from the session's start (earlier only with a reason)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.scheduling.models import Attendance, Session, SessionKind
from bridge.scheduling.services.attendance import Mark, attendance_record

S = Attendance.Status


def _session(world, starts_in: timedelta):
    start = timezone.now().replace(microsecond=0) + starts_in
    session = Session.objects.create(
        program=world.program,
        kind=SessionKind.GROUP,
        staff=world.therapist_a,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
    )
    Attendance.objects.create(session=session, participant=world.alex)
    return session


def test_late_needs_an_arrival_after_the_start(world):
    session = _session(world, -timedelta(hours=4))
    with pytest.raises(ValidationError, match="needs the time they arrived"):
        attendance_record(actor=world.therapist_a, session=session, marks=[Mark(world.alex.pk, S.LATE)])
    with pytest.raises(ValidationError, match="needs the time they arrived"):
        attendance_record(
            actor=world.therapist_a,
            session=session,
            marks=[Mark(world.alex.pk, S.LATE, session.starts_at - timedelta(minutes=5))],
        )
    attendance_record(
        actor=world.therapist_a,
        session=session,
        marks=[Mark(world.alex.pk, S.LATE, session.starts_at + timedelta(minutes=20))],
    )
    assert Attendance.objects.get(session=session).minutes == 160


def test_left_early_needs_a_departure_before_the_end(world):
    session = _session(world, -timedelta(hours=4))
    with pytest.raises(ValidationError, match="needs the time they left"):
        attendance_record(actor=world.therapist_a, session=session, marks=[Mark(world.alex.pk, S.LEFT_EARLY)])
    attendance_record(
        actor=world.therapist_a,
        session=session,
        marks=[Mark(world.alex.pk, S.LEFT_EARLY, None, session.ends_at - timedelta(minutes=30))],
    )
    assert Attendance.objects.get(session=session).minutes == 150


def test_attendance_before_the_start_needs_a_reason(world):
    session = _session(world, timedelta(hours=2))
    with pytest.raises(ValidationError, match="not started yet"):
        attendance_record(actor=world.therapist_a, session=session, marks=[Mark(world.alex.pk, S.EXCUSED)])
    attendance_record(
        actor=world.therapist_a,
        session=session,
        marks=[Mark(world.alex.pk, S.EXCUSED)],
        early_reason="Called in sick this morning",
    )
    event = AuditEvent.objects.get(action="attendance_record", participant=world.alex)
    assert event.detail["early_reason"] == "Called in sick this morning"


def test_the_screen_shows_the_rule_as_a_field_error(world, login):
    session = _session(world, -timedelta(hours=4))
    client = login(world.therapist_a)
    prefix = f"a{world.alex.pk.hex[:12]}"
    response = client.post(reverse("scheduling:attendance", args=[session.pk]), {f"{prefix}-status": "late"})
    assert response.status_code == 400
    assert "needs the time they arrived, after the start" in response.content.decode()


def test_an_early_reason_too_long_is_refused_not_cut(world):
    session = _session(world, timedelta(hours=2))
    with pytest.raises(ValidationError, match="at most 300 characters"):
        attendance_record(
            actor=world.therapist_a,
            session=session,
            marks=[Mark(world.alex.pk, S.PRESENT)],
            early_reason="x" * 301,
        )
    assert Attendance.objects.get(session=session).status == S.EXPECTED
