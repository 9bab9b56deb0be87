"""Aftercare pages: the discharge form, the summary (edit, sign, print, PDF), the plan and its private
link, check-ins by phone and by link, outreach, the outcomes report; outsiders get 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bridge.aftercare import followup, services
from bridge.aftercare.models import AftercarePlan, CheckIn, Discharge, PlanLink
from bridge.audit.models import AuditEvent
from bridge.testing.sections import full_page


@pytest.fixture
def discharged(admitted, monday):
    return services.discharge_record(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        type=Discharge.Type.COMPLETED,
        discharged_on=monday - timedelta(days=1),
        reason="Completed",
        destination="Weekly outpatient",
    )


def test_discharge_form_names_the_bad_field(admitted, login):
    client = login(admitted.therapist_a)
    url = reverse("aftercare:discharge", args=[admitted.alex.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"type": "completed", "discharged_on": "2001-01-01", "reason": "x", "destination": "y"}
    )
    assert response.status_code == 400
    assert "The episode began on" in response.content.decode()
    day = timezone.localdate().isoformat()
    response = client.post(
        url,
        {"type": "left_early", "discharged_on": day, "reason": "Stopped coming", "destination": "Unknown"},
    )
    assert response.status_code == 302
    assert Discharge.objects.get(participant=admitted.alex).type == "left_early"


def test_outsiders_get_404_on_every_aftercare_page(discharged, admitted, login):
    summary = discharged.summary
    urls = [
        reverse("aftercare:hub", args=[admitted.alex.pk]),
        reverse("aftercare:summary", args=[admitted.alex.pk, summary.pk]),
        reverse("aftercare:summary_pdf", args=[admitted.alex.pk, summary.pk]),
        reverse("aftercare:plan", args=[admitted.alex.pk]),
    ]
    for persona in ("outsider", "therapist_b"):
        client = login(admitted.staff[persona])
        for url in urls:
            assert client.get(url).status_code == 404, (persona, url)


def test_summary_edit_sign_print_and_pdf(discharged, admitted, login):
    client = login(admitted.therapist_a)
    summary = discharged.summary
    url = reverse("aftercare:summary", args=[admitted.alex.pk, summary.pk])
    assert "Hours attended" in client.get(url).content.decode()
    data = {
        "course": "Engaged well",
        "condition": "Stable",
        "aftercare": "Alumni group",
        "recommendations": "OP",
    }
    assert client.post(url, data).status_code == 302
    client.post(reverse("aftercare:summary_sign", args=[admitted.alex.pk, summary.pk]))
    summary.refresh_from_db()
    assert summary.signed_at is not None
    assert AuditEvent.objects.filter(action="sign", object_id=str(summary.pk)).exists()
    printable = client.get(reverse("aftercare:summary_print", args=[admitted.alex.pk, summary.pk]))
    assert "Engaged well" in printable.content.decode()
    pdf = client.get(reverse("aftercare:summary_pdf", args=[admitted.alex.pk, summary.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_plan_is_printable_and_has_a_revocable_private_page(admitted, login, client):
    staff = login(admitted.therapist_a)
    edit = reverse("aftercare:plan_edit", args=[admitted.alex.pk])
    bad = staff.post(edit, {"meetings": "Bingo | Tuesday night"})
    assert bad.status_code == 400 and "Line 1 of meetings" in bad.content.decode()
    response = staff.post(
        edit,
        {
            "triggers": "Payday Fridays",
            "contacts": "Maria | (510) 555-0134 | sponsor",
            "meetings": "SMART | Lakeside SMART | Monday | 19:00 | 12 Grand Ave",
        },
    )
    assert response.status_code == 302
    plan = AftercarePlan.objects.get(participant=admitted.alex)
    assert plan.contacts[0]["phone"] == "(510) 555-0134"
    assert plan.crisis_lines[0]["phone"] == "988"
    printable = staff.get(reverse("aftercare:plan_print", args=[admitted.alex.pk])).content.decode()
    assert "Payday Fridays" in printable and "988" in printable and "Lakeside SMART" in printable
    made = staff.post(reverse("aftercare:plan_link_create", args=[admitted.alex.pk])).content.decode()
    url = made.split("/my-plan/")[1].split("/")[0]
    token = url
    assert token not in str(list(PlanLink.objects.values_list("token_hash", flat=True)))
    staff.logout()
    public = client.get(reverse("aftercare:public_plan", args=[token]))
    assert public.status_code == 200 and "My recovery plan" in public.content.decode()
    # Not cached anywhere, and the page names neither the person nor the (SUD) program.
    assert "no-store" in public["Cache-Control"]
    assert admitted.alex.first_name not in public.content.decode()
    assert admitted.program.name not in public.content.decode()
    PlanLink.objects.update(created_at=timezone.now() - timedelta(days=366))
    assert client.get(reverse("aftercare:public_plan", args=[token])).status_code == 404  # a year on
    PlanLink.objects.update(created_at=timezone.now())
    login(admitted.therapist_a).post(reverse("aftercare:plan_link_revoke", args=[admitted.alex.pk]))
    client.logout()
    assert client.get(reverse("aftercare:public_plan", args=[token])).status_code == 404


def test_peer_records_a_checkin_by_phone_and_warning_signs_raise_outreach(discharged, admitted, login):
    followup.alumni_enroll(
        actor=admitted.peer,
        participant=admitted.alex,
        enrolled_on=timezone.localdate(),
        contact_consent=True,
        channel="phone",
    )
    checkin = CheckIn.objects.filter(discharge=discharged).order_by("due_on").first()
    assert checkin is not None
    client = login(admitted.peer)
    url = reverse("aftercare:checkin", args=[admitted.alex.pk, checkin.pk])
    answers = {
        "any_use": "yes",
        "cravings": "8",
        "meetings_attended": "1",
        "housing": "stable",
        "work": "working",
        "phq2_interest": "1",
        "phq2_mood": "1",
    }
    assert client.post(url, {**answers, "cravings": "11"}).status_code == 400
    assert client.post(url, answers).status_code == 302
    checkin.refresh_from_db()
    assert checkin.status == "completed" and checkin.recorded_by == admitted.peer
    from bridge.worklist.models import WorkItem

    item = WorkItem.objects.get(participant=admitted.alex, kind="outreach")
    assert item.assigned_to == admitted.peer
    assert item.detail == "Reported use since the last check-in; cravings 8/10."
    response = client.post(
        reverse("aftercare:outreach", args=[admitted.alex.pk, item.pk]),
        {"outcome": "reached_support", "note": "Sponsor meeting set"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "done" and "needs support" in item.resolution


def test_alumnus_answers_through_a_one_time_link(discharged, admitted, client):
    checkin = CheckIn.objects.filter(discharge=discharged).order_by("due_on").first()
    assert checkin is not None
    token = followup.checkin_link_create(checkin=checkin)
    url = reverse("aftercare:public_checkin", args=[token])
    assert client.get(url).status_code == 200
    answers = {
        "any_use": "no",
        "cravings": "2",
        "meetings_attended": "3",
        "housing": "sober_living",
        "work": "working",
        "phq2_interest": "0",
        "phq2_mood": "1",
    }
    assert client.post(url, answers).status_code == 200
    checkin.refresh_from_db()
    assert checkin.status == "completed" and checkin.method == "link" and checkin.recorded_by is None
    assert client.get(url).status_code == 404  # used once


def test_outcomes_report_and_csv_for_directors_only(discharged, admitted, login):
    client = login(admitted.director)
    assert "Aftercare outcomes" in client.get(reverse("aftercare:outcomes")).content.decode()
    csv = client.get(reverse("aftercare:outcomes_csv")).content.decode()
    assert csv.splitlines()[0].startswith("days_after_discharge,discharged")
    assert login(admitted.therapist_a).get(reverse("aftercare:outcomes")).status_code == 403


def test_director_sets_the_checkin_days(admitted, login):
    client = login(admitted.director)
    url = reverse("aftercare:settings")
    assert "7, 30, 60, 90, 180, 365" in client.get(url).content.decode()
    bad = client.post(url, {"checkin_days": "7, soon", "grace_days": "3"})
    assert bad.status_code == 400 and "whole numbers" in bad.content.decode()
    assert client.post(url, {"checkin_days": "14, 7, 28", "grace_days": "2"}).status_code == 302
    from bridge.aftercare.models import AftercareSettings

    assert AftercareSettings.objects.get(program=admitted.program).checkin_days == [7, 14, 28]
    assert login(admitted.therapist_a).get(url).status_code == 403


def test_a_director_of_two_programs_chooses_which_to_set(admitted, login):
    from bridge.accounts.models import Role, StaffRole
    from bridge.aftercare.models import AftercareSettings
    from bridge.programs.models import Organization, Program

    org = Organization.objects.create(name="Second Org")
    second = Program.objects.create(organization=org, name="Zeta site", time_zone="America/Denver")
    StaffRole.objects.create(user=admitted.director, program=second, role=Role.DIRECTOR)
    client = login(admitted.director)
    url = reverse("aftercare:settings")
    page = client.get(url, {"program": second.pk}).content.decode()
    assert "Zeta site" in page and 'name="program"' in page
    response = client.post(url, {"program": str(second.pk), "checkin_days": "10, 20", "grace_days": "1"})
    assert response.status_code == 302 and str(second.pk) in response["Location"]
    assert AftercareSettings.objects.get(program=second).checkin_days == [10, 20]
    assert not AftercareSettings.objects.filter(program=admitted.program).exists()
    # A program they do not direct looks missing.
    assert client.get(url, {"program": admitted.other_program.pk}).status_code == 404
    from bridge.audit.models import AuditEvent

    denied = AuditEvent.objects.filter(action="access_denied", object_id=str(admitted.other_program.pk))
    assert denied.exists()


def test_the_aftercare_page_stays_constant_in_queries_as_history_grows(discharged, admitted, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bridge.aftercare.models import Outreach

    followup.alumni_enroll(
        actor=admitted.peer,
        participant=admitted.alex,
        enrolled_on=timezone.localdate(),
        contact_consent=True,
        channel="phone",
    )
    client = login(admitted.peer)
    url = reverse("aftercare:hub", args=[admitted.alex.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request of a session does one-off work
    before = count()
    for c in CheckIn.objects.filter(discharge=discharged)[:3]:
        followup.checkin_record(
            actor=admitted.peer,
            checkin=c,
            method="phone",
            any_use=True,
            cravings=9,
            meetings_attended=0,
            housing="stable",
            work="working",
            phq2_interest=0,
            phq2_mood=0,
        )
        Outreach.objects.create(participant=admitted.alex, outcome="no_answer", recorded_by=admitted.peer)
    assert count() == before


def test_participant_page_shows_the_next_checkin_after_discharge(discharged, admitted, login):
    html = full_page(login(admitted.peer), reverse("participants:detail", args=[admitted.alex.pk]))
    assert "Next check-in: day 7" in html
    assert reverse("aftercare:hub", args=[admitted.alex.pk]) in html


def test_front_desk_sees_checkin_dates_not_answers_and_cannot_record_them(discharged, admitted, login):
    checkin = CheckIn.objects.filter(discharge=discharged).order_by("due_on").first()
    assert checkin is not None
    followup.checkin_record(
        actor=admitted.peer,
        checkin=checkin,
        method="phone",
        any_use=True,
        cravings=9,
        meetings_attended=0,
        housing="stable",
        work="working",
        phq2_interest=0,
        phq2_mood=0,
    )
    client = login(admitted.frontdesk)
    html = client.get(reverse("aftercare:hub", args=[admitted.alex.pk])).content.decode()
    assert "Completed" in html and "cravings 9/10" not in html
    later = CheckIn.objects.filter(discharge=discharged, status="pending").first()
    assert later is not None
    response = client.get(reverse("aftercare:checkin", args=[admitted.alex.pk, later.pk]))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access_denied", actor=admitted.frontdesk).exists()
    # The relapse-prevention plan (triggers, warning signs) is not for front desk either.
    services.aftercare_plan_save(
        actor=admitted.therapist_a, participant=admitted.alex, triggers="Payday Fridays"
    )
    for name in ("aftercare:plan", "aftercare:plan_print"):
        assert client.get(reverse(name, args=[admitted.alex.pk])).status_code == 403
    assert (
        reverse("aftercare:plan", args=[admitted.alex.pk])
        not in client.get(reverse("aftercare:hub", args=[admitted.alex.pk])).content.decode()
    )
    peer = login(admitted.peer)
    peer_html = peer.get(reverse("aftercare:hub", args=[admitted.alex.pk])).content.decode()
    assert "cravings 9/10" in peer_html
    assert "Payday Fridays" in peer.get(reverse("aftercare:plan", args=[admitted.alex.pk])).content.decode()


def test_checkin_links_stop_a_month_after_they_fall_due_and_at_opt_out(discharged, admitted, client):
    import time_machine

    checkins = list(CheckIn.objects.filter(discharge=discharged).order_by("due_on"))
    token = followup.checkin_link_create(checkin=checkins[0])
    url = reverse("aftercare:public_checkin", args=[token])
    response = client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    later = timezone.now() + (checkins[0].due_on - timezone.localdate()) + timedelta(days=31)
    with time_machine.travel(later, tick=False):
        assert client.get(url).status_code == 404
    # A missed check-in's link stops working when the alumnus opts out (the history stays).
    CheckIn.objects.filter(pk=checkins[1].pk).update(status=CheckIn.Status.MISSED)
    missed = followup.checkin_link_create(checkin=CheckIn.objects.get(pk=checkins[1].pk))
    enrollment = followup.alumni_enroll(
        actor=admitted.peer,
        participant=admitted.alex,
        enrolled_on=timezone.localdate(),
        contact_consent=True,
        channel="phone",
    )
    followup.alumni_opt_out(actor=admitted.peer, enrollment=enrollment)
    assert client.get(reverse("aftercare:public_checkin", args=[missed])).status_code == 404
    assert CheckIn.objects.get(pk=checkins[1].pk).status == CheckIn.Status.MISSED


def test_the_chart_section_offers_the_plan_only_to_those_who_may_open_it(discharged, admitted, login):
    plan_url = reverse("aftercare:plan", args=[admitted.alex.pk])
    page = reverse("participants:detail", args=[admitted.alex.pk])
    assert plan_url not in full_page(login(admitted.frontdesk), page)
    assert plan_url in full_page(login(admitted.peer), page)


def test_every_save_of_the_plan_is_kept_and_readable(discharged, admitted, login):
    from bridge.aftercare.models import AftercarePlanVersion

    services.aftercare_plan_save(actor=admitted.therapist_a, participant=admitted.alex, triggers="Payday")
    services.aftercare_plan_save(
        actor=admitted.therapist_a, participant=admitted.alex, triggers="Old friends"
    )
    assert list(AftercarePlanVersion.objects.values_list("number", "content__triggers")) == [
        (2, "Old friends"),
        (1, "Payday"),
    ]
    client = login(admitted.peer)
    page = client.get(reverse("aftercare:plan", args=[admitted.alex.pk])).content.decode()
    first = reverse("aftercare:plan_version", args=[admitted.alex.pk, 1])
    assert "Old friends" in page and first in page
    old = client.get(first)
    assert (
        old.status_code == 200
        and "Payday" in old.content.decode()
        and "Old friends" not in old.content.decode()
    )
    assert client.get(reverse("aftercare:plan_version", args=[admitted.alex.pk, 9])).status_code == 404
    assert login(admitted.frontdesk).get(first).status_code == 403
