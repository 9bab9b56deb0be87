"""Check-ins after discharge, the daily sweep (time travel), outreach, alumni opt-out, outcomes."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from bridge.aftercare import followup, outcomes, services
from bridge.aftercare.models import AftercareSettings, CheckIn, Discharge
from bridge.notify import sms
from bridge.participants.models import EpisodeOfCare
from bridge.participants.services import episode_open
from bridge.worklist.models import WorkItem


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(9)))


@pytest.fixture
def discharged(admitted, monday):
    return services.discharge_record(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        type=Discharge.Type.COMPLETED,
        discharged_on=monday - timedelta(days=1),
        reason="Completed",
        destination="Alumni group",
    )


def _enroll(world, channel="phone", consent=True):
    return followup.alumni_enroll(
        actor=world.peer,
        participant=world.alex,
        enrolled_on=timezone.localdate(),
        contact_consent=consent,
        channel=channel,
    )


def _outreach(world):
    return list(WorkItem.objects.filter(participant=world.alex, kind="outreach").order_by("created_at"))


def test_the_schedule_is_configurable_per_program(admitted, monday):
    AftercareSettings.objects.create(program=admitted.program, checkin_days=[3, 14, 28])
    discharge = services.discharge_record(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        type=Discharge.Type.STEPPED_DOWN,
        discharged_on=monday,
        reason="Stepped down",
        destination="Outpatient",
    )
    assert [c.due_on for c in discharge.checkins.order_by("due_on")] == [
        monday + timedelta(days=d) for d in (3, 14, 28)
    ]


def test_missed_checkin_becomes_an_outreach_task_after_the_grace_days(discharged, admitted):
    _enroll(admitted)
    seven = CheckIn.objects.get(discharge=discharged, day_offset=7)
    with time_machine.travel(_at(seven.due_on + timedelta(days=3)), tick=False):
        assert followup.checkins_sweep()["missed"] == 0
        assert _outreach(admitted) == []
    with time_machine.travel(_at(seven.due_on + timedelta(days=4)), tick=False):
        counts = followup.checkins_sweep()
        followup.checkins_sweep()  # the daily job may run twice: still one task
    assert counts["missed"] == 1
    seven.refresh_from_db()
    assert seven.status == CheckIn.Status.MISSED
    [item] = _outreach(admitted)
    assert item.assigned_to == admitted.peer and item.title == "Missed day-7 check-in"
    # A missed check-in can still be completed late, and the outcome of outreach is recorded.
    followup.outreach_record(
        actor=admitted.peer, participant=admitted.alex, outcome="no_answer", work_item=item
    )
    item.refresh_from_db()
    assert item.status == WorkItem.Status.DONE


def test_text_message_links_go_out_when_checkins_fall_due(discharged, admitted, settings):
    settings.BRIDGE_SMS_SENDER = "bridge.notify.sms.MemorySmsSender"
    sms.outbox.clear()
    _enroll(admitted, channel="sms")
    thirty = CheckIn.objects.get(discharge=discharged, day_offset=30)
    with time_machine.travel(_at(thirty.due_on), tick=False):
        counts = followup.checkins_sweep()
        followup.checkins_sweep()
    # The day-7 check-in is past its grace days by then: missed, not sent. Day 30's link goes once.
    assert counts == {"links_sent": 1, "missed": 1, "outreach": 1}
    [(to, body)] = sms.outbox
    assert to == admitted.alex.phone and "/check-in/" in body


def test_the_sweep_goes_by_each_programs_own_date(discharged, admitted, settings):
    """05:00 UTC on the day a check-in falls due is still the evening before in Oakland: not yet,
    even on a server whose own time zone is UTC."""
    from datetime import UTC

    settings.TIME_ZONE = "UTC"
    settings.BRIDGE_SMS_SENDER = "bridge.notify.sms.MemorySmsSender"
    sms.outbox.clear()
    _enroll(admitted, channel="sms")
    seven = CheckIn.objects.get(discharge=discharged, day_offset=7)
    with time_machine.travel(datetime.combine(seven.due_on, time(5), tzinfo=UTC), tick=False):
        assert followup.checkins_sweep()["links_sent"] == 0
    with time_machine.travel(datetime.combine(seven.due_on, time(9), tzinfo=UTC), tick=False):
        assert followup.checkins_sweep()["links_sent"] == 1


def test_opt_out_stops_contact(discharged, admitted, settings):
    settings.BRIDGE_SMS_SENDER = "bridge.notify.sms.MemorySmsSender"
    sms.outbox.clear()
    enrollment = _enroll(admitted, channel="sms")
    followup.alumni_opt_out(actor=admitted.peer, enrollment=enrollment, reason="Wants no calls")
    assert not CheckIn.objects.filter(participant=admitted.alex, status=CheckIn.Status.PENDING).exists()
    with time_machine.travel(_at(timezone.localdate() + timedelta(days=400)), tick=False):
        counts = followup.checkins_sweep()
    assert counts == {"links_sent": 0, "missed": 0, "outreach": 0}
    assert sms.outbox == [] and _outreach(admitted) == []


def test_without_consent_to_contact_nobody_is_chased(discharged, admitted):
    _enroll(admitted, consent=False)
    with time_machine.travel(_at(timezone.localdate() + timedelta(days=30)), tick=False):
        counts = followup.checkins_sweep()
    assert counts["missed"] >= 1 and counts["outreach"] == 0


def test_the_daily_command_runs_the_sweep(discharged, admitted):
    _enroll(admitted)
    with time_machine.travel(_at(timezone.localdate() + timedelta(days=20)), tick=False):
        call_command("aftercare_sweep")
    assert len(_outreach(admitted)) == 1


def test_outcomes_count_recovery_and_readmissions(discharged, admitted, monday):
    _enroll(admitted)
    day = discharged.discharged_on
    for offset, used in ((7, False), (30, False)):
        checkin = CheckIn.objects.get(discharge=discharged, day_offset=offset)
        followup.checkin_record(
            actor=admitted.peer,
            checkin=checkin,
            method="phone",
            any_use=used,
            cravings=2,
            meetings_attended=3,
            housing="stable",
            work="working",
            phq2_interest=0,
            phq2_mood=0,
        )
    rows = {r.days: r for r in outcomes.outcomes([admitted.program.pk], day + timedelta(days=95))}
    assert (rows[30].discharged, rows[30].reached, rows[30].in_recovery) == (1, 1, 1)
    assert rows[180].discharged == 0
    # Re-admitted on day 60: counted at 90 days, and no longer "in recovery" there.
    episode_open(
        actor=admitted.intake,
        participant=admitted.alex,
        level_of_care="2.1",
        admitted_on=day + timedelta(days=60),
    )
    rows = {r.days: r for r in outcomes.outcomes([admitted.program.pk], day + timedelta(days=95))}
    assert rows[90].readmitted == 1 and rows[90].in_recovery == 0 and rows[30].in_recovery == 1
    assert EpisodeOfCare.objects.filter(participant=admitted.alex).count() == 2


def test_peer_home_lists_checkins_to_make_by_phone(discharged, admitted, login):
    from django.urls import reverse

    _enroll(admitted)
    seven = CheckIn.objects.get(discharge=discharged, day_offset=7)
    CheckIn.objects.filter(pk=seven.pk).update(due_on=timezone.localdate())  # due today
    client = login(admitted.peer)
    html = client.get("/").content.decode()
    assert "Check-ins to make by phone (1)" in html
    assert reverse("aftercare:checkin", args=[admitted.alex.pk, seven.pk]) in html
    # Another program's peer sees nothing of it.
    assert "Check-ins to make" not in login(admitted.outsider).get("/").content.decode()


def test_warning_signs_are_named_in_the_outreach_task(discharged, admitted):
    _enroll(admitted)
    checkin = CheckIn.objects.get(discharge=discharged, day_offset=7)
    followup.checkin_record(
        actor=admitted.peer,
        checkin=checkin,
        method="phone",
        any_use=False,
        cravings=3,
        meetings_attended=2,
        housing="homeless",
        work="looking",
        phq2_interest=2,
        phq2_mood=2,
    )
    [item] = _outreach(admitted)
    assert item.detail == "PHQ-2 4 (positive screen); housing: without housing."


def test_peer_plans_an_alumni_event_and_current_alumni_are_invited(discharged, admitted, login):
    from django.urls import reverse

    from bridge.scheduling.models import Attendance, Session

    enrollment = _enroll(admitted)
    client = login(admitted.peer)
    url = reverse("aftercare:alumni_events")
    assert client.get(url).status_code == 200
    day = (timezone.localdate() + timedelta(days=10)).isoformat()
    past = client.post(url, {"title": "Alumni night", "day": "2020-01-01", "start": "19:00", "minutes": "90"})
    assert past.status_code == 400 and "still to come" in past.content.decode()
    assert (
        client.post(url, {"title": "Alumni night", "day": day, "start": "19:00", "minutes": "90"}).status_code
        == 302
    )
    session = Session.objects.get(kind="alumni")
    assert list(Attendance.objects.filter(session=session).values_list("participant", flat=True)) == [
        admitted.alex.pk
    ]
    followup.alumni_opt_out(actor=admitted.peer, enrollment=enrollment)
    client.post(url, {"title": "Picnic", "day": day, "start": "12:00", "minutes": "120"})
    assert not Attendance.objects.filter(session__title="Picnic").exists()
    assert login(admitted.therapist_a).get(url).status_code == 403


def test_alumni_event_turnout_is_taken_on_the_attendance_screen(discharged, admitted, login):
    from django.urls import reverse

    from bridge.scheduling.models import Attendance, Session, SessionKind
    from bridge.scheduling.services.attendance import Mark, attendance_record

    _enroll(admitted)
    start = timezone.now().replace(microsecond=0) - timedelta(hours=3)
    event = Session.objects.create(
        program=admitted.program,
        kind=SessionKind.ALUMNI,
        title="Alumni night",
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        staff=admitted.peer,
    )
    Attendance.objects.create(session=event, participant=admitted.alex)
    client = login(admitted.peer)
    attendance_url = reverse("scheduling:attendance", args=[event.pk])
    assert attendance_url in client.get(reverse("aftercare:alumni_events")).content.decode()
    assert client.get(attendance_url).status_code == 200
    attendance_record(
        actor=admitted.peer,
        session=event,
        marks=[Mark(participant_id=admitted.alex.pk, status="present", arrived_at=start, departed_at=None)],
    )
    page = client.get(reverse("aftercare:alumni_events")).content.decode()
    assert "<td>1</td><td>1</td>" in page.replace("\n", "")


def test_alumni_events_go_through_the_one_conflict_check(discharged, admitted, login):
    """The leader already leading a session, the room already booked, a closure: refused, named.
    Outside the leader's working hours: booked only with a reason, recorded."""
    from django.urls import reverse

    from bridge.planner.models import ClinicianHours
    from bridge.scheduling.conflicts import BookingConflict
    from bridge.scheduling.models import ConflictAcceptance, ProgramClosure, Room, Session, SessionKind

    _enroll(admitted)
    program, peer = admitted.program, admitted.peer
    room = Room.objects.create(program=program, name="Community room", capacity=30)
    day = timezone.localdate() + timedelta(days=9)
    at = datetime.combine(day, time(19), tzinfo=program.tz)
    Session.objects.create(
        program=program,
        kind=SessionKind.GROUP,
        starts_at=at - timedelta(minutes=30),
        ends_at=at + timedelta(minutes=60),
        staff=peer,
        room=room,
        title="Peer recovery group",
    )
    with pytest.raises(BookingConflict) as refused:
        followup.alumni_event_create(
            actor=peer, program=program, title="Alumni night", starts_at=at, minutes=90, room=room
        )
    kinds = {c.kind for c in refused.value.conflicts}
    assert kinds == {"staff", "room"}
    assert "Peer recovery group" in str(refused.value)
    # Through the page: refused with the reason on the form, nothing booked.
    client = login(peer)
    url = reverse("aftercare:alumni_events")
    page = client.post(
        url, {"title": "Alumni night", "day": day.isoformat(), "start": "19:00", "minutes": "90"}
    )
    assert page.status_code == 400 and "already leads Peer recovery group" in page.content.decode()
    assert not Session.objects.filter(kind=SessionKind.ALUMNI).exists()
    # A closure refuses it too.
    ProgramClosure.objects.create(program=program, day=day + timedelta(days=1), name="Staff training day")
    with pytest.raises(BookingConflict, match="Staff training day"):
        followup.alumni_event_create(
            actor=peer, program=program, title="Picnic", starts_at=at + timedelta(days=1), minutes=90
        )
    # Outside the leader's working hours: a reason books it, and the reason is kept.
    other = day + timedelta(days=2)
    ClinicianHours.objects.create(
        program=program, staff=peer, weekday=other.weekday(), start_time=time(9), end_time=time(17)
    )
    later = datetime.combine(other, time(19), tzinfo=program.tz)
    with pytest.raises(BookingConflict) as soft:
        followup.alumni_event_create(actor=peer, program=program, title="Picnic", starts_at=later, minutes=90)
    assert soft.value.needs_confirmation
    event = followup.alumni_event_create(
        actor=peer,
        program=program,
        title="Picnic",
        starts_at=later,
        minutes=90,
        confirm_reason="Evening event, agreed with the director",
    )
    accepted = ConflictAcceptance.objects.get(session=event)
    assert accepted.kind == "staff_hours" and accepted.reason.startswith("Evening event")


