"""Directors keep their program's listing: profile, accreditations and licenses. Outsiders see nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.directory.models import ProgramAccreditation, ProgramLicense, ProgramProfile


def _future(days: int = 300) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _urls(world):
    pid = world.program.pk
    acc = ProgramAccreditation.objects.get(program=world.program)
    return [
        reverse("directory:manage", args=[pid]),
        reverse("directory:preview", args=[pid]),
        reverse("directory:accreditation_add", args=[pid]),
        reverse("directory:license_add", args=[pid]),
        reverse("directory:renew", args=[pid, "accreditations", acc.pk]),
        reverse("directory:end", args=[pid, "accreditations", acc.pk]),
    ]


def test_a_director_publishes_the_listing(world, login):
    client = login(world.director)
    url = reverse("directory:manage", args=[world.program.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "published": "on",
            "admitting": "on",
            "payment": ["MD", "PI"],
            "languages": ["SP"],
            "medications": ["naltrexone"],
            "approaches": ["CBT", "HOLI"],
            "aftercare": ["stepdown"],
            "website": "harbor.example",
        },
    )
    assert response.status_code == 302
    profile = ProgramProfile.objects.get(program=world.program)
    assert (
        profile.published and profile.payment == ["MD", "PI"] and profile.website == "https://harbor.example"
    )
    event = AuditEvent.objects.filter(object_type="directory_profile").latest("seq")
    assert event.action == "create" and event.actor == world.director and "payment" in event.detail["fields"]
    found = client.get("/find/", {"where": "94607", "approach": "HOLI", "aftercare": "stepdown"})
    assert [x.name for x in found.context["result"].listings] == ["Harbor"]


def test_bad_profile_input_is_a_field_error(world, login):
    client = login(world.director)
    response = client.post(reverse("directory:manage", args=[world.program.pk]), {"payment": ["GOLD"]})
    assert response.status_code == 400
    assert "Select a valid choice" in " ".join(response.context["profile_form"].errors["payment"])
    assert not ProgramProfile.objects.exists()


def test_accreditations_are_added_renewed_and_ended_with_their_audit_events(listed, login):
    world = listed
    client = login(world.director)
    base = reverse("directory:manage", args=[world.program.pk])
    add = reverse("directory:accreditation_add", args=[world.program.pk])
    response = client.post(add, {"acc-body": "JC", "acc-number": "JC-9", "acc-expires_on": _future()})
    assert response.status_code == 302
    jc = ProgramAccreditation.objects.get(body="JC")
    # The same body again while one is open: refused, nothing written.
    again = client.post(add, {"acc-body": "JC", "acc-number": "JC-10", "acc-expires_on": _future()})
    assert again.status_code == 400 and "already on file" in again.content.decode()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    past = client.post(add, {"acc-body": "COA", "acc-number": "C", "acc-expires_on": yesterday})
    assert past.status_code == 400 and "Enter the date it expires" in past.content.decode()
    assert ProgramAccreditation.objects.filter(program=world.program).count() == 2

    renew = reverse("directory:renew", args=[world.program.pk, "accreditations", jc.pk])
    assert client.post(renew, {"number": "JC-9", "expires_on": _future(600)}).status_code == 302
    jc.refresh_from_db()
    assert jc.expires_on.isoformat() == _future(600)

    end = reverse("directory:end", args=[world.program.pk, "accreditations", jc.pk])
    assert client.post(end, {"reason": ""}).status_code == 400
    assert client.post(end, {"reason": "withdrawn"}).status_code == 302
    jc.refresh_from_db()
    assert jc.ended_at is not None and jc.end_reason == "withdrawn"
    facts = client.get(f"/find/{world.program.pk}/").content.decode().split("What is known")[1]
    assert "The Joint Commission" not in facts
    actions = list(
        AuditEvent.objects.filter(object_type="program_accreditation", object_id=str(jc.pk))
        .order_by("seq")
        .values_list("action", "detail")
    )
    assert [a for a, _ in actions] == ["create", "update", "update"]
    assert actions[2][1] == {"program": str(world.program.pk), "ended": True}
    assert client.get(base).status_code == 200


def test_licenses_need_a_real_state_and_a_future_expiry(world, login):
    client = login(world.director)
    add = reverse("directory:license_add", args=[world.program.pk])
    bad = client.post(
        add,
        {
            "lic-authority": "SSA",
            "lic-issuer": "DHCS",
            "lic-state": "QQ",
            "lic-number": "1",
            "lic-expires_on": _future(),
        },
    )
    assert bad.status_code == 400 and "two-letter state code" in bad.content.decode()
    good = client.post(
        add,
        {
            "lic-authority": "SSA",
            "lic-issuer": "DHCS",
            "lic-state": "ca",
            "lic-number": "1",
            "lic-expires_on": _future(),
        },
    )
    assert good.status_code == 302 and ProgramLicense.objects.get().state == "CA"


def test_a_director_of_another_program_cannot_see_or_change_this_listing(listed, login):
    world = listed
    client = login(world.outsider)
    before = list(ProgramAccreditation.objects.values_list("pk", "number", "expires_on", "ended_at"))
    for url in _urls(world):
        denials = AuditEvent.objects.filter(action="access_denied").count()
        assert client.get(url).status_code in (404, 405), url
        posted = client.post(url, {"reason": "x", "number": "X", "expires_on": _future(900)})
        assert posted.status_code == (405 if url.endswith("/preview/") else 404), url
        assert AuditEvent.objects.filter(action="access_denied").count() > denials
    assert list(ProgramAccreditation.objects.values_list("pk", "number", "expires_on", "ended_at")) == before
    assert not ProgramLicense.objects.filter(number="X").exists()


@pytest.mark.parametrize("persona", ["therapist_a", "frontdesk", "auditor"])
def test_staff_of_the_program_who_are_not_directors_are_refused(listed, login, persona):
    client = login(listed.staff[persona])
    for url in _urls(listed):
        if url.endswith(("/accreditations/", "/licenses/")):
            assert client.post(url, {}).status_code == 403
        else:
            assert client.get(url).status_code == 403
    assert client.get(reverse("directory:manage_index")).status_code == 403


def test_items_of_the_wrong_kind_or_program_are_not_found(listed, login):
    client = login(listed.director)
    acc = ProgramAccreditation.objects.get(program=listed.program)
    assert (
        client.get(reverse("directory:renew", args=[listed.program.pk, "licenses", acc.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("directory:renew", args=[listed.program.pk, "other", acc.pk])).status_code == 404
    )


def test_the_director_is_told_when_an_accreditation_expires(listed, login):
    client = login(listed.director)
    assert "current for the next 60 days" in client.get("/").content.decode()
    ProgramAccreditation.objects.filter(program=listed.program).update(
        expires_on=timezone.localdate() - timedelta(days=2)
    )
    home = client.get("/").content.decode()
    assert "1 expired</strong> and no longer appears on your public listing" in home
    manage = client.get(reverse("directory:manage", args=[listed.program.pk])).content.decode()
    assert "Expired — not shown" in manage
    assert (
        "CARF" not in client.get(f"/find/{listed.program.pk}/").content.decode().split("Measured results")[0]
    )
    assert "Public listing" not in login(listed.therapist_a).get("/").content.decode()


def test_a_director_of_one_program_goes_straight_to_it_and_can_preview_unpublished(world, login):
    client = login(world.director)
    response = client.get(reverse("directory:manage_index"))
    assert response["Location"] == reverse("directory:manage", args=[world.program.pk])
    preview = reverse("directory:preview", args=[world.program.pk])
    assert client.get(preview).status_code == 302  # nothing saved yet
    client.post(reverse("directory:manage", args=[world.program.pk]), {"admitting": "on"})
    page = client.get(preview)
    assert page.status_code == 200 and "not published" in page.content.decode()
    assert client.get(f"/find/{world.program.pk}/").status_code == 404


def test_the_profile_service_refuses_values_outside_the_lists(world):
    from django.core.exceptions import ValidationError

    from bridge.directory import services

    with pytest.raises(ValidationError) as caught:
        services.profile_update(
            actor=world.director, program=world.program, payment=["MD", "GOLD"], languages="SP"
        )
    assert set(caught.value.message_dict) == {"payment", "languages"}
    assert not ProgramProfile.objects.exists()
