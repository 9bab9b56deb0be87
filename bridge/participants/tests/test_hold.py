"""Hold and resume: care paused within the open episode (a hospital stay, residential treatment,
travel) and the return, each through its service with its audit event; the pages for those who
document care; `bridge check-records` finds a status that disagrees with the holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.core.records import all_findings
from bridge.participants import services
from bridge.participants.models import STATUS_VALUES, CareHold, EpisodeOfCare, LevelOfCare, Participant
from bridge.testing.personas import unadmit

S = Participant.Status


@pytest.fixture
def in_care(world):
    """Alex admitted to IOP three weeks ago (blair and eli are left as the world has them)."""
    unadmit(world.alex)
    Participant.objects.filter(pk=world.alex.pk).update(status=S.SCREENING)
    world.alex.refresh_from_db()
    services.episode_open(
        actor=world.intake,
        participant=world.alex,
        level_of_care=LevelOfCare.INTENSIVE_OUTPATIENT,
        admitted_on=timezone.localdate() - timedelta(days=21),
    )
    world.alex.refresh_from_db()
    return world


def _hold(world, **extra):
    today = timezone.localdate()
    data: dict[str, Any] = {
        "kind": CareHold.Kind.HOSPITAL,
        "reason": "Admitted to Highland Hospital for pneumonia",
        "starts_on": today - timedelta(days=2),
        "expected_return_on": today + timedelta(days=7),
    } | extra
    return services.participant_hold(actor=world.therapist_a, participant=world.alex, **data)


def _alex_findings():
    return [f for f in all_findings() if f.pk == str(Participant.objects.get(first_name="Alex").pk)]


def test_a_hold_pauses_care_and_the_return_resumes_it_each_audited(in_care):
    world = in_care
    hold = _hold(world)
    world.alex.refresh_from_db()
    assert world.alex.status == S.ON_HOLD
    assert hold.episode.status == EpisodeOfCare.Status.ACTIVE and hold.status_before == S.ACTIVE
    event = AuditEvent.objects.get(action="hold", participant=world.alex)
    assert event.object_id == str(hold.pk) and event.actor == world.therapist_a
    assert [f for f in all_findings() if f.pk in (str(world.alex.pk), str(hold.pk))] == []

    services.participant_resume(
        actor=world.therapist_a, participant=world.alex, resumed_on=timezone.localdate()
    )
    world.alex.refresh_from_db()
    hold.refresh_from_db()
    assert world.alex.status == S.ACTIVE
    assert hold.ended_on == timezone.localdate() and hold.ending == CareHold.Ending.RESUMED
    assert (
        AuditEvent.objects.filter(action="resume", participant=world.alex, object_id=str(hold.pk)).count()
        == 1
    )
    assert _alex_findings() == []


def test_only_someone_in_care_goes_on_hold(world):
    Participant.objects.filter(pk=world.casey.pk).update(status=S.PROSPECT)
    with pytest.raises(ValidationError) as exc:
        services.participant_hold(
            actor=world.director,
            participant=world.casey,
            kind="travel",
            reason="Away",
            starts_on=timezone.localdate(),
            expected_return_on=timezone.localdate(),
        )
    assert "kind" in exc.value.message_dict
    assert not CareHold.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"starts_on": timezone.localdate() + timedelta(days=3)}, "starts_on"),
        ({"starts_on": timezone.localdate() - timedelta(days=60)}, "starts_on"),
        ({"expected_return_on": timezone.localdate() - timedelta(days=5)}, "expected_return_on"),
    ],
)
def test_a_hold_needs_a_reason_and_sensible_dates(in_care, extra, field):
    with pytest.raises(ValidationError) as exc:
        _hold(in_care, **extra)
    assert field in exc.value.message_dict
    in_care.alex.refresh_from_db()
    assert in_care.alex.status == S.ACTIVE


def test_a_second_open_hold_is_refused_by_the_service_and_the_database(in_care):
    hold = _hold(in_care)
    with pytest.raises(ValidationError):
        _hold(in_care)
    with pytest.raises(IntegrityError), transaction.atomic():
        CareHold.objects.create(
            participant=in_care.alex,
            episode=hold.episode,
            kind="travel",
            reason="Again",
            starts_on=hold.starts_on,
            expected_return_on=hold.expected_return_on,
            status_before=S.ACTIVE,
            created_by=in_care.director,
        )


def test_the_database_refuses_a_status_no_workflow_has(world):
    assert sorted(STATUS_VALUES) == sorted(S.values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.filter(pk=world.alex.pk).update(status="paused")


def test_a_step_down_participant_returns_to_step_down(in_care):
    Participant.objects.filter(pk=in_care.alex.pk).update(status=S.STEP_DOWN)
    in_care.alex.refresh_from_db()
    _hold(in_care)
    services.participant_resume(
        actor=in_care.director, participant=in_care.alex, resumed_on=timezone.localdate()
    )
    in_care.alex.refresh_from_db()
    assert in_care.alex.status == S.STEP_DOWN


def test_the_return_cannot_be_before_the_hold_or_in_the_future(in_care):
    hold = _hold(in_care)
    for day in (hold.starts_on - timedelta(days=1), timezone.localdate() + timedelta(days=2)):
        with pytest.raises(ValidationError):
            services.participant_resume(actor=in_care.director, participant=in_care.alex, resumed_on=day)
    in_care.alex.refresh_from_db()
    assert in_care.alex.status == S.ON_HOLD


def test_a_discharge_while_on_hold_ends_the_hold(in_care):
    from bridge.aftercare.services import discharge_record

    hold = _hold(in_care)
    discharge_record(
        actor=in_care.therapist_a,
        participant=in_care.alex,
        type="left_early",
        discharged_on=timezone.localdate(),
        reason="Stays in residential treatment after the hospital",
        destination="Residential program",
    )
    hold.refresh_from_db()
    in_care.alex.refresh_from_db()
    assert in_care.alex.status == S.DISCHARGED
    assert hold.ending == CareHold.Ending.DISCHARGED and hold.ended_on == timezone.localdate()
    assert _alex_findings() == []


def test_check_records_finds_holds_that_disagree_with_the_status(in_care):
    # "On hold" written without the workflow: no hold recorded.
    Participant.objects.filter(pk=in_care.alex.pk).update(status=S.ON_HOLD)
    found = _alex_findings()
    assert len(found) == 1 and "no hold is recorded" in found[0].problem and "Put on hold" in found[0].fix
    # The repair the finding names: record the hold; they return to Active later.
    in_care.alex.refresh_from_db()
    hold = _hold(in_care)
    assert hold.status_before == S.ACTIVE and _alex_findings() == []
    # Status put back to Active by hand while the hold is open.
    Participant.objects.filter(pk=in_care.alex.pk).update(status=S.ACTIVE)
    found = _alex_findings()
    assert len(found) == 1 and "hold is still open" in found[0].problem
    in_care.alex.refresh_from_db()
    services.participant_resume(
        actor=in_care.director, participant=in_care.alex, resumed_on=timezone.localdate()
    )
    assert _alex_findings() == []
    # A hold left open on an ended episode.
    CareHold.objects.filter(pk=hold.pk).update(ended_on=None, ending="")
    EpisodeOfCare.objects.filter(pk=hold.episode_id).update(
        status=EpisodeOfCare.Status.FINISHED, discharged_on=timezone.localdate()
    )
    Participant.objects.filter(pk=in_care.alex.pk).update(status=S.DISCHARGED)
    problems = {f.model: f.problem for f in all_findings() if f.pk in (str(in_care.alex.pk), str(hold.pk))}
    assert "its episode of care has ended" in problems["CareHold"]


# The pages ------------------------------------------------------------------------------------------


def test_the_therapist_puts_alex_on_hold_and_records_the_return_from_the_participant_page(in_care, login):
    client = login(in_care.therapist_a)
    detail = reverse("participants:detail", args=[in_care.alex.pk])
    hold_url = reverse("participants:hold", args=[in_care.alex.pk])
    page = client.get(detail).content.decode()
    assert hold_url in page
    assert client.get(hold_url).status_code == 200
    today = timezone.localdate()
    response = client.post(
        hold_url,
        {
            "kind": "residential",
            "reason": "Two weeks of residential treatment at Cedar House",
            "starts_on": today.isoformat(),
            "expected_return_on": (today + timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "On hold" in page and "Cedar House" in page and "Record their return" in page
    resume_url = reverse("participants:resume", args=[in_care.alex.pk])
    response = client.post(resume_url, {"resumed_on": today.isoformat(), "note": "Back on Monday's group"})
    assert response.status_code == 302
    in_care.alex.refresh_from_db()
    assert in_care.alex.status == S.ACTIVE
    assert CareHold.objects.get(participant=in_care.alex).end_note == "Back on Monday's group"


def test_bad_hold_input_comes_back_with_field_errors(in_care, login):
    client = login(in_care.therapist_a)
    today = timezone.localdate()
    response = client.post(
        reverse("participants:hold", args=[in_care.alex.pk]),
        {
            "kind": "nonsense",
            "reason": "",
            "starts_on": "9999-01-01",
            "expected_return_on": (today - timedelta(days=400)).isoformat(),
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"kind", "reason", "starts_on"} <= set(errors)
    in_care.alex.refresh_from_db()
    assert in_care.alex.status == S.ACTIVE


@pytest.mark.parametrize("persona", ["frontdesk", "peer", "billing"])
def test_front_desk_and_peers_see_no_hold_action_and_may_not_use_it(in_care, login, persona):
    client = login(in_care.staff[persona])
    hold_url = reverse("participants:hold", args=[in_care.alex.pk])
    assert hold_url not in client.get(reverse("participants:detail", args=[in_care.alex.pk])).content.decode()
    assert client.get(hold_url).status_code == 403
    assert client.post(hold_url, {"kind": "travel"}).status_code == 403


@pytest.mark.parametrize("name", ["hold", "resume"])
def test_an_outsider_gets_404_on_the_hold_pages(in_care, login, name):
    client = login(in_care.outsider)
    url = reverse(f"participants:{name}", args=[in_care.alex.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"resumed_on": timezone.localdate().isoformat()}).status_code == 404
    assert AuditEvent.objects.filter(action="access_denied", actor=in_care.outsider).count() == 2
    in_care.alex.refresh_from_db()
    assert in_care.alex.status == S.ACTIVE


def test_someone_not_in_care_is_sent_back_from_the_hold_page(world, login):
    client = login(world.director)
    response = client.get(reverse("participants:hold", args=[world.casey.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"/participants/{world.casey.pk}/")


def test_a_week_wholly_on_hold_is_planned_in_the_hours_ledger_not_a_shortfall(in_care):
    from bridge.scheduling.ledger import hours_for

    world = in_care
    today = timezone.localdate()
    last_monday = today - timedelta(days=today.weekday() + 7)
    _hold(world, starts_on=last_monday - timedelta(days=1))
    away = hours_for(world.alex, last_monday)
    assert (away.floor_minutes, away.planned, away.below_floor) == (0, True, False)
    assert away.label == "On hold (hospital stay): no hours expected"
    # The week the hold began on its Sunday had six days in care: the level's floor stands.
    before = hours_for(world.alex, last_monday - timedelta(days=7))
    assert before.floor_minutes and not before.planned
