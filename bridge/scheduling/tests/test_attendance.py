"""Taking attendance: the service (minutes, corrections kept, audit, absence follow-up) and the screen."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.scheduling.models import Attendance, AttendanceChange, Session
from bridge.scheduling.services.attendance import Mark, attendance_record
from bridge.scheduling.tests.conftest import WEEK, session_at
from bridge.worklist.models import WorkItem

S = Attendance.Status


@pytest.fixture
def group(world):
    """A 3-hour evening group (18:00-21:00 local) with alex and blair expected."""
    session = session_at(world.program, WEEK, time(18), 180, world.therapist_a)
    for p in (world.alex, world.blair):
        Attendance.objects.create(session=session, participant=p)
    return session


def local(program, day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=program.tz)


def test_minutes_are_the_part_of_the_session_they_were_there_for(world, group):
    attendance_record(
        actor=world.therapist_a,
        session=group,
        marks=[
            Mark(world.alex.pk, S.LATE, local(world.program, WEEK, 18, 25), None),
            Mark(
                world.blair.pk,
                S.LEFT_EARLY,
                local(world.program, WEEK, 17, 30),
                local(world.program, WEEK, 20),
            ),
        ],
    )
    rows = {a.participant_id: a for a in Attendance.objects.filter(session=group)}
    assert rows[world.alex.pk].minutes == 155  # 18:25 to the end at 21:00
    assert rows[world.blair.pk].minutes == 120  # arriving early does not count before 18:00
    assert rows[world.alex.pk].recorded_by == world.therapist_a
    group.refresh_from_db()
    assert group.status == Session.Status.COMPLETED
    events = AuditEvent.objects.filter(action="attendance_record", object_type="attendance")
    assert {e.participant_id for e in events} == {world.alex.pk, world.blair.pk}


def test_an_absence_has_no_minutes_and_no_times(world, group):
    attendance_record(
        actor=world.frontdesk,
        session=group,
        marks=[
            Mark(world.alex.pk, S.EXCUSED, local(world.program, WEEK, 18), local(world.program, WEEK, 21))
        ],
    )
    row = Attendance.objects.get(session=group, participant=world.alex)
    assert (row.status, row.minutes, row.arrived_at, row.departed_at) == ("excused", None, None, None)


def test_a_correction_keeps_who_recorded_what_before(world, group):
    attendance_record(actor=world.therapist_a, session=group, marks=[Mark(world.alex.pk, S.PRESENT)])
    first = Attendance.objects.get(session=group, participant=world.alex)
    attendance_record(actor=world.director, session=group, marks=[Mark(world.alex.pk, S.NO_SHOW)])
    change = AttendanceChange.objects.get(attendance=first)
    assert (change.from_status, change.to_status, change.from_minutes, change.to_minutes) == (
        "present",
        "no_show",
        180,
        None,
    )
    assert change.changed_by == world.director and change.from_recorded_by == world.therapist_a
    assert change.from_recorded_at == first.recorded_at
    events = AuditEvent.objects.filter(action="attendance_record", participant=world.alex).order_by("seq")
    assert [e.detail["correction"] for e in events] == [False, True]


def test_saving_the_same_marks_again_changes_nothing(world, group):
    attendance_record(actor=world.therapist_a, session=group, marks=[Mark(world.alex.pk, S.PRESENT)])
    assert (
        attendance_record(actor=world.therapist_a, session=group, marks=[Mark(world.alex.pk, S.PRESENT)])
        == []
    )
    assert not AttendanceChange.objects.exists()


def test_departure_before_arrival_is_refused_naming_the_person(world, group):
    with pytest.raises(ValidationError) as exc:
        attendance_record(
            actor=world.therapist_a,
            session=group,
            marks=[
                Mark(world.alex.pk, S.PRESENT, local(world.program, WEEK, 20), local(world.program, WEEK, 19))
            ],
        )
    assert "Alex" in str(exc.value) and "departed_at" in exc.value.message_dict


def test_someone_not_on_the_roster_is_refused(world, group):
    with pytest.raises(ValidationError):
        attendance_record(actor=world.therapist_a, session=group, marks=[Mark(world.casey.pk, S.PRESENT)])


def test_two_unexcused_absences_in_a_row_raise_one_follow_up_for_the_primary_clinician(world, group):
    attendance_record(actor=world.therapist_a, session=group, marks=[Mark(world.alex.pk, S.UNEXCUSED)])
    assert not WorkItem.objects.exists()
    later = []
    for days in (1, 3, 7):
        s = session_at(world.program, WEEK + timedelta(days=days), time(18), 180, world.therapist_a)
        Attendance.objects.create(session=s, participant=world.alex)
        later.append(s)
    attendance_record(actor=world.therapist_a, session=later[0], marks=[Mark(world.alex.pk, S.UNEXCUSED)])
    item = WorkItem.objects.get()
    assert (item.kind, item.assigned_to, item.participant) == (
        "absence_followup",
        world.therapist_a,
        world.alex,
    )
    # A third one in a row adds no twin while the first is open.
    attendance_record(actor=world.therapist_a, session=later[1], marks=[Mark(world.alex.pk, S.UNEXCUSED)])
    assert WorkItem.objects.count() == 1


def test_an_excused_absence_or_attendance_in_between_breaks_the_streak(world, group):
    attendance_record(actor=world.therapist_a, session=group, marks=[Mark(world.alex.pk, S.UNEXCUSED)])
    s2 = session_at(world.program, WEEK + timedelta(days=1), time(18), 180, world.therapist_a)
    s3 = session_at(world.program, WEEK + timedelta(days=3), time(18), 180, world.therapist_a)
    for s in (s2, s3):
        Attendance.objects.create(session=s, participant=world.alex)
    attendance_record(actor=world.therapist_a, session=s2, marks=[Mark(world.alex.pk, S.EXCUSED)])
    attendance_record(actor=world.therapist_a, session=s3, marks=[Mark(world.alex.pk, S.UNEXCUSED)])
    assert not WorkItem.objects.exists()


def test_a_cancelled_session_takes_no_attendance(world, group):
    group.status, group.cancel_reason = Session.Status.CANCELLED, "Facilitator ill"
    group.save()
    with pytest.raises(ValidationError):
        attendance_record(actor=world.therapist_a, session=group, marks=[Mark(world.alex.pk, S.PRESENT)])


# --- The screen ----------------------------------------------------------------------------------


def _post(client, session, marks: dict):
    data: dict[str, str] = {}
    for p, (status, arrived, departed) in marks.items():
        prefix = f"a{p.pk.hex[:12]}"
        data |= {f"{prefix}-status": status, f"{prefix}-arrived": arrived, f"{prefix}-departed": departed}
    return client.post(reverse("scheduling:attendance", args=[session.pk]), data)


def test_the_screen_defaults_everyone_to_present_for_the_whole_session(world, group, login):
    client = login(world.therapist_a)
    response = client.get(reverse("scheduling:attendance", args=[group.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('value="present"\n') + html.count('value="present" ') >= 2 or "checked" in html
    assert 'value="18:00"' in html and 'value="21:00"' in html
    reads = AuditEvent.objects.filter(action="read", object_type="attendance")
    assert {e.participant_id for e in reads} == {world.alex.pk, world.blair.pk}


def test_one_save_records_the_whole_roster(world, group, login):
    client = login(world.frontdesk)
    response = _post(
        client, group, {world.alex: ("late", "18:30", "21:00"), world.blair: ("no_show", "18:00", "21:00")}
    )
    assert response.status_code == 302
    rows = {a.participant_id: a for a in Attendance.objects.filter(session=group)}
    assert (rows[world.alex.pk].status, rows[world.alex.pk].minutes) == ("late", 150)
    assert (rows[world.blair.pk].status, rows[world.blair.pk].minutes) == ("no_show", None)


def test_bad_times_are_a_form_error_and_nothing_is_saved(world, group, login):
    client = login(world.therapist_a)
    response = _post(
        client, group, {world.alex: ("present", "20:00", "19:00"), world.blair: ("present", "18:00", "21:00")}
    )
    assert response.status_code == 400
    assert "before they arrived" in response.content.decode()
    assert not Attendance.objects.filter(session=group).exclude(status="expected").exists()


def test_a_missing_status_is_a_form_error(world, group, login):
    client = login(world.therapist_a)
    response = _post(client, group, {world.alex: ("", "", ""), world.blair: ("maybe", "", "")})
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["outsider", "therapist_b", "peer", "auditor", "nurse"])
def test_people_who_do_not_run_the_session_get_404(world, group, login, who):
    client = login(getattr(world, who))
    assert client.get(reverse("scheduling:attendance", args=[group.pk])).status_code == 404
    assert _post(client, group, {world.alex: ("present", "18:00", "21:00")}).status_code == 404
    assert AuditEvent.objects.filter(action="access_denied", object_type="session").exists()


def test_anonymous_goes_to_sign_in(client, group):
    response = client.get(reverse("scheduling:attendance", args=[group.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_screen_refuses_put(world, group, login):
    assert login(world.director).put(reverse("scheduling:attendance", args=[group.pk])).status_code == 405


# --- Two people taking one roster (found by bench/load.py: a stale page overwrote a newer save) -----


def _page(client, session) -> dict:
    """The attendance page's form as a browser would submit it untouched (statuses, times, seen)."""
    import re

    html = client.get(reverse("scheduling:attendance", args=[session.pk])).content.decode()
    data = dict(re.findall(r'name="(a[0-9a-f]{12}-(?:seen|arrived|departed))"[^>]*value="([^"]*)"', html))
    for name, value in re.findall(
        r'<input type="radio" name="(a[0-9a-f]{12}-status)" value="(\w+)"[^>]*checked', html
    ):
        data[name] = value
    return data


