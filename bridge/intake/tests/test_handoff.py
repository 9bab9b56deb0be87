"""Hand to a prescriber: what only a prescriber may do at intake (buprenorphine induction alongside
IOP, recording that withdrawal management is complete) goes on a prescriber's work list, with a
notification and an audit event; and a prescriber's record of completed withdrawal management opens
the new placement decision the gate asks for."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.intake import services
from bridge.intake.models import Screening
from bridge.notify.models import StaffNotification
from bridge.participants.models import CareTeamMember
from bridge.worklist.models import WorkItem

pytestmark = pytest.mark.django_db


def _url(screening, name="handoff"):
    return reverse(
        f"intake:{name}", kwargs={"participant_id": screening.participant_id, "screening_id": screening.pk}
    )


@pytest.fixture
def needs_wm(world, iop_ready):
    """Casey decided at 2.1 with 3.7-WM first: admission is refused until WM is complete."""
    services.placement_decide(
        actor=world.director,
        screening=iop_ready,
        decision="override",
        level="2.1",
        withdrawal_management="3.7-WM",
        reason="Heavy daily drinking with past withdrawal seizures",
    )
    iop_ready.refresh_from_db()
    return iop_ready


def test_intake_hands_the_person_to_a_prescriber_who_records_wm_complete(world, login, needs_wm):
    client = login(world.intake)
    page = client.get(reverse("intake:screening", args=[world.casey.pk])).content.decode()
    assert "Hand to a prescriber" in page and "Withdrawal management 3.7-WM comes first" in page
    # The intake coordinator cannot record completion; they hand it over instead.
    response = client.post(
        _url(needs_wm),
        {"prescriber": world.prescriber.pk, "why": "wm_complete", "note": "Back from County detox Friday"},
    )
    assert response.status_code == 302
    item = WorkItem.objects.get(kind="prescriber_handoff", participant=world.casey)
    assert item.assigned_to == world.prescriber and item.status == "open"
    assert item.due_on == timezone.localdate() and "withdrawal management is complete" in item.title
    assert "County detox" in item.detail
    sent = StaffNotification.objects.get(recipient=world.prescriber, about_id=str(item.pk))
    assert "Casey" not in sent.body and "/intake/" in sent.body  # no name: only where to look
    assert AuditEvent.objects.filter(object_type="prescriber_handoff", participant=world.casey).exists()
    # The prescriber joins the care team: that is what lets them open the screening.
    assert CareTeamMember.objects.filter(
        participant=world.casey, staff=world.prescriber, team_role="prescriber", ended_at__isnull=True
    ).exists()
    # Handing the same thing over twice does not make a twin.
    client.post(_url(needs_wm), {"prescriber": world.prescriber.pk, "why": "wm_complete"})
    assert WorkItem.objects.filter(kind="prescriber_handoff").count() == 1
    # The prescriber sees it on the work item, opens the screening and records completion.
    resolve = login(world.prescriber).get(
        reverse("worklist:resolve", kwargs={"participant_id": world.casey.pk, "item_id": item.pk})
    )
    assert "Open the intake screening" in resolve.content.decode()
    response = login(world.prescriber).post(
        _url(needs_wm, "wm_complete"),
        {"completed_on": timezone.localdate().isoformat(), "where": "County detox, 5 days"},
    )
    assert response.status_code == 302
    needs_wm.refresh_from_db()
    assert needs_wm.status == Screening.Status.REASSESSED
    assert Screening.objects.filter(follows=needs_wm, status=Screening.Status.IN_PROGRESS).exists()


@pytest.mark.parametrize(
    ("why", "prescriber", "field"),
    [
        ("wm_complete", "therapist_a", "prescriber"),  # not a prescriber
        ("nonsense", "prescriber", "why"),
    ],
)
def test_a_hand_off_needs_a_licensed_prescriber_and_a_reason(world, needs_wm, why, prescriber, field):
    with pytest.raises(Exception) as exc:
        services.screening_hand_to_prescriber(
            actor=world.intake, screening=needs_wm, prescriber=world.staff[prescriber], why=why
        )
    assert field in exc.value.message_dict  # type: ignore[attr-defined]  # a ValidationError
    assert not WorkItem.objects.filter(kind="prescriber_handoff").exists()


def test_wm_complete_is_not_offered_without_withdrawal_management(world, iop_ready):
    with pytest.raises(Exception, match="no withdrawal management"):
        services.screening_hand_to_prescriber(
            actor=world.intake, screening=iop_ready, prescriber=world.prescriber, why="wm_complete"
        )


def test_outsiders_get_404_and_readers_cannot_hand_over(world, login, needs_wm):
    data = {"prescriber": world.prescriber.pk, "why": "wm_plan"}
    for persona in ("outsider", "therapist_b", "peer"):
        assert login(world.staff[persona]).post(_url(needs_wm), data).status_code == 404, persona
    assert login(world.intake).get(_url(needs_wm)).status_code == 405  # a POST-only action
    assert not WorkItem.objects.filter(kind="prescriber_handoff").exists()
