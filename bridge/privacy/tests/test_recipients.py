"""The program's recipients: added and corrected by staff, invisible to another program."""

from __future__ import annotations

from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.privacy.models import Recipient


def test_staff_add_a_recipient(world, login):
    client = login(world.frontdesk)
    response = client.post(
        reverse("privacy:recipient_list"),
        {
            "name": "Oakland Housing Authority",
            "kind": "other",
            "address": "1619 Harrison St",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    recipient = Recipient.objects.get()
    assert recipient.program == world.program and recipient.created_by == world.frontdesk
    assert AuditEvent.objects.filter(action="create", object_type="recipient").exists()


def test_a_duplicate_name_is_a_field_error(world, login, recipients):
    response = login(world.frontdesk).post(
        reverse("privacy:recipient_list"), {"name": "acme freight hr", "kind": "employer", "address": "x"}
    )
    assert response.status_code == 400 and "name" in response.context["form"].errors


def test_missing_fields_are_field_errors(world, login):
    response = login(world.frontdesk).post(reverse("privacy:recipient_list"), {"name": "", "kind": "nope"})
    assert response.status_code == 400
    assert {"name", "kind", "address"} <= set(response.context["form"].errors)
    assert not Recipient.objects.exists()


def test_edit_keeps_disclosure_snapshots_and_another_program_gets_404(world, login, recipients):
    url = reverse("privacy:recipient_edit", args=[recipients["employer"].pk])
    client = login(world.therapist_a)
    response = client.post(
        url, {"name": "Acme Freight People Team", "kind": "employer", "address": "people@acme.example"}
    )
    assert response.status_code == 302
    assert Recipient.objects.get(pk=recipients["employer"].pk).name == "Acme Freight People Team"
    outsider = login(world.outsider)
    assert outsider.get(url).status_code == 404
    assert AuditEvent.objects.filter(
        action="access_denied", actor=world.outsider, object_type="recipient"
    ).exists()
    assert Recipient.objects.filter(pk=recipients["elsewhere"].pk).exists()
    listing = outsider.get(reverse("privacy:recipient_list"))
    assert [r.name for r in listing.context["recipients"]] == ["Elsewhere Employer"]


def test_peer_and_auditor_do_not_manage_recipients(world, login):
    assert login(world.peer).get(reverse("privacy:recipient_list")).status_code == 403
    assert login(world.auditor).get(reverse("privacy:recipient_list")).status_code == 403


def test_a_posted_program_that_is_not_an_id_adds_to_the_only_program(world, login):
    response = login(world.frontdesk).post(
        reverse("privacy:recipient_list"),
        {"name": "Oakland Housing Authority", "kind": "other", "address": "1619 Harrison St", "program": "x"},
    )
    assert response.status_code == 302
    assert Recipient.objects.get().program == world.program