CALM_CHECKIN = {
    "any_use": False,
    "cravings": 6,
    "housing": "stable",
    "work": "working",
    "phq2_interest": 1,
    "phq2_mood": 1,
}


@pytest.mark.parametrize(
    ("changes", "urgency"),
    [
        ({"any_use": True}, "same_day"),
        ({"cravings": 7}, "routine"),
        ({"phq2_interest": 2, "phq2_mood": 1}, "routine"),  # PHQ-2 3
        ({"housing": "homeless"}, "routine"),
        ({}, None),  # cravings 6, PHQ-2 2, stable housing: the peer's call is enough
    ],
)
def test_each_warning_sign_reaches_the_primary_clinician_as_well_as_the_peer(
    discharged, admitted, changes, urgency
):
    from bridge.safety.models import SafetySignal

    _enroll(admitted)
    checkin = CheckIn.objects.get(discharge=discharged, day_offset=7)
    followup.checkin_record(
        actor=admitted.peer,
        checkin=checkin,
        method="phone",
        meetings_attended=1,
        **{**CALM_CHECKIN, **changes},
    )
    signals = list(SafetySignal.objects.filter(participant=admitted.alex, code="checkin_warning_signs"))
    clinician_items = WorkItem.objects.filter(
        participant=admitted.alex, kind="safety_signal", assigned_to=admitted.therapist_a
    )
    if urgency is None:
        assert not signals and not clinician_items.exists() and not _outreach(admitted)
    else:
        assert [s.urgency for s in signals] == [urgency]
        assert clinician_items.count() == 1 and _outreach(admitted)
