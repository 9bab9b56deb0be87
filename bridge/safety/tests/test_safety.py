"""Clinical safety, tried to break: a disposition needs what was done; outsiders see nothing; an act-now
alert without a disposition blocks admission; C-SSRS high risk from the app and a self-check suicide
answer reach a person at once; the safety plan and its private link; warning signs from check-ins and a
negative screen for a prescribed medication reach the primary clinician."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.clinical.tests.conftest import admitted  # noqa: F401  (fixture)
from bridge.intake import services as intake
from bridge.intake.models import Screening
from bridge.intake.tests.conftest import iop_ready, screening  # noqa: F401  (fixtures)
from bridge.measures import services as measures
from bridge.notify.models import StaffNotification
from bridge.participants.models import EpisodeOfCare, Participant
from bridge.safety import services
from bridge.safety.models import SafetyPlan, SafetySignal, Source
from bridge.worklist.models import WorkItem

pytestmark = pytest.mark.django_db

CSSRS_HIGH = [1, 1, 1, 1, 1, 0, 0]  # intent and a plan in the past month


def _signal(world, urgency="now", code="cssrs_q5_plan"):
    return services.safety_signal_raise(
        participant=world.alex,
        source=Source.STAFF_ENTRY,
        code=code,
        urgency=urgency,
        title="C-SSRS high risk",
        route="911 / emergency department / 988",
        dedup_key=f"test:{code}",
        actor=world.therapist_a,
    )


# --- Raising: who must act is told at once -------------------------------------------------------


def test_an_act_now_signal_puts_urgent_work_on_the_clinician_and_the_director_and_tells_them(world):
    signal = _signal(world)
    assert signal.due_by - signal.raised_at == timedelta(minutes=services.NOW_MINUTES)
    items = WorkItem.objects.filter(kind=services.WORK_KIND, participant=world.alex)
    assert {i.assigned_to for i in items} == {world.therapist_a, world.director}
    assert all(i.urgent for i in items)
    told = StaffNotification.objects.filter(about_type="safety_signal", about_id=str(signal.pk))
    assert {n.recipient for n in told} == {world.therapist_a, world.director}
    assert all("Alex" not in n.body for n in told), "no name in a notification"
    # The same cause never raises twice.
    assert _signal(world) == signal and SafetySignal.objects.count() == 1


@pytest.mark.parametrize(("local_time", "director_told"), [(time(10), False), (time(20), True)])
def test_a_same_day_signal_tells_the_director_too_when_the_clinician_is_off_shift(
    world, local_time, director_told
):
    import time_machine

    from bridge.planner.models import ClinicianHours

    ClinicianHours.objects.create(
        staff=world.therapist_a, program=world.program, weekday=0, start_time=time(9), end_time=time(17)
    )
    monday = datetime.combine(date(2026, 11, 16), local_time, tzinfo=world.program.tz)
    with time_machine.travel(monday, tick=False):
        signal = _signal(world, urgency="same_day", code="phq9_item9_positive")
    told = {n.recipient for n in StaffNotification.objects.filter(about_id=str(signal.pk))}
    assert told == ({world.therapist_a, world.director} if director_told else {world.therapist_a})


# --- Disposition: who, when, what (required) -----------------------------------------------------


@pytest.mark.parametrize("said", ["", "   ", "\n\t"])
def test_a_disposition_without_saying_what_was_done_is_refused(world, said):
    signal = _signal(world)
    with pytest.raises(ValidationError) as refused:
        services.safety_signal_close(actor=world.therapist_a, signal=signal, action_taken=said)
    assert "action_taken" in refused.value.message_dict
    signal.refresh_from_db()
    assert signal.is_open


def test_the_database_refuses_a_closed_signal_without_what_was_done(world):
    from django.db import IntegrityError, transaction

    signal = _signal(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        SafetySignal.objects.filter(pk=signal.pk).update(
            status="closed", closed_at=timezone.now(), closed_by=world.therapist_a, action_taken=""
        )


def test_the_disposition_page_needs_what_was_done_then_records_who_when_what(world, login):
    signal = _signal(world)
    client = login(world.therapist_a)
    url = reverse("safety:signal", args=[world.alex.pk, signal.pk])
    page = client.get(url)
    assert page.status_code == 200 and "911" in page.content.decode()
    refused = client.post(url, {"action_taken": "  "})
    assert refused.status_code == 400 and "action_taken" in refused.context["form"].errors
    assert SafetySignal.objects.get(pk=signal.pk).is_open
    done = client.post(url, {"action_taken": "Reached Alex by phone; mobile crisis attended; safe tonight."})
    assert done.status_code == 302
    signal.refresh_from_db()
    assert (signal.status, signal.closed_by) == ("closed", world.therapist_a) and signal.closed_at
    assert not WorkItem.objects.filter(kind=services.WORK_KIND, status=WorkItem.Status.OPEN).exists()
    assert AuditEvent.objects.filter(action="safety_disposition", object_id=str(signal.pk)).exists()
    # A second disposition is refused, not written over the first.
    again = client.post(url, {"action_taken": "Something else"})
    assert again.status_code == 400
    assert SafetySignal.objects.get(pk=signal.pk).action_taken.startswith("Reached Alex")


def test_dispositions_are_listed_for_the_supervisor_only(world, login):
    signal = _signal(world)
    services.safety_signal_close(actor=world.therapist_a, signal=signal, action_taken="Called 988 with Alex.")
    url = reverse("safety:acknowledgements")
    listing = login(world.director).get(url).content.decode()
    assert "Called 988 with Alex." in listing
    assert login(world.therapist_a).get(url).status_code == 403
    assert "Called 988 with Alex." not in login(world.outsider).get(url).content.decode()


def test_outsiders_get_404_on_every_safety_page(world, login):
    signal = _signal(world)
    services.safety_plan_save(
        actor=world.therapist_a, participant=world.alex, warning_signs="Not sleeping", professionals="988"
    )
    client = login(world.outsider)
    p = world.alex.pk
    for url in (
        reverse("safety:signals", args=[p]),
        reverse("safety:signal", args=[p, signal.pk]),
        reverse("safety:plan", args=[p]),
        reverse("safety:plan_print", args=[p]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("safety:signal", args=[p, signal.pk]), {"action_taken": "x"}).status_code == 404
    )
    assert client.post(reverse("safety:plan_link_create", args=[p])).status_code == 404
    assert SafetySignal.objects.get(pk=signal.pk).is_open
    # Another participant's signal id under Alex's address is not found either.
    other = services.safety_signal_raise(
        participant=world.blair, source=Source.STAFF_ENTRY, code="x", urgency="routine", title="x"
    )
    assert login(world.therapist_a).get(reverse("safety:signal", args=[p, other.pk])).status_code == 404


# --- Admission is gated on the disposition -------------------------------------------------------


def test_admitting_with_an_act_now_alert_without_a_disposition_is_refused_until_one_is_recorded(
    world,
    iop_ready,  # noqa: F811
):
    intake.administration_record(
        actor=world.intake, screening=iop_ready, instrument="C-SSRS-Screener", responses=CSSRS_HIGH
    )
    act_now = list(SafetySignal.objects.filter(screening=iop_ready, urgency="now"))
    assert act_now and all(s.code.startswith("cssrs_") for s in act_now)
    intake.placement_decide(
        actor=world.intake, screening=Screening.objects.get(pk=iop_ready.pk), decision="accept"
    )

    def problems():
        try:
            intake.screening_admit(
                actor=world.intake,
                screening=Screening.objects.get(pk=iop_ready.pk),
                primary_clinician=world.therapist_b,
                admitted_on=timezone.localdate(),
                consent_to_treatment_signed_on=timezone.localdate(),
            )
        except ValidationError as exc:
            return exc.messages
        return []

    assert any("no recorded disposition" in m for m in problems())
    assert not EpisodeOfCare.objects.filter(participant=world.casey).exists()
    first, *others = act_now
    services.safety_signal_close(
        actor=world.director, signal=first, action_taken="Seen today; safety plan written."
    )
    assert any("no recorded disposition" in m for m in problems()) == bool(others)
    for signal in others:
        services.safety_signal_close(actor=world.director, signal=signal, action_taken="Same visit.")
    assert not any("no recorded disposition" in m for m in problems())


# --- From the participant's phone and the public self-check -------------------------------------


def test_a_cssrs_high_risk_answer_in_the_app_is_act_now_for_clinician_and_director(world, client, settings):
    from bridge.portal.models import ParticipantAccount
    from bridge.portal.tests.conftest import ALEX_PHONE, sign_in

    settings.BRIDGE_SMS_SENDER = "bridge.notify.sms.MemorySmsSender"
    world.alex.phone = ALEX_PHONE
    world.alex.save()
    ParticipantAccount.objects.create(participant=world.alex, opened_by=world.frontdesk)
    sign_in(client)
    link, _ = measures.measure_link_create(
        actor=world.nurse, participant=world.alex, instrument="C-SSRS-Screener"
    )
    answers = {f"cssrs_{i}": str(v) for i, v in enumerate(CSSRS_HIGH[:6], start=1)}
    answers["cssrs_6_past_3_months"] = "0"
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = client.post(reverse("portal:questionnaire", args=[link.pk]), answers)
    html = done.content.decode()
    assert done.status_code == 200 and "988" in html
    signals = SafetySignal.objects.filter(participant=world.alex, urgency="now")
    assert signals and {s.source for s in signals} <= {Source.MEASURE_LINK, Source.PARTICIPANT_APP}
    urgent = WorkItem.objects.filter(kind=services.WORK_KIND, participant=world.alex, urgent=True)
    assert {i.assigned_to for i in urgent} == {world.therapist_a, world.director}
    assert StaffNotification.objects.filter(recipient=world.therapist_a, about_type="safety_signal").exists()


def test_a_self_check_suicide_answer_makes_an_urgent_call_back_and_tells_intake(world, client, login):
    from bridge.intake.tests.test_self_check import CALLBACK, DRINKING

    client.post(
        reverse("intake:callback", args=[world.program.pk]),
        {**DRINKING, **CALLBACK, "thoughts_of_ending_life": "yes", "share_answers": "on"},
    )
    lead = Participant.objects.get(first_name="Robin")
    signal = SafetySignal.objects.get(participant=lead)
    assert (signal.code, signal.urgency, signal.source) == (
        "selfcheck_suicidal_thoughts",
        "now",
        "self_check",
    )
    assert StaffNotification.objects.filter(recipient=world.intake, about_id=str(signal.pk)).exists()
    queue = login(world.intake).get(reverse("intake:queue")).content.decode()
    assert queue.index("Lee, Robin") < queue.index(world.casey.last_name), "urgent lead first"
    assert 'class="urgent-lead"' in queue and "Call back by" in queue


def test_a_self_check_suicide_answer_not_shared_keeps_only_that_it_is_urgent(world, client):
    from bridge.intake.tests.test_self_check import CALLBACK, DRINKING

    client.post(
        reverse("intake:callback", args=[world.program.pk]),
        {**DRINKING, **CALLBACK, "thoughts_of_ending_life": "yes"},
    )
    signal = SafetySignal.objects.get(participant__first_name="Robin")
    assert (signal.code, signal.urgency) == ("selfcheck_urgent", "now")
    assert "ending" not in signal.title


# --- Safety plan ----------------------------------------------------------------------------------


def test_the_safety_plan_is_written_versioned_printed_and_opened_by_private_link(world, login, client):
    staff = login(world.therapist_a)
    url = reverse("safety:plan", args=[world.alex.pk])
    refused = staff.post(url, {"warning_signs": "", "professionals": ""})
    assert refused.status_code == 400 and {"warning_signs", "professionals"} <= set(
        refused.context["form"].errors
    )
    assert not SafetyPlan.objects.exists()
    data = {name: "" for name in SafetyPlan.FIELDS}
    data.update(warning_signs="Not sleeping\nSkipping group", professionals="988, call or text")
    assert staff.post(url, data).status_code == 302
    data["coping"] = "Walk the dog"
    staff.post(url, data)
    plan = SafetyPlan.objects.get(participant=world.alex)
    assert [v.number for v in plan.versions.all()] == [2, 1]
    assert "Skipping group" in staff.get(reverse("safety:plan_print", args=[world.alex.pk])).content.decode()
    made = staff.post(reverse("safety:plan_link_create", args=[world.alex.pk]))
    public_url = made.context["new_url"]
    client.logout()
    phone = client.get(public_url)
    assert phone.status_code == 200 and "Walk the dog" in phone.content.decode()
    assert phone["Cache-Control"].startswith("max-age=0") or "no-cache" in phone["Cache-Control"]
    staff = login(world.therapist_a)
    staff.post(reverse("safety:plan_link_revoke", args=[world.alex.pk]))
    client.logout()
    assert client.get(public_url).status_code == 404


# --- Warning signs from other channels reach the primary clinician ------------------------------


def test_a_negative_screen_for_prescribed_buprenorphine_goes_to_the_primary_clinician(
    admitted,  # noqa: F811
):
    from decimal import Decimal

    from bridge.clinical.services import meds, screens
    from bridge.clinical.services.screens import UDS_NEGATIVE_REVIEW
    from bridge.clinical.tests.test_screens import TODAY, negatives

    w = admitted
    meds.medication_order_create(
        actor=w.prescriber,
        participant=w.alex,
        drug="buprenorphine",
        dose=Decimal("16"),
        route="sublingual",
        frequency="daily",
        reason="Opioid use disorder",
        start_on=TODAY() - timedelta(days=10),
        pdmp_checked_at=timezone.now() - timedelta(days=11),
    )
    screen = screens.drug_screen_record(
        actor=w.nurse, participant=w.alex, collected_on=TODAY(), panel="12", results=negatives()
    )
    assert screen.unexpected_negative and not screen.unexpected_positive
    item = WorkItem.objects.get(kind=UDS_NEGATIVE_REVIEW, participant=w.alex)
    assert item.assigned_to == w.therapist_a and "diversion" in item.detail