def test_a_stale_page_does_not_overwrite_a_row_someone_saved_since(world, group, login):
    mine, theirs = login(world.therapist_a), login(world.frontdesk)
    attendance_record(
        actor=world.therapist_a,
        session=group,
        marks=[Mark(world.alex.pk, S.PRESENT), Mark(world.blair.pk, S.PRESENT)],
    )
    opened = _page(mine, group)  # therapist opens the page
    assert opened[f"a{world.alex.pk.hex[:12]}-seen"].endswith("|present|18:00|21:00")
    # Meanwhile the front desk marks alex absent.
    assert (
        _post(
            theirs,
            group,
            {world.alex: ("unexcused", "18:00", "21:00"), world.blair: ("present", "18:00", "21:00")},
        ).status_code
        == 302
    )
    # The therapist changes only blair on the page opened before that, and saves.
    opened[f"a{world.blair.pk.hex[:12]}-status"] = "late"
    opened[f"a{world.blair.pk.hex[:12]}-arrived"] = "18:40"
    response = mine.post(reverse("scheduling:attendance", args=[group.pk]), opened)
    assert response.status_code == 302
    rows = {a.participant_id: a.status for a in Attendance.objects.filter(session=group)}
    assert rows == {world.alex.pk: "unexcused", world.blair.pk: "late"}


