"""Discharge: each type ends the episode, updates the status, schedules check-ins and drafts a summary."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from bridge.aftercare import services
from bridge.aftercare.models import CheckIn, Discharge, DischargeSummary
from bridge.audit.models import AuditEvent
from bridge.participants.models import EpisodeOfCare, Participant


def _discharge(world, type_, day, **extra):
    return services.discharge_record(
        actor=world.therapist_a,
        participant=world.alex,
        type=type_,
        discharged_on=day,
        reason="Reason for the record",
        destination="Weekly outpatient counseling at Eastside Clinic",
        **extra,
    )


@pytest.mark.parametrize("type_", [t for t in Discharge.Type.values if t != Discharge.Type.TRANSFERRED_UP])
def test_each_discharge_type_ends_the_episode(admitted, monday, type_):
    day = monday - timedelta(days=1)
    discharge = _discharge(admitted, type_, day)
    episode = EpisodeOfCare.objects.get(pk=discharge.episode_id)
    assert episode.status == EpisodeOfCare.Status.FINISHED and episode.discharged_on == day
    admitted.alex.refresh_from_db()
    assert admitted.alex.status == Participant.Status.DISCHARGED
    assert AuditEvent.objects.filter(action="discharge", object_id=str(discharge.pk)).count() == 1
    assert DischargeSummary.objects.filter(discharge=discharge, signed_at__isnull=True).exists()


def test_transfer_up_needs_a_more_intensive_level(admitted, monday):
    with pytest.raises(ValidationError) as err:
        _discharge(admitted, Discharge.Type.TRANSFERRED_UP, monday, next_level="1")
    assert "next_level" in err.value.message_dict
    discharge = _discharge(admitted, Discharge.Type.TRANSFERRED_UP, monday, next_level="3.5")
    assert discharge.next_level == "3.5"


def test_discharge_schedules_checkins_from_the_discharge_date(admitted, monday):
    day = monday - timedelta(days=2)
    discharge = _discharge(admitted, Discharge.Type.COMPLETED, day)
    due = list(CheckIn.objects.filter(discharge=discharge).values_list("day_offset", "due_on"))
    assert due == [(d, day + timedelta(days=d)) for d in (7, 30, 60, 90, 180, 365)]


def test_discharge_refuses_bad_dates_and_a_second_discharge(admitted, monday):
    with pytest.raises(ValidationError) as err:
        _discharge(admitted, Discharge.Type.COMPLETED, monday + timedelta(days=8))
    assert "discharged_on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _discharge(admitted, Discharge.Type.COMPLETED, monday - timedelta(days=40))
    assert "discharged_on" in err.value.message_dict
    _discharge(admitted, Discharge.Type.COMPLETED, monday)
    with pytest.raises(ValidationError):
        _discharge(admitted, Discharge.Type.COMPLETED, monday)


def test_discharges_and_their_summaries_are_never_deleted(admitted, monday):
    discharge = _discharge(admitted, Discharge.Type.COMPLETED, monday)
    for table, column in (("aftercare_dischargesummary", "discharge_id"), ("aftercare_discharge", "id")):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [discharge.pk.hex])  # noqa: S608
    assert Discharge.objects.filter(pk=discharge.pk).exists()


def test_discharge_ends_memberships_and_later_rosters_only(admitted, monday):
    from django.utils import timezone

    from bridge.scheduling.models import Attendance, GroupSeries, SeriesMembership, Session, SessionType

    kind = SessionType.objects.create(
        program=admitted.program, name="Evening group", category="group_therapy", default_minutes=180
    )
    series = GroupSeries.objects.create(
        program=admitted.program,
        track=admitted.program.tracks.first(),
        name="Evening",
        session_type=kind,
        facilitator=admitted.therapist_a,
        starts_on=monday - timedelta(days=30),
    )
    membership = SeriesMembership.objects.create(
        series=series, participant=admitted.alex, joined_on=monday - timedelta(days=21)
    )
    rows = {}
    for label, days in (("past", -2), ("future", 3)):
        start = timezone.now() + timedelta(days=days)
        session = Session.objects.create(
            program=admitted.program,
            kind="group",
            series=series,
            staff=admitted.therapist_a,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
        )
        rows[label] = Attendance.objects.create(session=session, participant=admitted.alex)
    _discharge(admitted, Discharge.Type.COMPLETED, timezone.localdate())
    membership.refresh_from_db()
    assert membership.status == SeriesMembership.Status.DISCHARGED
    assert membership.left_on == timezone.localdate()
    assert Attendance.objects.filter(pk=rows["past"].pk).exists()
    assert not Attendance.objects.filter(pk=rows["future"].pk).exists()