def test_changing_a_row_someone_saved_since_is_refused_naming_them(world, group, login):
    mine, theirs = login(world.therapist_a), login(world.frontdesk)
    attendance_record(
        actor=world.therapist_a,
        session=group,
        marks=[Mark(world.alex.pk, S.PRESENT), Mark(world.blair.pk, S.PRESENT)],
    )
    opened = _page(mine, group)
    assert (
        _post(
            theirs,
            group,
            {world.alex: ("unexcused", "18:00", "21:00"), world.blair: ("present", "18:00", "21:00")},
        ).status_code
        == 302
    )
    opened[f"a{world.alex.pk.hex[:12]}-status"] = "excused"
    opened[f"a{world.blair.pk.hex[:12]}-status"] = "no_show"
    response = mine.post(reverse("scheduling:attendance", args=[group.pk]), opened)
    assert response.status_code == 400
    html = response.content.decode()
    assert "after this page was opened" in html and world.alex.display_name.split()[0] in html
    rows = {a.participant_id: a.status for a in Attendance.objects.filter(session=group)}
    assert rows == {world.alex.pk: "unexcused", world.blair.pk: "present"}  # nothing of the stale save
    # The page now shows the current row; saving it again goes through.
    again = _page(mine, group)
    again[f"a{world.alex.pk.hex[:12]}-status"] = "excused"
    assert mine.post(reverse("scheduling:attendance", args=[group.pk]), again).status_code == 302
    assert Attendance.objects.get(session=group, participant=world.alex).status == "excused"


def test_the_service_refuses_a_mark_on_a_row_changed_since_it_was_seen(world, group):
    from bridge.scheduling.services.attendance import row_version

    attendance_record(actor=world.therapist_a, session=group, marks=[Mark(world.alex.pk, S.PRESENT)])
    seen = row_version(Attendance.objects.get(session=group, participant=world.alex))
    attendance_record(actor=world.frontdesk, session=group, marks=[Mark(world.alex.pk, S.NO_SHOW)])
    with pytest.raises(ValidationError, match="after this page was opened"):
        attendance_record(
            actor=world.therapist_a, session=group, marks=[Mark(world.alex.pk, S.EXCUSED, seen=seen)]
        )
    # The same value as stored is no conflict; no `seen` (the JSON API) keeps the last save.
    attendance_record(
        actor=world.therapist_a, session=group, marks=[Mark(world.alex.pk, S.NO_SHOW, seen=seen)]
    )
    attendance_record(actor=world.therapist_a, session=group, marks=[Mark(world.alex.pk, S.EXCUSED)])
    assert Attendance.objects.get(session=group, participant=world.alex).status == "excused"
